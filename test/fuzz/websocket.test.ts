/**
 * Property-based fuzzing of the WebSocket APIs on a real server: sequences of text garbage, control messages in
 * any order, binary frames of odd and huge lengths and abrupt closes, on `/v1/listen` and `/v1/speak`.
 * Invariants: a refused upgrade is a 4xx, a socket closes with a code the client can act on (never 1011, the
 * server-fault code, except the documented idle timeout), nothing hangs, and the server still transcribes a real
 * clip after each batch.
 */
import { readFileSync } from "node:fs";
import { clip } from "@earshot/bench/corpus";
import type { EarshotServer } from "@earshot/server";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { postListen, startTestServer } from "../support/server.js";
import { fuzz, HANG_MS, outcomesOf, printOutcomes } from "./harness.js";

const lj = clip("ljspeech-dev", "LJ001-0002");
const speech = readFileSync(lj.path);

let server: EarshotServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  printOutcomes();
  await server?.close();
});
afterEach(async () => {
  const res = await postListen(server.url, new Uint8Array(speech));
  expect(res.status).toBe(200);
  expect(res.body.results.channels[0].alternatives[0].transcript).toMatch(/in being comparatively/i);
});

type Action =
  | { kind: "text"; text: string }
  | { kind: "binary"; bytes: Uint8Array }
  | { kind: "huge"; size: number }
  | { kind: "speech"; from: number; length: number }
  | { kind: "pause"; ms: number };

/** How a session ends: politely (the protocol's close message), by a close frame, or by cutting the TCP link. */
type Ending = "message" | "close" | "terminate";

interface Session {
  query: string;
  actions: Action[];
  ending: Ending;
}

/** Codes a client can act on: done, going away, bad data, too big, try later; 1005/1006 when it cut the link. */
const ACCEPTABLE_CLOSES = new Set([1000, 1001, 1005, 1008, 1009, 1013]);

async function run(path: string, session: Session, closeMessage: string): Promise<void> {
  const counts = outcomesOf(path);
  counts.sent++;
  const ws = new WebSocket(`${server.url.replace("http", "ws")}${path}?${session.query}`);
  ws.on("error", () => {});
  const outcome = new Promise<{ status?: number; code?: number; reason?: string }>((resolve) => {
    ws.once("unexpected-response", (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode });
    });
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  const opened = await Promise.race([
    new Promise<boolean>((resolve) => ws.once("open", () => resolve(true))),
    outcome.then(() => false),
  ]);
  if (opened) {
    for (const action of session.actions) {
      if (ws.readyState !== ws.OPEN) break;
      if (action.kind === "text") ws.send(action.text);
      else if (action.kind === "binary") ws.send(action.bytes);
      else if (action.kind === "huge") ws.send(Buffer.alloc(action.size, 1));
      else if (action.kind === "speech") ws.send(speech.subarray(action.from, action.from + action.length));
      else await new Promise((r) => setTimeout(r, action.ms));
    }
    if (session.ending === "terminate") ws.terminate();
    else if (ws.readyState === ws.OPEN) {
      if (session.ending === "message") ws.send(closeMessage);
      else ws.close(1000);
    }
  }
  const hang = new Promise<"hang">((resolve) => setTimeout(() => resolve("hang"), HANG_MS).unref());
  const result = await Promise.race([outcome, hang]);
  if (result === "hang") {
    counts.hangs++;
    ws.terminate();
    throw new Error(`${path}?${session.query}: no close within ${HANG_MS} ms`);
  }
  if (result.status !== undefined) {
    counts[result.status >= 500 ? "5xx" : "4xx"]++;
    expect(result.status, `${path}?${session.query} refused`).toBeLessThan(500);
    return;
  }
  const code = result.code ?? 0;
  counts[code === 1011 ? "5xx" : "ok"]++;
  if (session.ending === "terminate" || !opened) return;
  expect(
    ACCEPTABLE_CLOSES.has(code),
    `${path}?${session.query}: closed ${code} ${result.reason} after ${JSON.stringify(session.actions).slice(0, 400)}`,
  ).toBe(true);
}

const garbage = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.nat(10_000).map((depth) => "[".repeat(depth)),
);

function actions(controls: string[]): fc.Arbitrary<Action[]> {
  return fc.array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...controls).map((text): Action => ({ kind: "text", text })) },
      { weight: 2, arbitrary: garbage.map((text): Action => ({ kind: "text", text })) },
      { weight: 3, arbitrary: fc.uint8Array({ maxLength: 3001 }).map((bytes): Action => ({ kind: "binary", bytes })) },
      {
        weight: 3,
        arbitrary: fc
          .record({ from: fc.nat(speech.byteLength), length: fc.integer({ min: 1, max: 16_000 }) })
          .map((r): Action => ({ kind: "speech", ...r })),
      },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(0, 1, 2 * 1024 * 1024, 9 * 1024 * 1024)
          .map((size): Action => ({ kind: "huge", size })),
      },
      { weight: 1, arbitrary: fc.nat(300).map((ms): Action => ({ kind: "pause", ms })) },
    ),
    { maxLength: 12 },
  );
}

const LISTEN_CONTROLS = [
  '{"type":"KeepAlive"}',
  '{"type":"Finalize"}',
  '{"type":"CloseStream"}',
  '{"type":"Configure","features":{"punctuate":true}}',
  '{"type":"Configure","keyterms":[1,2]}',
  '{"type":"Finalize","channel":-1}',
];

const LISTEN_QUERIES = [
  "",
  "encoding=linear16&sample_rate=16000",
  "encoding=linear16&sample_rate=8000&channels=2&multichannel=true",
  "encoding=mulaw&sample_rate=8000",
  "encoding=opus&sample_rate=48000",
  "encoding=linear16",
  "sample_rate=1e20",
  "interim_results=true&vad_events=true&utterance_end_ms=1000",
  "endpointing=-5",
  "model=nope",
  "channels=13&multichannel=true&encoding=linear16&sample_rate=16000",
];

const SPEAK_CONTROLS = [
  '{"type":"Speak","text":"Hello there."}',
  '{"type":"Speak","text":""}',
  '{"type":"Speak","text":"1234567890 and 3.5%."}',
  '{"type":"Flush"}',
  '{"type":"Clear"}',
  '{"type":"Close"}',
  '{"type":"Speak"}',
];

const SPEAK_QUERIES = [
  "",
  "encoding=linear16&sample_rate=16000",
  "encoding=mulaw&sample_rate=8000",
  "sample_rate=7",
  "model=nope",
  "encoding=mp3",
];

describe("WebSocket fuzzing", () => {
  it("/v1/listen: frame sequences in any order", async () => {
    const session = fc.record({
      query: fc.constantFrom(...LISTEN_QUERIES),
      actions: actions(LISTEN_CONTROLS),
      ending: fc.constantFrom<Ending>("message", "close", "terminate"),
    });
    await fuzz(1.5, session, (s) => run("/v1/listen", s, '{"type":"CloseStream"}'));
  });

  it("/v1/speak: frame sequences in any order", async () => {
    const session = fc.record({
      query: fc.constantFrom(...SPEAK_QUERIES),
      actions: actions(SPEAK_CONTROLS),
      ending: fc.constantFrom<Ending>("message", "close", "terminate"),
    });
    await fuzz(1, session, (s) => run("/v1/speak", s, '{"type":"Close"}'));
  });
});
