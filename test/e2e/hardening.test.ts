/**
 * Issue 17's defects, each reproduced through the public interface of a real server: hostile headers and
 * bodies get a 4xx in the API's shape (never a 500), limits hold, deleted transcripts leave the disk, and one
 * project cannot see another's jobs or uploads.
 */
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { clip, wavOf } from "@earshot/bench/corpus";
import { ErrorBodySchema } from "@earshot/protocol";
import { Accounts, type EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { ffmpeg } from "../support/audio.js";
import { postListen, startTestServer } from "../support/server.js";

const lj = clip("ljspeech-dev", "LJ001-0002");
const speech = readFileSync(lj.path);

let server: EarshotServer;

beforeAll(async () => {
  server = await startTestServer({ http: { requestTimeoutMs: 1500 } });
});
afterAll(async () => {
  await server?.close();
});

function expectApiError(res: { status: number; body: unknown }, status: number, message?: RegExp): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  const body = ErrorBodySchema.parse(res.body);
  if (message) expect(body.err_msg).toMatch(message);
}

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${server.url}${path}`, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, headers: res.headers };
}

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

/** Writes `request` on a raw socket and returns everything the server answers before it closes. */
function rawExchange(request: string | Buffer, port = Number(new URL(server.url).port)): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk.toString("latin1");
    });
    // A connection the server cuts (over a limit) may reset: what was answered until then is the answer.
    socket.on("error", () => {});
    socket.on("close", () => resolve(answer));
    socket.write(request);
  });
}

/** The JSON body of a raw HTTP response. */
const bodyOf = (response: string): unknown => JSON.parse(response.slice(response.indexOf("\r\n\r\n") + 4));

describe("audio headers a client may lie in", () => {
  it("refuses sample rates no speech engine can use with a 400 naming the rate", async () => {
    for (const rate of [1, 63, 100, 3999, 384_000, 4_000_000]) {
      const res = await postListen(server.url, wavOf(Buffer.alloc(64 * 1024), rate, 1));
      expectApiError(res, 400, new RegExp(`${rate} Hz`));
    }
    const raw = await postListen(server.url, new Uint8Array(3200), "encoding=linear16&sample_rate=1000");
    expectApiError(raw, 400, /sample_rate/);
  });

  it("refuses more channels than the query allows, from any source, without decoding them", async () => {
    const before = process.memoryUsage().rss;
    const res = await postListen(server.url, wavOf(Buffer.alloc(123 * 1024), 16_000, 128));
    expectApiError(res, 400, /128/);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it("still transcribes 32 channels at 48 kHz (one resampler, not one per channel)", async () => {
    const res = await postListen(server.url, wavOf(Buffer.alloc(48_000 * 32 * 2), 48_000, 32), "multichannel=true");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.results.channels).toHaveLength(32);
  });
});

describe("client errors that used to be 500s", () => {
  it("validates job URLs at submission, on every route", async () => {
    expectApiError(await call("/v1/jobs", json({ url: "" })), 400);
    expectApiError(await call("/v1/jobs", json({ url: "file:///etc/passwd" })), 400);
    const gladia = await call("/v2/pre-recorded", json({ audio_url: "not a url" }));
    expect(gladia.status).toBe(400);
    expect(gladia.body.statusCode).toBe(400);
    const list = await call("/v2/pre-recorded");
    expect(list.status).toBe(200);
  });

  it("refuses JSON nested thousands deep", async () => {
    const deep = `{"audio_url":"http://127.0.0.1/a.wav","custom_metadata":${"[".repeat(5000)}${"]".repeat(5000)}}`;
    const gladia = await call("/v2/pre-recorded", json(deep));
    expect(gladia.status).toBe(400);
    expect(gladia.body.message).toMatch(/nested/);
    expectApiError(await call("/v1/jobs", json(`{"url":${"[".repeat(10_000)}}`)), 400, /nested/);
  });

  it("answers malformed multipart with a 400", async () => {
    const res = await call("/v2/upload", {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=xyz" },
      body: '--xyz\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\n\r\nabc',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    const openai = await call("/v1/audio/transcriptions", {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=xyz" },
      body: "--xyz\r\nbroken",
    });
    expect(openai.status, JSON.stringify(openai.body)).toBe(400);
  });

  it("answers offsets past any store's integers with a 400", async () => {
    for (const path of [
      "/v1/jobs?offset=1e20",
      "/v2/pre-recorded?offset=1e20",
      "/assemblyai/v2/transcript?offset=1e20",
    ]) {
      const res = await call(path);
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(400);
    }
  });

  it("answers a WebSocket upgrade with an unparsable target, and keeps serving", async () => {
    const answer = await rawExchange(
      "GET //[bad HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    );
    expect(answer).toMatch(/^HTTP\/1.1 400/);
    ErrorBodySchema.parse(bodyOf(answer));
    expect((await call("/v1/status")).status).toBeLessThan(500);
  });

  it("answers Node's 431, Fastify's 414 and a bad CORS preflight in the API's shape", async () => {
    const huge = await rawExchange(`GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1.1 431/);
    ErrorBodySchema.parse(bodyOf(huge));
    const long = await call(`/v1/jobs/${"a".repeat(300)}`);
    expectApiError(long, 414);
    const preflight = await call("/v1/listen", { method: "OPTIONS", headers: { origin: "https://app.example" } });
    expectApiError(preflight, 400, /Access-Control-Request-Method/);
    const good = await call("/v1/listen", {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "POST" },
    });
    expect(good.status).toBe(204);
  });
});

