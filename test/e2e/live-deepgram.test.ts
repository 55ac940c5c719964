/**
 * Live `GET /v1/listen` driven by the official Deepgram SDKs (v5 and v4) unmodified, plus the error paths:
 * authentication, bad audio (1008 DATA-0000), idleness (1011 NET-0001) and capacity (429 before the upgrade).
 */
import { DeepgramClient } from "@deepgram/sdk";
import { clip } from "@earshot/bench/corpus";
import type { EarshotServer } from "@earshot/server";
import { createClient, LiveTranscriptionEvents } from "deepgram-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { chunks, pcm16, silence, sleep } from "../support/live.js";
import { startTestServer } from "../support/server.js";
import { werOf } from "../support/wer.js";

const KEY = "live-test-key";
const lj = clip("ljspeech-dev", "LJ001-0001");
const libri = clip("misc", "1089-134686-0000");

let server: EarshotServer;
let wsBase: string;

beforeAll(async () => {
  server = await startTestServer({ apiKeys: [KEY] });
  wsBase = server.url.replace("http", "ws");
});
afterAll(async () => {
  await server?.close();
});

/** A raw `ws` client: resolves with the close code and reason, and the messages received. */
function rawSession(
  query: string,
  act: (socket: WebSocket) => void | Promise<void>,
  protocols?: string[],
): Promise<{ code: number; reason: string; messages: any[]; protocol: string }> {
  return new Promise((resolve, reject) => {
    const socket = protocols
      ? new WebSocket(`${wsBase}/v1/listen?${query}`, protocols)
      : new WebSocket(`${wsBase}/v1/listen?${query}`, { headers: { authorization: `Token ${KEY}` } });
    const messages: any[] = [];
    socket.on("message", (data) => messages.push(JSON.parse(String(data))));
    socket.on("open", () => void act(socket));
    socket.on("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    socket.on("close", (code, reason) =>
      resolve({ code, reason: reason.toString(), messages, protocol: socket.protocol }),
    );
  });
}

describe("the official Deepgram SDK v5", () => {
  it("transcribes a live stream with listen.v1.connect", async () => {
    const deepgram = new DeepgramClient({ apiKey: KEY, baseUrl: server.url });
    const socket = await deepgram.listen.v1.connect({
      model: "nova-3",
      encoding: "linear16",
      sample_rate: 16000,
      interim_results: "true",
      Authorization: `Token ${KEY}`,
    } as any);
    const messages: any[] = [];
    const closed = new Promise<any>((resolve) => socket.on("close", resolve));
    socket.on("message", (m: any) => messages.push(m));
    socket.connect();
    await socket.waitForOpen();
    for (const chunk of chunks(Buffer.concat([pcm16(lj.path, "v5.raw"), silence(1)]), 3200)) socket.sendMedia(chunk);
    socket.sendKeepAlive({ type: "KeepAlive" });
    socket.sendCloseStream({ type: "CloseStream" });
    const close = await closed;
    expect(close.code).toBe(1000);
    const finals = messages.filter((m) => m.type === "Results" && m.is_final);
    const text = finals.map((m) => m.channel.alternatives[0].transcript).join(" ");
    expect(werOf(lj.reference, text), text).toBeLessThan(0.4);
    expect(messages.at(-1)).toMatchObject({ type: "Metadata", channels: 1 });
  });

  it("gets 1008 DATA-0000 for garbage while another stream keeps being served", async () => {
    const deepgram = new DeepgramClient({ apiKey: KEY, baseUrl: server.url });
    const healthy = rawSession("encoding=linear16&sample_rate=16000", async (socket) => {
      for (const chunk of chunks(pcm16(libri.path, "healthy.raw"), 3200)) {
        socket.send(chunk);
        await sleep(5);
      }
      socket.send(JSON.stringify({ type: "CloseStream" }));
    });
    const socket = await deepgram.listen.v1.connect({
      model: "nova-3",
      reconnectAttempts: 0,
      Authorization: `Token ${KEY}`,
    } as any);
    const closed = new Promise<any>((resolve) => socket.on("close", resolve));
    socket.connect();
    await socket.waitForOpen();
    socket.sendMedia(new Uint8Array(4096).map((_, i) => (i * 7919) % 251));
    const close = await closed;
    expect(close.code).toBe(1008);
    expect(close.reason).toBe("DATA-0000");
    const other = await healthy;
    expect(other.code).toBe(1000);
    const text = other.messages.filter((m) => m.is_final).map((m) => m.channel.alternatives[0].transcript);
    expect(werOf(libri.reference, text.join(" "))).toBeLessThan(0.4);
  });

  it("refuses a wrong key with a plain 401 before the upgrade", async () => {
    const deepgram = new DeepgramClient({ apiKey: "wrong", baseUrl: server.url });
    const socket = await deepgram.listen.v1.connect({
      model: "nova-3",
      reconnectAttempts: 0,
      Authorization: "Token wrong",
    } as any);
    socket.on("error", () => {});
    socket.connect();
    await expect(socket.waitForOpen()).rejects.toThrow(/401/);
  });
});

