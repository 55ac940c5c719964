/**
 * A live transcription connection (`GET /v1/listen` over WebSocket, speech-apis.md §1.4) in both styles over
 * one object: callbacks (`on`/`off`/`once`) and async (`await conn.opened`, `for await (const msg of conn)`,
 * `await conn.finish()`, `readable.pipeTo(conn.audio)`).
 *
 * Reconnection: when the connection drops (a close other than 1000, a bad-audio 1008 or an idle 1011
 * NET-0001), it reconnects with the same options and sends again the audio no final result has covered yet,
 * then shifts the new connection's times so the transcript continues where it was. Finals are never repeated.
 */
import type {
  LiveListenOptionsInput,
  LiveMetadata,
  LiveResults,
  LiveServerMessage,
  SpeechStarted,
  UtteranceEnd,
} from "@earshot/protocol";
import { LiveCloseCode, LiveCloseReason, LiveStreamError, toQuery } from "@earshot/protocol/core";
import { Emitter } from "../core/emitter.js";
import { APIConnectionError, type APIError } from "../core/errors.js";
import { audioSink, type Opened, openedPromise, parseFrame, untilClose } from "../core/socket-parts.js";
import { openWebSocket, type SocketTarget } from "../core/websocket.js";
import { ReplayBuffer } from "./replay.js";

export interface LiveConnectOptions extends LiveListenOptionsInput {
  /**
   * Send `KeepAlive` while no audio is being sent, so a paused stream is not closed after ~10 s. `true` means
   * every 4 s; a number is the interval in ms.
   *
   * @default false
   */
  keepalive?: boolean | number;
  /**
   * Reconnect after a dropped connection and replay unacknowledged audio. `false` disables it.
   *
   * @default { attempts: 5, delayMs: 250 } (the delay doubles per attempt, up to 5 s)
   */
  reconnect?: false | { attempts?: number; delayMs?: number };
  /** Audio kept for replay when its byte rate is unknown (containers), bytes. @default 32 MiB */
  maxReplayBytes?: number;
}

export interface LiveCloseEvent {
  code: number;
  reason: string;
}

export type LiveConnectionEvents = {
  open: [];
  Results: [LiveResults];
  Metadata: [LiveMetadata];
  UtteranceEnd: [UtteranceEnd];
  SpeechStarted: [SpeechStarted];
  /** Every server message, including types this SDK does not know. */
  message: [LiveServerMessage];
  /** The connection dropped and is being re-established (attempt counts from 1). */
  reconnecting: [{ attempt: number; code: number }];
  error: [Error];
  close: [LiveCloseEvent];
};

const round = (n: number): number => Math.round(n * 1000) / 1000;

export class LiveConnection extends Emitter<LiveConnectionEvents> implements AsyncIterable<LiveServerMessage> {
  /** Resolves when the first connection is open; rejects with the handshake's error (e.g. a 401 or 429). */
  readonly opened: Promise<void>;
  /** A sink for audio: `readable.pipeTo(conn.audio)` streams it and finishes the stream when the readable ends. */
  readonly audio: WritableStream<Uint8Array>;

  readonly #url: string;
  readonly #target: SocketTarget;
  readonly #options: LiveConnectOptions;
  readonly #replay: ReplayBuffer;
  #socket: WebSocket | undefined;
  #state: "connecting" | "open" | "finishing" | "closed" = "connecting";
  #everOpened = false;
  /** Frames sent before the first open, in order. */
  #outbox: (Uint8Array | string)[] = [];
  #attempt = 0;
  /** Added to the times of the current connection's messages: where its audio starts in the whole stream. */
  #offset = 0;
  /** End of the last final result, stream time: results up to here are never emitted again. */
  #acked = 0;
  #lastSent = 0;
  #reconnected = false;
  #keepalive: ReturnType<typeof setInterval> | undefined;
  #metadata: LiveMetadata | undefined;
  #closeEvent: LiveCloseEvent | undefined;
  #failure: Error | undefined;
  readonly #opened: Opened;

