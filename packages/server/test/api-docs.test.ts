/**
 * The machine-readable API documents and the operational surface over the in-test engine: `/openapi.json` is a
 * valid OpenAPI 3.1 document and `/asyncapi.json` a valid AsyncAPI 3.0 one; every route declares its schemas (a
 * route added without them fails here); `/docs` renders them; structured request logs carry the request id,
 * project and key id but never the key; a server without keys on a non-loopback address says so at start.
 */
import { PassThrough } from "node:stream";
import asyncApiSpecs from "@asyncapi/specs";
import { ErrorBodySchema } from "@earshot/protocol";
import { buildApp, undocumentedRoutes } from "@earshot/server";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUnitApp, type UnitApp, unitConfig } from "../../../test/support/app.js";
import { FakeEngine } from "../../../test/support/fake-engine.js";

let unit: UnitApp;
beforeAll(async () => {
  unit = await startUnitApp();
});
afterAll(() => unit?.close());

describe("GET /openapi.json", () => {
  it("is a valid OpenAPI 3.1 document of every route, generated from the protocol schemas", async () => {
    const res = await unit.app.inject({ method: "GET", url: "/openapi.json" });
    expect(res.statusCode).toBe(200);
    const document = res.json();
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");

    expect(undocumentedRoutes(unit.app.apiRoutes)).toEqual([]);
    const documented = unit.app.apiRoutes.filter((r) => r.config?.docs !== false);
    const operations = Object.values(document.paths as Record<string, object>).flatMap((p) => Object.keys(p));
    expect(operations).toHaveLength(documented.length);
    const keys = document.paths["/v1/projects/{project_id}/keys"].post;
    expect(keys.security).toEqual([{ apiKey: [] }]);
    expect(keys["x-scope"]).toBe("keys:write");
    expect(keys.requestBody.content["application/json"].schema.required).toEqual(["comment", "scopes"]);
    expect(document.paths["/v1/listen"].post.security).toEqual([{ apiKey: [] }, { accessToken: [] }]);
    expect(document.paths["/v1/listen"].post.parameters.map((p: { name: string }) => p.name)).toContain("diarize");
    expect(document.paths["/v1/status"].get.security).toEqual([]);
  });

  it("lists a route that declares no schemas, so this file fails until it does", async () => {
    const engine = new FakeEngine();
    const app = await buildApp(unitConfig(), engine);
    app.get("/v1/undeclared", async () => ({ ok: true }));
    await app.ready();
    expect(undocumentedRoutes(app.apiRoutes)).toEqual(["GET /v1/undeclared"]);
    await app.close();
  });
});

describe("GET /asyncapi.json", () => {
  it("is a valid AsyncAPI 3.0 document of the WebSocket routes", async () => {
    const document = (await unit.app.inject({ method: "GET", url: "/asyncapi.json" })).json();
    // The AsyncAPI bundle carries its own copy of the draft-07 meta-schema.
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, meta: false, validateSchema: false });
    const validate = ajv.compile(asyncApiSpecs.schemas["3.0.0"]);
    expect(validate(document), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(validate({ ...document, channels: { v1Listen: { address: 42 } } })).toBe(false);
    expect(Object.values(document.channels).map((c: any) => c.address)).toEqual([
      "/v1/listen",
      "/v2/listen",
      "/v1/speak",
    ]);
    expect(Object.keys(document.channels.v1Listen.messages)).toEqual(
      expect.arrayContaining(["clientAudio", "clientKeepAlive", "serverResults", "serverMetadata"]),
    );
  });
});

describe("GET /docs", () => {
  it("renders the operations without scripts or remote assets", async () => {
    const res = await unit.app.inject({ method: "GET", url: "/docs" });
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.headers["content-security-policy"]).toContain("default-src 'none'");
    expect(res.body).toContain("/v1/projects/{project_id}/keys");
    expect(res.body).not.toMatch(/<script|https?:\/\/(?!spec\.openapis)/);
  });
});

describe("health", () => {
  it("answers liveness, readiness and Deepgram self-hosted's status without a key", async () => {
    const keyed = await startUnitApp({ apiKeys: ["k"] });
    try {
      for (const url of ["/livez", "/readyz", "/v1/status", "/metrics", "/openapi.json"]) {
        expect((await keyed.app.inject({ method: "GET", url })).statusCode, url).toBe(200);
      }
      const ready = (await keyed.app.inject({ method: "GET", url: "/readyz" })).json();
      expect(ready).toEqual({
        status: "ok",
        checks: { accepting: { ok: true }, engine: { ok: true }, accounts: { ok: true }, jobs: { ok: true } },
      });
      const status = (await keyed.app.inject({ method: "GET", url: "/v1/status" })).json();
      expect(status).toMatchObject({ system_health: "Healthy", active_batch_requests: 0, active_stream_requests: 0 });
      const refused = await keyed.app.inject({ method: "GET", url: "/v1/models" });
      expect(refused.statusCode).toBe(401);
      ErrorBodySchema.parse(refused.json());
    } finally {
      await keyed.close();
    }
  });
});

/** An app whose JSON log lines are collected. */
async function loggedApp(overrides: Parameters<typeof unitConfig>[0]) {
  const lines: any[] = [];
  const stream = new PassThrough();
  stream.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
  });
  const app = await buildApp(unitConfig({ logLevel: "info", ...overrides }), new FakeEngine(), { logStream: stream });
  return { app, lines };
}

describe("structured logs", () => {
  it("name the request, its project and key id, and never the key or the audio", async () => {
    const key = "a-very-secret-environment-key";
    const { app, lines } = await loggedApp({ apiKeys: [key] });
    const res = await app.inject({
      method: "POST",
      url: "/v1/listen",
      headers: { authorization: `Token ${key}`, "content-type": "audio/wav" },
      payload: Buffer.from("RIFF-audio-bytes-that-must-not-be-logged"),
    });
    expect(res.statusCode).toBe(200);
    await app.close();
    const completed = lines.find((l) => l.msg === "request completed" && l.reqId === res.headers["dg-request-id"]);
    expect(completed).toMatchObject({ project_id: expect.any(String), api_key_id: expect.stringMatching(/^env-/) });
    const text = JSON.stringify(lines);
    expect(text).not.toContain(key);
    expect(text).not.toContain("audio-bytes");
  });

  it("warn loudly when a server without keys listens beyond loopback", async () => {
    const { app, lines } = await loggedApp({ host: "0.0.0.0" });
    await app.listen({ host: "0.0.0.0", port: 0 });
    await app.close();
    expect(lines.some((l) => l.level === 40 && /NO API KEYS/.test(l.msg))).toBe(true);
  });
});