describe("the official Deepgram SDK v4", () => {
  it("transcribes a live stream with listen.live", async () => {
    const deepgram = createClient(KEY, { global: { url: server.url } });
    const live = deepgram.listen.live({ model: "nova-3", encoding: "linear16", sample_rate: 16000 });
    const finals: string[] = [];
    let metadata: any;
    live.on(LiveTranscriptionEvents.Transcript, (m: any) => {
      if (m.is_final) finals.push(m.channel.alternatives[0].transcript);
    });
    live.on(LiveTranscriptionEvents.Metadata, (m: any) => {
      metadata = m;
    });
    const closed = new Promise<any>((resolve) => live.on(LiveTranscriptionEvents.Close, resolve));
    await new Promise<void>((resolve) => live.on(LiveTranscriptionEvents.Open, () => resolve()));
    live.keepAlive();
    for (const chunk of chunks(Buffer.concat([pcm16(libri.path, "v4.raw"), silence(1)]), 3200)) {
      live.send(chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength) as ArrayBuffer);
    }
    live.requestClose();
    const close = await closed;
    expect(close.code).toBe(1000);
    expect(werOf(libri.reference, finals.join(" "))).toBeLessThan(0.4);
    expect(metadata.duration).toBeCloseTo(libri.duration + 1, 0);
  });
});

describe("live session lifetime", () => {
  it("KeepAlive holds a silent connection open past 10 s; without it the server closes with NET-0001", async () => {
    const kept = rawSession("encoding=linear16&sample_rate=16000", async (socket) => {
      for (let i = 0; i < 4; i++) {
        await sleep(3500);
        socket.send(JSON.stringify({ type: "KeepAlive" }));
      }
      socket.send(JSON.stringify({ type: "CloseStream" }));
    });
    const idle = rawSession("encoding=linear16&sample_rate=16000", () => {});
    const [keptResult, idleResult] = await Promise.all([kept, idle]);
    expect(keptResult.code).toBe(1000);
    expect(keptResult.messages.at(-1)).toMatchObject({ type: "Metadata" });
    expect(idleResult.code).toBe(1011);
    expect(idleResult.reason).toBe("NET-0001");
  }, 30_000);

  it("accepts the browser form Sec-WebSocket-Protocol: token, <key> and echoes token", async () => {
    const result = await rawSession("encoding=linear16&sample_rate=16000", (socket) => socket.send(new Uint8Array(0)), [
      "token",
      KEY,
    ]);
    expect(result.protocol).toBe("token");
    expect(result.code).toBe(1000);
  });

  it("tells open streams it is going away (1001 SERVER-SHUTDOWN) when the server shuts down", async () => {
    const leaving = await startTestServer({ engine: { workers: 1 } });
    const socket = new WebSocket(`${leaving.url.replace("http", "ws")}/v1/listen?encoding=linear16&sample_rate=16000`);
    await new Promise((resolve) => socket.on("open", resolve));
    const closed = new Promise<[number, string]>((resolve) =>
      socket.on("close", (code, reason) => resolve([code, reason.toString()])),
    );
    await leaving.close();
    expect(await closed).toEqual([1001, "SERVER-SHUTDOWN"]);
  });

  it("refuses a new stream with 429 before the upgrade when at capacity, without touching open ones", async () => {
    const small = await startTestServer({ engine: { workers: 1, live: { streamsPerWorker: 1 } } });
    try {
      const base = small.url.replace("http", "ws");
      const first = new WebSocket(`${base}/v1/listen?encoding=linear16&sample_rate=16000`);
      await new Promise((resolve) => first.on("open", resolve));
      const status = await new Promise<number>((resolve) => {
        const second = new WebSocket(`${base}/v1/listen?encoding=linear16&sample_rate=16000`);
        second.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        second.on("open", () => resolve(101));
      });
      expect(status).toBe(429);
      const messages: any[] = [];
      first.on("message", (m) => messages.push(JSON.parse(String(m))));
      const closed = new Promise<number>((resolve) => first.on("close", resolve));
      for (const chunk of chunks(pcm16(lj.path, "cap.raw"), 3200)) first.send(chunk);
      first.send(JSON.stringify({ type: "CloseStream" }));
      expect(await closed).toBe(1000);
      expect(messages.at(-1).duration).toBeCloseTo(lj.duration, 1);
    } finally {
      await small.close();
    }
  });
});
