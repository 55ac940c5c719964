/**
 * The SDK's one emitter and one events→iterator helper, alone and inside the objects that use them: live
 * connections and speak sockets against a real WebSocket server on loopback, jobs against a real HTTP server.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { LiveResults, LiveServerMessage } from "@earshot/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket as WsSocket } from "ws";
import { Emitter } from "../src/core/emitter.js";
import { type EventSink, eventIterator } from "../src/core/event-iterator.js";
import {
  AuthenticationError,
  EarshotClient,
  EarshotError,
  type Job,
  LiveConnection,
  type LiveConnectOptions,
  LiveStreamError,
} from "../src/index.js";

/** Runs `fn` with uncaught exceptions collected; a listener of our own also keeps vitest from failing the run. */
async function collectUncaught(fn: () => Promise<void>): Promise<unknown[]> {
  const errors: unknown[] = [];
  const collect = (error: unknown): void => {
    errors.push(error);
  };
  process.on("uncaughtException", collect);
  try {
    await fn();
    // A listener's error is rethrown in a microtask of its own; let those run.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off("uncaughtException", collect);
  }
  return errors;
}

class Probe extends Emitter<{ ping: [number]; other: [] }> {
  /** Emits, then returns, so a test can see the emitting code carried on. */
  fire(n: number): string {
    this.emit("ping", n);
    return "carried on";
  }
  count(): number {
    return this.listenerCount("ping");
  }
}

describe("Emitter", () => {
  it("calls every listener when one throws, lets the emitter carry on, and reports the error as uncaught", async () => {
    const probe = new Probe();
    const seen: string[] = [];
    const boom = new Error("listener bug");
    let result = "";
    const uncaught = await collectUncaught(async () => {
      probe.on("ping", (n) => seen.push(`first ${n}`));
      probe.on("ping", () => {
        throw boom;
      });
      probe.on("ping", (n) => seen.push(`third ${n}`));
      result = probe.fire(1);
      // Reported later, not during the emit.
      expect(seen).toEqual(["first 1", "third 1"]);
    });
    expect(result).toBe("carried on");
    expect(uncaught).toEqual([boom]);
  });

  it("runs a once listener one time, and off removes it before then", () => {
    const probe = new Probe();
    const calls: number[] = [];
    const once = (n: number) => calls.push(n);
    const removed = (n: number) => calls.push(-n);
    probe.once("ping", once).once("ping", removed).off("ping", removed);
    probe.fire(1);
    probe.fire(2);
    expect(calls).toEqual([1]);
    expect(probe.count()).toBe(0);
  });

  it("keeps one registration per listener, and skips a listener removed earlier in the same emit", () => {
    const probe = new Probe();
    const calls: string[] = [];
    const late = () => calls.push("late");
    const twice = () => calls.push("twice");
    probe.on("ping", twice).on("ping", twice);
    probe.on("ping", () => {
      calls.push("remover");
      probe.off("ping", late);
      probe.on("ping", () => calls.push("added during emit"));
    });
    probe.on("ping", late);
    probe.fire(1);
    expect(calls).toEqual(["twice", "remover"]);
    probe.fire(2);
    expect(calls.slice(2)).toEqual(["twice", "remover", "added during emit"]);
  });
});

/** An iterator over a hand-driven source, with the number of listeners it holds. */
function source<T>(options: { maxBuffered?: number } = {}) {
  let sink!: EventSink<T>;
  const state = { attached: 0 };
  const iterator = eventIterator<T>((s) => {
    sink = s;
    state.attached++;
    return () => {
      state.attached--;
    };
  }, options);
  return { iterator, sink, state };
}

