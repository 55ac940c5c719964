/**
 * Pieces the SDK's socket clients (live listen, Flux, speak) share: the `opened` promise, an audio sink with
 * backpressure, JSON text frames, and an object's events as an async iterator that ends when it closes.
 */
import type { Listener } from "./emitter.js";
import { eventIterator } from "./event-iterator.js";

export interface Opened {
  promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

/** A promise for the first open; unobserved, a failed handshake is not an unhandled rejection (it is an event). */
export function openedPromise(): Opened {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** Buffered-but-unsent bytes above which writes to an audio sink wait. */
const SEND_HIGH_WATER = 1024 * 1024;

/**
 * `readable.pipeTo(conn.audio)`: each chunk is sent, and a write waits while the socket holds more than it
 * should; the readable's end finishes the stream, an abort closes it.
 */
export function audioSink(connection: {
  send(chunk: Uint8Array): void;
  /** Bytes queued on the socket, 0 once it is closed. */
  backlog(): number;
  finish(): Promise<unknown>;
  close(): unknown;
}): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    write: async (chunk) => {
      connection.send(chunk);
      while (connection.backlog() > SEND_HIGH_WATER) await new Promise((resolve) => setTimeout(resolve, 20));
    },
    close: async () => {
      await connection.finish();
    },
    abort: () => {
      connection.close();
    },
  });
}

/** A text frame's JSON, or undefined for binary frames and text that is not JSON. */
export function parseFrame<T>(data: unknown): T | undefined {
  if (typeof data !== "string") return undefined;
  try {
    return JSON.parse(data) as T;
  } catch {
    return undefined;
  }
}

interface ClosingSource<K extends string, T> {
  on(event: K, listener: Listener<[T]>): unknown;
  on(event: "close", listener: Listener<[]>): unknown;
  off(event: K, listener: Listener<[T]>): unknown;
  off(event: "close", listener: Listener<[]>): unknown;
}

/**
 * The `event`s of `source` from now until it closes, as an async iterator; it throws `state().failure` at the
 * end when the source failed.
 */
export function untilClose<K extends string, T>(
  source: ClosingSource<K, T>,
  event: K,
  state: () => { closed: boolean; failure: Error | undefined },
): AsyncIterableIterator<T> {
  return eventIterator<T>(({ push, end }) => {
    const onClose = (): void => end(state().failure);
    source.on(event, push);
    source.on("close", onClose);
    if (state().closed) end(state().failure);
    return () => {
      source.off(event, push);
      source.off("close", onClose);
    };
  });
}
