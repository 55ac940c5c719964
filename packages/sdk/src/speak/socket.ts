/**
 * A live text-to-speech connection (`GET /v1/speak` over WebSocket, speech-apis.md §1.6), usable with
 * callbacks (`on("Audio" | "Metadata" | "Flushed" | "Cleared" | "Warning" | "close" | "error")`) or as an async
 * iterator of audio chunks (`for await (const chunk of socket)`), which ends when the connection closes and
 * throws when it could not be opened.
 *
 * It starts connecting when created; messages sent before it is open are queued and sent in order. Listeners
 * attached in the same tick as `connect()` miss nothing, since no event can arrive before the next task.
 */
import type {
  SpeakCleared,
  SpeakFlushed,
  SpeakMetadata,
  SpeakOptionsInput,
  SpeakServerMessage,
  SpeakWarning,
} from "@earshot/protocol";
import { toQuery } from "@earshot/protocol/core";
import { Emitter } from "../core/emitter.js";
import { APIConnectionError, type APIError } from "../core/errors.js";
import { untilClose } from "../core/socket-parts.js";
import { openWebSocket, type SocketTarget, socketUrl } from "../core/websocket.js";

/** The WebSocket's options: raw audio only (`linear16` default, `mulaw`, `alaw`), `container=none`. */
export type SpeakConnectOptions = Pick<
  SpeakOptionsInput,
  "model" | "encoding" | "sample_rate" | "speed" | "mip_opt_out"
>;

export interface SpeakCloseEvent {
  code: number;
  reason: string;
}

export type SpeakSocketEvents = {
  open: [];
  Metadata: [SpeakMetadata];
  /** A binary frame: raw audio in the connection's encoding and sample rate. */
  Audio: [Uint8Array];
  Flushed: [SpeakFlushed];
  Cleared: [SpeakCleared];
  Warning: [SpeakWarning];
  /** Every JSON message, including types this SDK does not know. */
  message: [SpeakServerMessage];
  error: [Error];
  close: [SpeakCloseEvent];
};

export class SpeakSocket extends Emitter<SpeakSocketEvents> implements AsyncIterable<Uint8Array> {
  /** Resolves once the connection is open; rejects with the refusal (an APIError such as a 400 or 401). */
  readonly opened: Promise<void>;
  /** Resolves when the connection has closed, with its code and reason. */
  readonly closed: Promise<SpeakCloseEvent>;
  /** The server's `Metadata` message, once received. */
  metadata: SpeakMetadata | undefined;

  readonly #pending: string[] = [];
  #socket: WebSocket | undefined;
  #done = false;
  /** Why the connection could not be opened, once it could not. */
  #failure: Error | undefined;

  constructor(target: SocketTarget, options: SpeakConnectOptions = {}) {
    super();
    const url = socketUrl(target.baseUrl, "/v1/speak", toQuery(options));
    let refusal: APIError | undefined;
    let resolveClosed!: (event: SpeakCloseEvent) => void;
    this.closed = new Promise((resolve) => {
      resolveClosed = resolve;
    });
    this.opened = new Promise<void>((resolve, reject) => {
      const fail = (error: Error) => {
        if (this.#done) return;
        this.#done = true;
        this.#failure = error;
        reject(error);
        this.emit("error", error);
        const event = { code: 1006, reason: error.message };
        this.emit("close", event);
        resolveClosed(event);
      };
      openWebSocket(url, target, (error) => {
        refusal = error;
        fail(error);
      }).then((socket) => {
        this.#socket = socket;
        let open = false;
        socket.addEventListener("open", () => {
          open = true;
          for (const message of this.#pending.splice(0)) socket.send(message);
          resolve();
          this.emit("open");
        });
        socket.addEventListener("message", (event: MessageEvent) => this.#onMessage(event.data));
        socket.addEventListener("error", () => {
          if (open && !this.#done) this.emit("error", new APIConnectionError("The speak WebSocket failed."));
        });
        socket.addEventListener("close", (event: CloseEvent) => {
          // A refused handshake has already failed through `onRefused` where the runtime shows the response.
          if (!open) return fail(refusal ?? new APIConnectionError(`WebSocket connection to ${url} failed.`));
          if (this.#done) return;
          this.#done = true;
          const closeEvent = { code: event.code, reason: event.reason };
          this.emit("close", closeEvent);
          resolveClosed(closeEvent);
        });
      }, fail);
    });
    // The promise is for callers who await it; event-style users should not see an unhandled rejection.
    this.opened.catch(() => {});
  }

  /** Append text to the server's buffer; it is spoken at the next `flush()` (or `close()`). */
  sendText(text: string): void {
    this.#send({ type: "Speak", text });
  }

  /** Speak everything sent so far; a `Flushed` message follows its audio. */
  flush(): void {
    this.#send({ type: "Flush" });
  }

  /** Drop text not yet spoken and stop audio in progress; a `Cleared` message confirms. */
  clear(): void {
    this.#send({ type: "Clear" });
  }

  /** Speak what is left, then close; resolves when the server has closed the connection. */
  close(): Promise<SpeakCloseEvent> {
    if (!this.#done) this.#send({ type: "Close" });
    return this.closed;
  }

  /** Audio chunks from now until the connection closes; throws the refusal when it could not be opened. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return untilClose<"Audio", Uint8Array>(this, "Audio", () => ({ closed: this.#done, failure: this.#failure }));
  }

  #send(message: { type: string; text?: string }): void {
    const json = JSON.stringify(message);
    if (this.#socket?.readyState === 1) this.#socket.send(json);
    else if (!this.#done) this.#pending.push(json);
  }

  #onMessage(data: unknown): void {
    if (data instanceof ArrayBuffer) {
      this.emit("Audio", new Uint8Array(data));
      return;
    }
    let message: SpeakServerMessage;
    try {
      message = JSON.parse(String(data)) as SpeakServerMessage;
    } catch {
      this.emit("error", new APIConnectionError("The server sent a text frame that is not JSON."));
      return;
    }
    this.emit("message", message);
    switch (message.type) {
      case "Metadata":
        this.metadata = message;
        this.emit("Metadata", message);
        break;
      case "Flushed":
        this.emit("Flushed", message);
        break;
      case "Cleared":
        this.emit("Cleared", message);
        break;
      case "Warning":
        this.emit("Warning", message);
        break;
    }
  }
}