describe("live refusals a client can act on", () => {
  const live = (query: string): Promise<{ status?: number; code?: number }> =>
    new Promise((resolve) => {
      const ws = new WebSocket(`${server.url.replace("http", "ws")}/v1/listen?${query}`);
      ws.on("unexpected-response", (_req, res) => {
        resolve({ status: res.statusCode });
        res.resume();
      });
      ws.on("open", () => ws.send(wavOf(Buffer.alloc(32_000), 100, 1)));
      ws.on("close", (code) => resolve({ code }));
      ws.on("error", () => {});
    });

  it("refuses channels that can never fit with 400, not 429", async () => {
    const capacity = 2 * 6;
    const res = await live(`encoding=linear16&sample_rate=16000&multichannel=true&channels=${capacity + 1}`);
    expect(res.status).toBe(400);
  });

  it("frees a vanished client's stream at once: its capacity is there for the next client", async () => {
    const capacity = 2 * 6;
    const open = (): Promise<WebSocket> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`${server.url.replace("http", "ws")}/v1/listen?encoding=linear16&sample_rate=16000`);
        ws.once("open", () => resolve(ws));
        ws.once("unexpected-response", (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
      });
    for (let round = 0; round < 2; round++) {
      const sockets = await Promise.all(Array.from({ length: capacity }, open));
      // Cut, not closed: no close frame, the TCP connection just goes.
      for (const ws of sockets) ws.terminate();
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it("refuses bad sample rates as the client's fault: 400 before the upgrade, 1008 from a header", async () => {
    expect((await live("encoding=linear16&sample_rate=1000")).status).toBe(400);
    expect((await live("")).code).toBe(1008);
  });
});

describe("slow and greedy clients", () => {
  /** The close a WebSocket gets, and the text messages before it. */
  function session(path: string, drive: (ws: WebSocket) => void) {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}${path}`);
    const messages: Array<{ type: string; code?: string }> = [];
    ws.on("message", (data, isBinary) => {
      if (!isBinary) messages.push(JSON.parse(data.toString()));
    });
    ws.once("open", () => drive(ws));
    return new Promise<{ code: number; reason: string; messages: typeof messages }>((resolve) =>
      ws.once("close", (code, reason) => resolve({ code, reason: reason.toString(), messages })),
    );
  }

  it("closes idle speak sockets and trickling live ones, and limits Flush to Deepgram's 20 a minute", async () => {
    let trickle: ReturnType<typeof setInterval> | undefined;
    const [speak, live] = await Promise.all([
      session("/v1/speak?encoding=linear16&sample_rate=16000", (ws) => {
        for (let i = 0; i < 25; i++) ws.send(JSON.stringify({ type: "Flush" }));
      }),
      // 24 bytes a second decode to 0.75 ms of audio: bytes, but no audio worth a stream slot.
      session("/v1/listen?encoding=linear16&sample_rate=16000", (ws) => {
        trickle = setInterval(() => ws.readyState === ws.OPEN && ws.send(Buffer.alloc(24)), 1000);
      }),
    ]);
    clearInterval(trickle);
    expect(speak.messages.filter((m) => m.type === "Flushed")).toHaveLength(20);
    expect(speak.messages.filter((m) => m.code === "FLUSH_LIMIT_EXCEEDED")).toHaveLength(5);
    expect([speak.code, speak.reason]).toEqual([1011, "NET-0001"]);
    expect([live.code, live.reason]).toEqual([1011, "NET-0001"]);
  });

  it("closes a stream whose decoder quit on a frame it had not finished reading, without waiting for ws's timeout", async () => {
    // ffmpeg rejects 2 MB of non-Opus bytes after reading a few: the frame never drains, so the socket stayed
    // paused for backpressure and could not read the client's answering close frame (found by the fuzz suite).
    const closed = session("/v1/listen?encoding=opus&sample_rate=48000", (ws) => {
      ws.send(Buffer.alloc(2 * 1024 * 1024, 1));
      ws.send(JSON.stringify({ type: "CloseStream" }));
    });
    const hang = new Promise<"hang">((resolve) => setTimeout(() => resolve("hang"), 10_000).unref());
    const result = await Promise.race([closed, hang]);
    expect(result).not.toBe("hang");
    expect(result).toMatchObject({ code: 1008, reason: "DATA-0000" });
  });

  it("times out a body trickled a byte at a time", async () => {
    const port = Number(new URL(server.url).port);
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      const socket: Socket = connect(port, "127.0.0.1");
      let text = "";
      socket.on("data", (chunk) => {
        text += chunk.toString();
      });
      socket.on("error", () => {});
      const trickle = setInterval(() => socket.writable && socket.write("a"), 300);
      socket.on("close", () => {
        clearInterval(trickle);
        resolve(text);
      });
      socket.write("POST /v1/listen HTTP/1.1\r\nHost: x\r\nContent-Type: audio/wav\r\nContent-Length: 100000\r\n\r\n");
    });
    expect(answer).toMatch(/^HTTP\/1.1 408/);
    ErrorBodySchema.parse(bodyOf(answer));
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("what a deleted job leaves, and who may see a job", () => {
  async function waitDone(path: string, headers: Record<string, string> = {}): Promise<any> {
    for (;;) {
      const res = await call(path, { headers });
      if (res.body.status === "done" || res.body.status === "error") return res.body;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it("leaves no copy of a deleted transcript in jobs.db or its WAL", async () => {
    const submitted = await call("/v1/jobs", { method: "POST", body: speech });
    const job = await waitDone(`/v1/jobs/${submitted.body.request_id}`);
    const transcript: string = job.result.results.channels[0].alternatives[0].transcript;
    expect(transcript.length).toBeGreaterThan(20);
    const files = ["jobs.db", "jobs.db-wal"].map((f) => join(server.config.jobs.dataDir, f));
    const copies = (): number =>
      files.reduce((n, file) => {
        let bytes: Buffer;
        try {
          bytes = readFileSync(file);
        } catch {
          return n;
        }
        let count = 0;
        for (let at = bytes.indexOf(transcript); at >= 0; at = bytes.indexOf(transcript, at + 1)) count++;
        return n + count;
      }, 0);
    expect(copies()).toBeGreaterThan(0);
    expect((await call(`/v1/jobs/${job.request_id}`, { method: "DELETE" })).status).toBe(200);
    expect(copies()).toBe(0);
  });

  it("stops a deleted job's work on the engine at once", async () => {
    const source = clip("ljspeech-dev", "LJ001-0001").path;
    const long = ffmpeg(Array(24).fill(source), ["-filter_complex", "concat=n=24:v=0:a=1"], "long.wav");
    /** Engine tasks started so far, from the queue-wait histogram's count. */
    const tasksStarted = async (): Promise<number> => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return Number(/^earshot_engine_queue_wait_seconds_count (\d+)/m.exec(text)?.[1] ?? Number.NaN);
    };
    const submitted = await call("/v1/jobs", { method: "POST", body: long as Uint8Array<ArrayBuffer> });
    const id = submitted.body.request_id;
    const { workers } = server.engine.status();
    // Deleted while most of its pieces still wait for a worker.
    while (server.engine.status().queueDepth < 3 * workers) await new Promise((r) => setTimeout(r, 20));
    const queued = server.engine.status().queueDepth;
    const before = await tasksStarted();
    expect((await call(`/v1/jobs/${id}`, { method: "DELETE" })).status).toBe(200);
    while (server.engine.status().active > 0) await new Promise((r) => setTimeout(r, 100));
    // Noticed at the next progress write (at most every 250 ms): the pieces running until then finish, the queued
    // ones never start.
    const startedAfter = (await tasksStarted()) - before;
    expect(startedAfter).toBeLessThanOrEqual(2 * workers + 1);
    expect(startedAfter).toBeLessThan(queued);
  });

  it("keeps jobs and uploads to their project", async () => {
    const accounts = Accounts.open(server.config.jobs);
    const a = (await accounts.createHostKey({ project: "A", comment: "a", scopes: ["member"] })).key;
    const b = (await accounts.createHostKey({ project: "B", comment: "b", scopes: ["member"] })).key;
    await accounts.close();
    const as = (key: string) => ({ authorization: `Token ${key}` });

    const submitted = await call("/v1/jobs", { method: "POST", body: speech, headers: as(a) });
    expect(submitted.status).toBe(202);
    const id = submitted.body.request_id;
    const listedByB = await call("/v1/jobs", { headers: as(b) });
    expect(listedByB.body.jobs.map((j: { request_id: string }) => j.request_id)).not.toContain(id);
    expect((await call(`/v1/jobs/${id}`, { headers: as(b) })).status).toBe(404);
    expect((await call(`/v1/jobs/${id}`, { method: "DELETE", headers: as(b) })).status).toBe(404);
    expect((await call(`/v2/pre-recorded/${id}`, { headers: as(b) })).status).toBe(404);
    expect((await call(`/v1/jobs/${id}`, { headers: as(a) })).status).toBe(200);
    const listedByA = await call("/v1/jobs", { headers: as(a) });
    expect(listedByA.body.jobs.map((j: { request_id: string }) => j.request_id)).toContain(id);

    const form = new FormData();
    form.append("audio", new Blob([speech]), "a.wav");
    const upload = await call("/v2/upload", { method: "POST", body: form, headers: as(a) });
    expect(upload.status).toBe(200);
    const fileId = String(upload.body.audio_url).split("/").pop();
    expect((await call(`/v2/files/${fileId}`, { headers: as(b) })).status).toBe(404);
    expect((await call(`/v2/files/${fileId}`, { headers: as(a) })).status).toBe(200);
    const stolen = await call("/v2/pre-recorded", json({ audio_url: upload.body.audio_url }, as(b)));
    expect(stolen.status).toBe(400);
    await waitDone(`/v1/jobs/${id}`, as(a));
  });
});