  constructor(url: string, target: SocketTarget, options: LiveConnectOptions = {}) {
    super();
    this.#url = url;
    this.#target = target;
    this.#options = options;
    this.#replay = new ReplayBuffer(options, options.maxReplayBytes ?? 32 * 1024 * 1024);
    this.#opened = openedPromise();
    this.opened = this.#opened.promise;
    this.audio = audioSink({
      send: (chunk) => this.send(chunk),
      backlog: () => (this.#state === "closed" ? 0 : (this.#socket?.bufferedAmount ?? 0)),
      finish: () => this.finish(),
      close: () => this.close(),
    });
    const interval = options.keepalive === true ? 4000 : options.keepalive || 0;
    if (interval > 0) {
      this.#keepalive = setInterval(() => {
        if (Date.now() - this.#lastSent >= interval * 0.9) this.keepAlive();
      }, interval);
    }
    void this.#connect();
  }

  /** Send audio: raw samples per `encoding`, or a container stream's bytes in order. */
  send(chunk: Uint8Array | ArrayBuffer): void {
    if (this.#state === "closed" || this.#state === "finishing") return;
    const bytes = chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk);
    if (bytes.byteLength === 0) return;
    this.#replay.push(bytes);
    this.#sendFrame(bytes);
  }

  /** Keep an idle connection open (the server closes after ~10 s without audio or text). */
  keepAlive(): void {
    this.#sendFrame(JSON.stringify({ type: "KeepAlive" }));
  }

  /** Ask for final results for all audio sent so far; they arrive with `from_finalize: true`. */
  finalize(): void {
    this.#sendFrame(JSON.stringify({ type: "Finalize" }));
  }

