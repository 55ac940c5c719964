/**
 * Issue 17's greedy clients, on a real server over real sockets: one API key, or one client address, holds at
 * most its share of the live capacity (live channels — `/v1/listen` and Flux together — and speak sockets), so
 * another key or address still gets a stream; a refusal is a 429 before the upgrade, with `Retry-After` and
 * Deepgram's error body naming the limit; and a synchronous transcription (or an OpenAI `stream=true` one) whose
 * client disconnects stops at once, leaving the server to serve the next request.
 */
import { readFileSync } from "node:fs";
import { clip } from "@earshot/bench/corpus";
import { wordErrorRate } from "@earshot/engine";
import { ErrorBodySchema } from "@earshot/protocol";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { ffmpeg } from "../support/audio.js";
import { postListen, startTestServer } from "../support/server.js";

const KEYS = ["limits-key-a", "limits-key-b"] as const;
const [A, B] = KEYS;

let server: EarshotServer;
const open: WebSocket[] = [];

beforeAll(async () => {
  // Loopback counted as any address, so that 127.0.0.1, .2 and .3 are three clients; the per-key share is the
  // default, half of the 2 workers × 6 live channels.
  server = await startTestServer({ apiKeys: [...KEYS], streams: { perIp: 3 }, http: { limitLoopback: true } });
});
afterAll(async () => {
  for (const ws of open) ws.terminate();
  await server?.close();
});

type Outcome = { ws: WebSocket } | { status: number; retryAfter: string | undefined; body: unknown };

