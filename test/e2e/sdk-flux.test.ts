/**
 * Earshot's SDK on Flux: `client.listen.v2.connect` with events by turn event name, `configure`,
 * `forceEndTurn`, the async iterator, `pipeTo(conn.audio)`, and a refused handshake as an `APIError`.
 */
import { clip } from "@earshot/bench/corpus";
import { wordErrorRate } from "@earshot/engine";
import { AuthenticationError, BadRequestError, EarshotClient, type FluxServerMessage } from "@earshot/sdk";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunks, pcm16, silence } from "../support/live.js";
import { startTestServer } from "../support/server.js";

const KEY = "sdk-flux-key";
const lj = clip("ljspeech-dev", "LJ001-0001");
const pcm = pcm16(lj.path, "sdk-flux.raw");

let server: EarshotServer;
let client: EarshotClient;

beforeAll(async () => {
  server = await startTestServer({ apiKeys: [KEY] });
  client = new EarshotClient({ baseUrl: server.url, apiKey: KEY });
});
afterAll(async () => {
  await server?.close();
});

/** The audio as a stream of 100 ms chunks. */
const readable = (bytes: Buffer) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks(bytes, 3200)) controller.enqueue(chunk);
      controller.close();
    },
  });

describe("client.listen.v2.connect", () => {
  it("streams through conn.audio and reports turns by event name and through the iterator", async () => {
    const conn = client.listen.v2.connect({ encoding: "linear16", sample_rate: 16000, eager_eot_threshold: 0.4 });
    const ends: string[] = [];
    const eager: string[] = [];
    conn.on("EndOfTurn", (turn) => ends.push(turn.transcript));
    conn.on("EagerEndOfTurn", (turn) => eager.push(turn.transcript));
    const messages: FluxServerMessage[] = [];
    const iterated = (async () => {
      for await (const message of conn) messages.push(message);
    })();
    await conn.opened;
    conn.configure({ thresholds: { eot_threshold: 0.75 } });
    await readable(Buffer.concat([silence(0.3), pcm, silence(2)])).pipeTo(conn.audio);
    await iterated;
    expect(messages[0]?.type).toBe("Connected");
    expect(messages.find((m) => m.type === "ConfigureSuccess")).toMatchObject({
      thresholds: { eot_threshold: 0.75, eager_eot_threshold: 0.4 },
    });
    expect(ends.length).toBeGreaterThan(0);
    // Every end of turn in eager mode was announced with the same words.
    for (const end of ends) expect(eager).toContain(end);
    expect(wordErrorRate([{ reference: lj.reference, hypothesis: ends.join(" ") }])).toBeLessThan(0.5);
  });

  it("forceEndTurn gets a manual EndOfTurn; finish resolves when the server has closed", async () => {
    const conn = client.listen.v2.connect({ encoding: "linear16", sample_rate: 16000, eot_threshold: 1 });
    const started = new Promise((resolve) => conn.once("StartOfTurn", resolve));
    const ended = new Promise<any>((resolve) => conn.once("EndOfTurn", resolve));
    for (const chunk of chunks(pcm, 3200)) conn.send(chunk);
    await started;
    conn.forceEndTurn();
    expect(await ended).toMatchObject({ trigger: "manual", turn_index: 0 });
    await conn.finish();
  });

  it("a refused handshake rejects `opened` with the matching APIError", async () => {
    const bad = client.listen.v2.connect({ eot_threshold: 5 });
    await expect(bad.opened).rejects.toBeInstanceOf(BadRequestError);
    const stranger = new EarshotClient({ baseUrl: server.url, apiKey: "wrong" }).listen.v2.connect();
    await expect(stranger.opened).rejects.toBeInstanceOf(AuthenticationError);
  });
});