  /** Send `CloseStream` and resolve with the final `Metadata` once the server has sent everything. */
  finish(): Promise<LiveMetadata> {
    const done = new Promise<LiveMetadata>((resolve, reject) => {
      if (this.#metadata) return resolve(this.#metadata);
      if (this.#state === "closed") return reject(this.#failure ?? new Error("The connection is closed."));
      this.once("Metadata", resolve);
      this.once("close", () => reject(this.#failure ?? new Error("The connection closed without Metadata.")));
    });
    if (this.#state === "open" || this.#state === "connecting") {
      this.#sendFrame(JSON.stringify({ type: "CloseStream" }));
      this.#state = "finishing";
    }
    return done;
  }

  /** Close at once, without waiting for final results. */
  close(): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    clearInterval(this.#keepalive);
    this.#socket?.close(1000);
  }

  /** Every server message from now until the connection closes; throws the failure when it did not end normally. */
  [Symbol.asyncIterator](): AsyncIterableIterator<LiveServerMessage> {
    return untilClose<"message", LiveServerMessage>(this, "message", () => ({
      closed: this.#state === "closed",
      failure: this.#failure,
    }));
  }

  #sendFrame(frame: Uint8Array | string): void {
    if (this.#state === "closed") return;
    this.#lastSent = Date.now();
    if (this.#socket?.readyState === 1 && this.#everOpened && this.#state !== "connecting") this.#socket.send(frame);
    else if (!this.#everOpened) this.#outbox.push(frame);
    // While reconnecting, audio waits in the replay buffer and control frames are re-sent on open.
  }

  async #connect(): Promise<void> {
    let refused: APIError | undefined;
    let socket: WebSocket;
    try {
      socket = await openWebSocket(this.#url, this.#target, (error) => {
        refused = error;
      });
    } catch (err) {
      this.#fail(new APIConnectionError(`WebSocket unavailable: ${String(err)}`, { cause: err }));
      return;
    }
    this.#socket = socket;
    socket.addEventListener("open", () => this.#onOpen());
    socket.addEventListener("message", (event) => this.#onMessage(event.data));
    socket.addEventListener("error", () => {
      // The close event that follows carries the outcome.
    });
    socket.addEventListener("close", (event) => this.#onClose(event.code, event.reason, refused));
  }

  #onOpen(): void {
    const finishing = this.#state === "finishing";
    if (!this.#everOpened) {
      this.#everOpened = true;
      this.#state = finishing ? "finishing" : "open";
      for (const frame of this.#outbox) this.#socket!.send(frame);
      this.#outbox = [];
      this.#opened.resolve();
      this.emit("open");
      return;
    }
    // Reconnected: resend what no final covered, then a pending CloseStream.
    this.#attempt = 0;
    this.#reconnected = true;
    const replay = this.#replay.replay();
    this.#offset = replay.offset;
    for (const chunk of replay.chunks) this.#socket!.send(chunk);
    if (finishing) this.#socket!.send(JSON.stringify({ type: "CloseStream" }));
    else this.#state = "open";
  }

  #onMessage(data: unknown): void {
    const message = parseFrame<LiveServerMessage>(data);
    const shifted = message && this.#shift(message);
    if (!shifted) return;
    if (shifted.type === "Results" && shifted.is_final) {
      this.#acked = Math.max(this.#acked, shifted.start + shifted.duration);
      this.#replay.ack(this.#acked);
    }
    if (shifted.type === "Metadata") this.#metadata = shifted;
    this.emit("message", shifted);
    switch (shifted.type) {
      case "Results":
        this.emit("Results", shifted);
        break;
      case "Metadata":
        this.emit("Metadata", shifted);
        break;
      case "UtteranceEnd":
        this.emit("UtteranceEnd", shifted);
        break;
      case "SpeechStarted":
        this.emit("SpeechStarted", shifted);
        break;
    }
  }

  /** Moves a reconnected session's times onto the whole stream's timeline; drops what was already final. */
  #shift(message: LiveServerMessage): LiveServerMessage | undefined {
    if (!this.#reconnected) return message;
    const offset = this.#offset;
    switch (message.type) {
      case "Results": {
        const start = round(message.start + offset);
        const alternatives = message.channel.alternatives.map((alt) => {
          const words = alt.words
            .map((w) => ({ ...w, start: round(w.start + offset), end: round(w.end + offset) }))
            .filter((w) => w.end > this.#acked + 0.001);
          return { ...alt, words, transcript: words.map((w) => w.punctuated_word ?? w.word).join(" ") };
        });
        if (start + message.duration <= this.#acked + 0.001) return undefined;
        return { ...message, start, channel: { ...message.channel, alternatives } };
      }
      case "Metadata":
        return { ...message, duration: round(message.duration + offset) };
      case "UtteranceEnd":
        return { ...message, last_word_end: round(message.last_word_end + offset) };
      case "SpeechStarted":
        return { ...message, timestamp: round(message.timestamp + offset) };
      default:
        return message;
    }
  }

  #onClose(code: number, reason: string, refused: APIError | undefined): void {
    this.#socket = undefined;
    if (this.#state === "closed") {
      this.#end({ code, reason });
      return;
    }
    if (!this.#everOpened) {
      const error =
        refused ??
        new APIConnectionError(`Could not open the WebSocket to ${this.#url.split("?")[0]} (close ${code}).`);
      this.#fail(error, { code, reason });
      return;
    }
    if (code === LiveCloseCode.Normal) {
      this.#end({ code, reason });
      return;
    }
    const reconnect = this.#options.reconnect === false ? undefined : (this.#options.reconnect ?? {});
    const attempts = reconnect?.attempts ?? 5;
    const canRetry =
      reconnect &&
      this.#replay.usable &&
      code !== LiveCloseCode.UndecodableAudio &&
      reason !== LiveCloseReason.IdleTimeout &&
      this.#attempt < attempts;
    if (canRetry) {
      this.#attempt++;
      this.#state = this.#state === "finishing" ? "finishing" : "connecting";
      this.emit("reconnecting", { attempt: this.#attempt, code });
      const delay = Math.min(5000, (reconnect.delayMs ?? 250) * 2 ** (this.#attempt - 1));
      setTimeout(() => void this.#connect(), delay);
      return;
    }
    this.#fail(new LiveStreamError(code, reason || "CLOSED", `The live connection closed (${code} ${reason}).`), {
      code,
      reason,
    });
  }

  #fail(error: Error, close: LiveCloseEvent = { code: 1006, reason: "" }): void {
    this.#failure = error;
    if (!this.#everOpened) this.#opened.reject(error);
    if (this.listenerCount("error") > 0) this.emit("error", error);
    this.#end(close);
  }

  #end(close: LiveCloseEvent): void {
    if (this.#closeEvent) return;
    this.#state = "closed";
    clearInterval(this.#keepalive);
    this.#closeEvent = close;
    this.emit("close", close);
  }

  /** The URL's query string carries the stream options (not the SDK-only ones). */
  static query(options: LiveConnectOptions): URLSearchParams {
    const { keepalive: _k, reconnect: _r, maxReplayBytes: _m, ...query } = options;
    return toQuery(query);
  }
}