/** A WebSocket from `from` (a loopback address) with `key`: open, or the HTTP refusal it got. */
function connect(path: string, key: string, from: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}${path}`, {
      headers: { authorization: `Token ${key}` },
      localAddress: from,
    });
    ws.once("open", () => {
      open.push(ws);
      // A stream silent for the idle timeout is closed, which would give its share back: opening several under
      // load can take longer than that.
      const keepAlive = setInterval(() => ws.send(JSON.stringify(keepAliveFor(path))), 2000);
      ws.once("close", () => clearInterval(keepAlive));
      resolve({ ws });
    });
    ws.once("unexpected-response", (_req, res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on("end", () => {
        const retryAfter = res.headers["retry-after"];
        resolve({ status: res.statusCode ?? 0, retryAfter: retryAfter as string | undefined, body: JSON.parse(text) });
      });
    });
    ws.once("error", (err) => reject(err));
  });
}

/** What keeps a socket from its idle timeout; a speak socket's text waits for a Flush that never comes. */
const keepAliveFor = (path: string): object =>
  path.startsWith("/v1/speak") ? { type: "Speak", text: "." } : { type: "KeepAlive" };
const LIVE = "/v1/listen?encoding=linear16&sample_rate=16000";
const FLUX = "/v2/listen?model=flux-general-en&encoding=linear16&sample_rate=16000";
const SPEAK = "/v1/speak?encoding=linear16&sample_rate=16000";

async function expectOpen(outcome: Promise<Outcome>): Promise<WebSocket> {
  const result = await outcome;
  if (!("ws" in result)) throw new Error(`refused: ${result.status} ${JSON.stringify(result.body)}`);
  return result.ws;
}

async function expectRefused(outcome: Promise<Outcome>, limit: RegExp): Promise<void> {
  const result = await outcome;
  if ("ws" in result) throw new Error("opened, but should have been refused");
  expect(result.status).toBe(429);
  expect(Number(result.retryAfter)).toBeGreaterThan(0);
  const body = ErrorBodySchema.parse(result.body);
  expect(body.err_code).toBe("TOO_MANY_REQUESTS");
  expect(body.err_msg).toMatch(limit);
}

const closeAll = async (): Promise<void> => {
  await Promise.all(
    open.splice(0).map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === ws.CLOSED) return resolve();
          ws.once("close", () => resolve());
          ws.close();
        }),
    ),
  );
};

describe("fair shares of the live capacity", () => {
  it("holds one key to its share, live and Flux together, while another key still gets a stream", async () => {
    const share = server.engine.maxLiveChannels / 2;
    // Spread over two addresses so that the per-address limit (3) is not the one reached.
    for (let i = 0; i < share; i++) {
      await expectOpen(connect(i % 2 ? FLUX : LIVE, A, i < share / 2 ? "127.0.0.1" : "127.0.0.2"));
    }
    await expectRefused(connect(LIVE, A, "127.0.0.3"), /this API key.*EARSHOT_STREAMS_PER_KEY/);
    await expectRefused(connect(FLUX, A, "127.0.0.3"), /this API key/);
    // The server has room; the other key gets it.
    await expectOpen(connect(LIVE, B, "127.0.0.3"));
    await closeAll();
    // Given back when the streams close (the TCP connection goes a moment after the close frame).
    for (let tries = 0; ; tries++) {
      const again = await connect(LIVE, A, "127.0.0.3");
      if ("ws" in again) break;
      expect(tries).toBeLessThan(50);
      await new Promise((r) => setTimeout(r, 100));
    }
    await closeAll();
  });

  it("holds one client address to its share whatever the keys, while another address still gets a stream", async () => {
    await expectOpen(connect(LIVE, A, "127.0.0.1"));
    await expectOpen(connect(FLUX, B, "127.0.0.1"));
    await expectOpen(connect(LIVE, B, "127.0.0.1"));
    await expectRefused(connect(LIVE, A, "127.0.0.1"), /client address \(127\.0\.0\.1\).*EARSHOT_STREAMS_PER_IP/);
    await expectOpen(connect(LIVE, A, "127.0.0.2"));
    // Speak sockets are a pool of their own, with the same rule.
    for (let i = 0; i < 3; i++) await expectOpen(connect(SPEAK, A, "127.0.0.3"));
    await expectRefused(connect(SPEAK, B, "127.0.0.3"), /speak WebSockets for this client address/);
    await expectOpen(connect(SPEAK, B, "127.0.0.2"));
    await closeAll();
  });
});

describe("a client that disconnects from a synchronous transcription", () => {
  const longAudio = () => {
    const source = clip("ljspeech-dev", "LJ001-0001").path;
    return ffmpeg(Array(24).fill(source), ["-filter_complex", "concat=n=24:v=0:a=1"], "long.wav");
  };
  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const line = text.split("\n").find((l) => l.startsWith(name));
    return Number(line?.split(" ").pop() ?? 0);
  };
  const tasksStarted = () => metric("earshot_engine_queue_wait_seconds_count");

  it("stops its work on the engine at once, counts it, and the server keeps serving", async () => {
    const long = longAudio();
    const cancelled = () => metric('earshot_http_requests_cancelled_total{route="/v1/listen"}');
    const client = new AbortController();
    const request = fetch(`${server.url}/v1/listen`, {
      method: "POST",
      headers: { authorization: `Token ${A}`, "content-type": "audio/wav" },
      body: long as Uint8Array<ArrayBuffer>,
      signal: client.signal,
    }).catch((err: Error) => err);
    const { workers } = server.engine.status();
    // Gone while most of its pieces still wait for a worker.
    while (server.engine.status().queueDepth < 3 * workers) await new Promise((r) => setTimeout(r, 20));
    const queued = server.engine.status().queueDepth;
    const before = await tasksStarted();
    client.abort();
    expect(await request).toBeInstanceOf(Error);
    for (let polls = 0; (await metric("earshot_engine_active_requests")) > 0; polls++) {
      expect(polls).toBeLessThan(300);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(server.engine.status()).toMatchObject({ active: 0, queueDepth: 0 });
    // The pieces running when it went finish; the queued ones never start.
    const startedAfter = (await tasksStarted()) - before;
    expect(startedAfter).toBeLessThanOrEqual(2 * workers + 1);
    expect(startedAfter).toBeLessThan(queued);
    expect(await cancelled()).toBe(1);

    const lj = clip("ljspeech-dev", "LJ001-0002");
    const res = await postListen(server.url, readFileSync(lj.path), "", { authorization: `Token ${B}` });
    expect(res.status).toBe(200);
    const hypothesis = res.body.results.channels[0].alternatives[0].transcript;
    expect(wordErrorRate([{ reference: lj.reference, hypothesis }])).toBeLessThan(0.3);
  });

  it("stops an OpenAI stream=true transcription too: its pieces still waiting are dropped", async () => {
    const form = new FormData();
    form.append("file", new Blob([longAudio() as Uint8Array<ArrayBuffer>], { type: "audio/wav" }), "long.wav");
    form.append("model", "gpt-4o-transcribe");
    form.append("stream", "true");
    const client = new AbortController();
    const response = await fetch(`${server.url}/v1/audio/transcriptions`, {
      method: "POST",
      headers: { authorization: `Bearer ${A}` },
      body: form,
      signal: client.signal,
    });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const { workers } = server.engine.status();
    while (server.engine.status().queueDepth < 3 * workers) await new Promise((r) => setTimeout(r, 20));
    const queued = server.engine.status().queueDepth;
    const before = await tasksStarted();
    client.abort();
    for (let polls = 0; server.engine.status().queueDepth > 0 || server.engine.status().busyWorkers > 0; polls++) {
      expect(polls).toBeLessThan(300);
      await new Promise((r) => setTimeout(r, 100));
    }
    const startedAfter = (await tasksStarted()) - before;
    expect(startedAfter).toBeLessThanOrEqual(2 * workers + 1);
    expect(startedAfter).toBeLessThan(queued);
    expect(await metric('earshot_http_requests_cancelled_total{route="/v1/audio/transcriptions"}')).toBe(1);
  });
});
