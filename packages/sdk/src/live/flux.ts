/**
 * A Flux connection (`GET /v2/listen` over WebSocket): turn-based live transcription for voice agents, at the
 * same place in the client tree as Deepgram's v5 SDK, `client.listen.v2.connect`. Audio goes in; `TurnInfo`
 * messages come out, also emitted under their event's name (`StartOfTurn`, `Update`, `EagerEndOfTurn`,
 * `TurnResumed`, `EndOfTurn`). Both styles work on one object: callbacks, and `await conn.opened`,
 * `for await (const msg of conn)`, `readable.pipeTo(conn.audio)`.
 *
 * There is no reconnection: a turn cannot be resumed on another connection. A server `Error` message and any
 * close other than the normal ones (1000, or no status after `finish`) end the connection with an error.
 */
import type {
  FluxConfigure,
  FluxConfigureFailure,
  FluxConfigureSuccess,
  FluxConnected,
  FluxListenOptionsInput,
  FluxServerMessage,
  FluxTurnInfo,
} from "@earshot/protocol";
import { LiveStreamError, toQuery } from "@earshot/protocol/core";
import { Emitter } from "../core/emitter.js";
import { APIConnectionError, type APIError } from "../core/errors.js";
import { audioSink, type Opened, openedPromise, parseFrame, untilClose } from "../core/socket-parts.js";
import { openWebSocket, type SocketTarget, socketUrl } from "../core/websocket.js";
import type { LiveCloseEvent } from "./connection.js";

/** Flux's query options; `model` defaults to `flux-general-en`. */
export type FluxConnectOptions = Partial<FluxListenOptionsInput>;

export type FluxConnectionEvents = {
  open: [];
  Connected: [FluxConnected];
  TurnInfo: [FluxTurnInfo];
  StartOfTurn: [FluxTurnInfo];
  Update: [FluxTurnInfo];
  EagerEndOfTurn: [FluxTurnInfo];
  TurnResumed: [FluxTurnInfo];
  EndOfTurn: [FluxTurnInfo];
  ConfigureSuccess: [FluxConfigureSuccess];
  ConfigureFailure: [FluxConfigureFailure];
  /** Every server message, including types this SDK does not know. */
  message: [FluxServerMessage];
  error: [Error];
  close: [LiveCloseEvent];
};

/** The close Flux ends with after `CloseStream`: no status. */
const NO_STATUS = 1005;

export class FluxConnection extends Emitter<FluxConnectionEvents> implements AsyncIterable<FluxServerMessage> {
  /** Resolves when the connection is open; rejects with the handshake's error (e.g. a 401 or 429). */
  readonly opened: Promise<void>;
  /** A sink for audio: `readable.pipeTo(conn.audio)` streams it and finishes when the readable ends. */
  readonly audio: WritableStream<Uint8Array>;

  #socket: WebSocket | undefined;
  #state: "connecting" | "open" | "finishing" | "closed" = "connecting";
  #everOpened = false;
  /** The server's `Error` message: the close that follows ends the connection with it. */
  #serverError: { code: string; description: string } | undefined;
  /** Frames sent before the socket opened, in order. */
  #outbox: (Uint8Array | string)[] = [];
  #failure: Error | undefined;
  readonly #opened: Opened;