describe("eventIterator", () => {
  it("yields what was pushed before and while waiting, in order, then finishes on end()", async () => {
    const { iterator, sink, state } = source<number>();
    sink.push(1);
    sink.push(2);
    const seen: number[] = [];
    const loop = (async () => {
      for await (const n of iterator) seen.push(n);
    })();
    await Promise.resolve();
    sink.push(3);
    sink.end();
    sink.push(4);
    await loop;
    expect(seen).toEqual([1, 2, 3]);
    expect(state.attached).toBe(0);
  });

  it("throws the terminal error after the buffered items, once, then reports done", async () => {
    const { iterator, sink, state } = source<string>();
    const failure = new Error("connection lost");
    sink.push("a");
    sink.end(failure);
    expect(state.attached).toBe(0);
    expect(await iterator.next()).toEqual({ value: "a", done: false });
    await expect(iterator.next()).rejects.toBe(failure);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it("detaches on return() (a break), answers waiting next() calls and drops the buffer", async () => {
    const { iterator, sink, state } = source<number>();
    const seen: number[] = [];
    sink.push(1);
    sink.push(2);
    for await (const n of iterator) {
      seen.push(n);
      break;
    }
    expect(seen).toEqual([1]);
    expect(state.attached).toBe(0);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });

    const second = source<number>();
    const pending = second.iterator.next();
    await second.iterator.return?.();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(second.state.attached).toBe(0);
  });

  it("serves concurrent next() calls in the order they were made", async () => {
    const { iterator, sink } = source<number>();
    const first = iterator.next();
    const second = iterator.next();
    const third = iterator.next();
    sink.push(1);
    sink.push(2);
    sink.end(new Error("gone"));
    expect(await first).toEqual({ value: 1, done: false });
    expect(await second).toEqual({ value: 2, done: false });
    await expect(third).rejects.toThrow("gone");
  });

  it("ends at once, detached, when the source ended while subscribing", async () => {
    let detached = 0;
    const iterator = eventIterator<number>(({ end }) => {
      end();
      return () => detached++;
    });
    expect(detached).toBe(1);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it("with maxBuffered, fails with ITERATOR_OVERFLOW after the buffered items instead of dropping any silently", async () => {
    const { iterator, sink, state } = source<number>({ maxBuffered: 2 });
    sink.push(1);
    sink.push(2);
    sink.push(3);
    expect(state.attached).toBe(0);
    expect((await iterator.next()).value).toBe(1);
    expect((await iterator.next()).value).toBe(2);
    const error = await iterator.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EarshotError);
    expect((error as EarshotError).code).toBe("ITERATOR_OVERFLOW");
  });
});

// A WebSocket server that plays a script per connection, and an HTTP server for jobs, both on loopback.
type Script = (socket: WsSocket, path: string) => void;
let script: Script = () => {};
let httpServer: Server;
let wsServer: WebSocketServer;
let baseUrl: string;
/** Each job status request gets the next answer; the last one repeats. */
let jobAnswers: object[] = [];

beforeAll(async () => {
  httpServer = createServer((request, response) => {
    const answer = jobAnswers.length > 1 ? jobAnswers.shift() : jobAnswers[0];
    if (request.url?.startsWith("/v1/jobs/") && answer) {
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
    } else response.writeHead(404, { "content-type": "text/plain" }).end("no such job");
  });
  wsServer = new WebSocketServer({
    server: httpServer,
    verifyClient: (info, done) =>
      info.req.url?.includes("refuse") ? done(false, 401, "Invalid credentials.") : done(true),
  });
  wsServer.on("connection", (socket, request) => script(socket, new URL(request.url ?? "/", "ws://x").pathname));
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
});

afterEach(() => {
  script = () => {};
  jobAnswers = [];
});

afterAll(async () => {
  for (const socket of wsServer.clients) socket.terminate();
  await new Promise((resolve) => wsServer.close(resolve));
  httpServer.closeAllConnections();
  await new Promise((resolve) => httpServer.close(resolve));
});

const client = () => new EarshotClient({ baseUrl, apiKey: "" });

function results(start: number, transcript: string): LiveResults {
  return {
    type: "Results",
    channel_index: [0, 1],
    duration: 1,
    start,
    is_final: true,
    speech_final: true,
    from_finalize: false,
    channel: { alternatives: [{ transcript, confidence: 0.9, words: [] }] },
    metadata: { request_id: "r", model_info: { name: "m", version: "1", arch: "a" }, model_uuid: "u" },
  };
}

const METADATA = {
  type: "Metadata",
  transaction_key: "deprecated",
  request_id: "r",
  sha256: "00",
  created: "2025-01-01T00:00:00.000Z",
  duration: 2,
  channels: 1,
  models: ["u"],
  model_info: { u: { name: "m", version: "1", arch: "a" } },
};

/** A LiveConnection that can say how many listeners it holds. */
class CountingConnection extends LiveConnection {
  listeners(event: "message" | "close"): number {
    return this.listenerCount(event);
  }
}

const connectCounting = (options: LiveConnectOptions = {}): CountingConnection =>
  new CountingConnection(
    `${baseUrl.replace("http", "ws")}/v1/listen?${LiveConnection.query(options)}`,
    { baseUrl, credential: undefined, headers: {} },
    options,
  );

describe("a live connection over a real WebSocket", () => {
  it("keeps delivering to other listeners and the iterator when a Results listener throws", async () => {
    script = (socket) => {
      socket.send(JSON.stringify(results(0, "one")));
      socket.send(JSON.stringify(results(1, "two")));
      socket.send(JSON.stringify(METADATA));
      socket.close(1000);
    };
    const transcripts: string[] = [];
    const messages: LiveServerMessage[] = [];
    const uncaught = await collectUncaught(async () => {
      const conn = client().listen.v1.connect({ reconnect: false });
      conn.on("Results", () => {
        throw new Error("listener bug");
      });
      conn.on("Results", (r) => transcripts.push(r.channel.alternatives[0]!.transcript));
      for await (const message of conn) messages.push(message);
    });
    expect(transcripts).toEqual(["one", "two"]);
    expect(messages.map((m) => m.type)).toEqual(["Results", "Results", "Metadata"]);
    expect(uncaught.map((e) => (e as Error).message)).toEqual(["listener bug", "listener bug"]);
  });

  it("ends the loop by throwing LiveStreamError when the server closes abnormally", async () => {
    script = (socket) => {
      socket.send(JSON.stringify(results(0, "before")));
      socket.close(1011, "NET-0000");
    };
    const conn = connectCounting({ reconnect: false });
    const messages: LiveServerMessage[] = [];
    const error = await (async () => {
      for await (const message of conn) messages.push(message);
    })().catch((e: unknown) => e);
    expect(messages).toHaveLength(1);
    expect(error).toBeInstanceOf(LiveStreamError);
    expect((error as LiveStreamError).closeCode).toBe(1011);
    expect(conn.listeners("message")).toBe(0);
  });

  it("detaches the iterator's listeners on break", async () => {
    script = (socket) => {
      socket.send(JSON.stringify(results(0, "first")));
      socket.on("message", (data) => {
        if (JSON.parse(String(data)).type === "CloseStream") {
          socket.send(JSON.stringify(METADATA));
          socket.close(1000);
        }
      });
    };
    const conn = connectCounting({ reconnect: false });
    const before = { message: conn.listeners("message"), close: conn.listeners("close") };
    for await (const message of conn) {
      expect(message.type).toBe("Results");
      expect(conn.listeners("message")).toBe(before.message + 1);
      break;
    }
    expect({ message: conn.listeners("message"), close: conn.listeners("close") }).toEqual(before);
    expect((await conn.finish()).duration).toBe(2);
  });
});

describe("a speak socket over a real WebSocket", () => {
  it("yields every audio chunk when an Audio listener throws, and finishes on a normal close", async () => {
    script = (socket) => {
      socket.send(Buffer.from([1, 2]));
      socket.send(Buffer.from([3]));
      socket.close(1000);
    };
    const chunks: number[][] = [];
    let heard = 0;
    const uncaught = await collectUncaught(async () => {
      const socket = client().speak.v1.connect();
      socket.on("Audio", () => {
        throw new Error("player bug");
      });
      socket.on("Audio", () => heard++);
      for await (const chunk of socket) chunks.push([...chunk]);
    });
    expect(chunks).toEqual([[1, 2], [3]]);
    expect(heard).toBe(2);
    expect(uncaught).toHaveLength(2);
  });

  it("throws the refusal from the loop when the handshake is refused", async () => {
    const socket = client().speak.v1.connect({ model: "refuse" });
    const error = await (async () => {
      for await (const _chunk of socket) throw new Error("no audio expected");
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).status).toBe(401);
  });
});

describe("job events", () => {
  it("a throwing listener fails neither status() nor the watcher, and the other listeners still run", async () => {
    const created = "2025-01-01T00:00:00Z";
    const processing = { request_id: "j1", status: "processing", progress: 0.5, created };
    jobAnswers = [
      processing,
      processing,
      { request_id: "j1", status: "done", progress: 1, created, result: { metadata: {}, results: { channels: [] } } },
    ];
    const job: Job = client().jobs.job("j1");
    const fractions: number[] = [];
    let status = "";
    const uncaught = await collectUncaught(async () => {
      // The first listener starts the watcher; its first poll and status() both see "processing", its next "done".
      const done = new Promise((resolve) => job.once("done", resolve));
      job.on("progress", () => {
        throw new Error("progress bar bug");
      });
      job.on("progress", (fraction) => fractions.push(fraction));
      status = (await job.status()).status;
      await done;
    });
    expect(status).toBe("processing");
    expect(fractions).toEqual([0.5, 1]);
    expect(uncaught.map((e) => (e as Error).message)).toEqual(["progress bar bug", "progress bar bug"]);
  });
});
