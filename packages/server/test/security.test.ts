/**
 * SECURITY.md's cheap promises, checked: credentials never reach the log, even at trace level and on refused
 * requests; request (and so job) ids are random UUIDs, 122 bits that cannot be guessed.
 */
import { PassThrough } from "node:stream";
import { buildApp } from "@earshot/server";
import { describe, expect, it } from "vitest";
import { unitConfig } from "../../../test/support/app.js";
import { FakeEngine } from "../../../test/support/fake-engine.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("security promises", () => {
  it("never logs a credential, however it is sent and whether it verifies or not", async () => {
    const key = "the-environment-key-0123456789";
    const wrong = "a-wrong-key-9876543210";
    let log = "";
    const stream = new PassThrough();
    stream.on("data", (chunk: Buffer) => {
      log += chunk.toString();
    });
    const app = await buildApp(unitConfig({ logLevel: "trace", apiKeys: [key] }), new FakeEngine(), {
      logStream: stream,
    });
    const audio = { "content-type": "audio/wav" };
    for (const headers of [
      { authorization: `Token ${key}` },
      { authorization: `Bearer ${key}` },
      { authorization: `Token ${wrong}` },
      { "x-gladia-key": wrong },
      { "sec-websocket-protocol": `token, ${wrong}` },
    ]) {
      await app.inject({ method: "POST", url: "/v1/listen", headers: { ...headers, ...audio }, payload: "RIFF" });
      await app.inject({ method: "GET", url: "/v1/jobs/nope", headers });
    }
    await app.close();
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toContain(key);
    expect(log).not.toContain(wrong);
  });

  it("gives every request an unguessable id (a random UUID: 122 random bits)", async () => {
    const app = await buildApp(unitConfig(), new FakeEngine());
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const res = await app.inject({ method: "GET", url: "/v1/models" });
      const id = String(res.headers["dg-request-id"]);
      expect(id).toMatch(UUID_V4);
      ids.add(id);
    }
    await app.close();
    expect(ids.size).toBe(50);
  });
});