  constructor(target: SocketTarget, options: FluxConnectOptions = {}) {
    super();
    this.#opened = openedPromise();
    this.opened = this.#opened.promise;
    this.audio = audioSink({
      send: (chunk) => this.send(chunk),
      backlog: () => (this.#state === "closed" ? 0 : (this.#socket?.bufferedAmount ?? 0)),
      finish: () => this.finish(),
      close: () => this.close(),
    });
    const query = toQuery({ model: "flux-general-en", ...options });
    void this.#connect(socketUrl(target.baseUrl, "/v2/listen", query), target);
  }

  /** Send audio: raw samples per `encoding`, or a container stream's bytes in order. */
  send(chunk: Uint8Array | ArrayBuffer): void {
    const bytes = chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk);
    if (bytes.byteLength > 0 && this.#state !== "finishing") this.#sendFrame(bytes);
  }

  /** Change thresholds or keyterms mid-stream; the answer is a `ConfigureSuccess` or `ConfigureFailure` event. */
  configure(settings: Omit<FluxConfigure, "type">): void {
    this.#sendFrame(JSON.stringify({ type: "Configure", ...settings }));
  }

  /** End the current turn now: its `EndOfTurn` comes with `trigger: "manual"`. */
  forceEndTurn(): void {
    this.#sendFrame(JSON.stringify({ type: "ForceEndTurn" }));
  }

  /** Keep an idle connection open (the server closes after ~10 s without audio or messages). */
  keepAlive(): void {
    this.#sendFrame(JSON.stringify({ type: "KeepAlive" }));
  }

  /** Send `CloseStream`: the server decodes what it has, sends its last `Update`s and closes; resolves then. */
  finish(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      if (this.#state === "closed") return this.#failure ? reject(this.#failure) : resolve();
      this.once("close", () => (this.#failure ? reject(this.#failure) : resolve()));
    });
    if (this.#state === "open" || this.#state === "connecting") {
      this.#sendFrame(JSON.stringify({ type: "CloseStream" }));
      this.#state = "finishing";
    }
    return done;
  }

  /** Close at once. */
  close(): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#socket?.close(1000);
  }

  /** Every server message until the connection closes; throws the failure when it did not end normally. */
  [Symbol.asyncIterator](): AsyncIterableIterator<FluxServerMessage> {
    return untilClose<"message", FluxServerMessage>(this, "message", () => ({
      closed: this.#state === "closed",
      failure: this.#failure,
    }));
  }

  #sendFrame(frame: Uint8Array | string): void {
    if (this.#state === "closed") return;
    if (this.#socket?.readyState === 1) this.#socket.send(frame);
    else this.#outbox.push(frame);
  }

  async #connect(url: string, target: SocketTarget): Promise<void> {
    let refused: APIError | undefined;
    try {
      this.#socket = await openWebSocket(url, target, (error) => {
        refused = error;
      });
    } catch (err) {
      this.#end(
        { code: 1006, reason: "" },
        new APIConnectionError(`WebSocket unavailable: ${String(err)}`, { cause: err }),
      );
      return;
    }
    const socket = this.#socket;
    socket.addEventListener("open", () => {
      this.#everOpened = true;
      if (this.#state === "connecting") this.#state = "open";
      for (const frame of this.#outbox) socket.send(frame);
      this.#outbox = [];
      this.#opened.resolve();
      this.emit("open");
    });
    socket.addEventListener("message", (event) => this.#onMessage(event.data));
    socket.addEventListener("error", () => {
      // The close event that follows carries the outcome.
    });
    socket.addEventListener("close", (event) => this.#onClose(event.code, event.reason, refused));
  }

  #onMessage(data: unknown): void {
    const message = parseFrame<FluxServerMessage>(data);
    if (!message) return;
    this.emit("message", message);
    switch (message.type) {
      case "Connected":
        this.emit("Connected", message);
        break;
      case "TurnInfo":
        this.emit("TurnInfo", message);
        this.emit(message.event, message);
        break;
      case "ConfigureSuccess":
        this.emit("ConfigureSuccess", message);
        break;
      case "ConfigureFailure":
        this.emit("ConfigureFailure", message);
        break;
      case "Error":
        this.#serverError = message;
        break;
    }
  }

  #onClose(code: number, reason: string, refused: APIError | undefined): void {
    this.#socket = undefined;
    const normal = code === 1000 || (code === NO_STATUS && this.#state === "finishing") || this.#state === "closed";
    const server = this.#serverError;
    const failure = !this.#everOpened
      ? (refused ?? new APIConnectionError(`Could not open the WebSocket to /v2/listen (close ${code}).`))
      : server
        ? new LiveStreamError(code, server.code, `Flux error ${server.code}: ${server.description}`)
        : normal
          ? undefined
          : new LiveStreamError(code, reason || "CLOSED", `The Flux connection closed (${code} ${reason}).`);
    this.#end({ code, reason }, failure);
  }

  #end(close: LiveCloseEvent, failure: Error | undefined): void {
    this.#state = "closed";
    this.#failure = failure;
    if (failure) {
      this.#opened.reject(failure);
      if (this.listenerCount("error") > 0) this.emit("error", failure);
    }
    this.emit("close", close);
  }
}
