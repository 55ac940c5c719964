/**
 * One live WebSocket over a {@link LiveContext}'s stream, whatever the protocol on top: binary frames are audio
 * (a zero-length one, the legacy "close stream"), text frames go to the protocol, replies go out as JSON. A
 * client that sends faster than the engine decodes is paused at the socket (TCP backpressure) rather than
 * buffered without bound or dropped; a client silent for the idle timeout is told so by the protocol.
 *
 * Idle means no audio worth decoding, not no bytes: a client sending a few bytes every second (a trickle that
 * decodes to milliseconds) would otherwise hold a stream slot, and its decoder, for ever. Text frames
 * (KeepAlive) count, as Deepgram's protocol says they do.
 */
import type { LiveSummary } from "@earshot/engine";
import type { FastifyBaseLogger } from "fastify";
import type { RawData, WebSocket } from "ws";
import type { LiveContext } from "./stream.js";

export interface LiveSocketHooks {
  /** A text frame from the client (a control message, JSON). */
  control(text: string): void;
  /** The legacy "close stream": a zero-length binary frame. */
  closeStream(): void;
  /** No audio and no text for the idle timeout, and nothing left to decode: the protocol ends the session. */
  idle(): void;
}

/** Audio decoded within one idle timeout that keeps a stream alive, seconds. */
const MIN_ACTIVE_AUDIO_S = 0.1;

export class LiveSocket {
  state: "open" | "closing" | "closed" = "open";
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** The stream's decoded seconds when the idle clock last restarted. */
  private decodedAtTouch = 0;
  private paused = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly context: LiveContext,
    private readonly options: { idleTimeoutMs: number; log: FastifyBaseLogger },
    private readonly hooks: LiveSocketHooks,
  ) {
    context.attached = true;
    context.sink.drain = () => {
      this.paused = false;
      ws.resume();
    };
    ws.on("message", (data: RawData, isBinary: boolean) => this.receive(data, isBinary));
    ws.on("close", () => {
      clearTimeout(this.idleTimer);
      if (this.state !== "closed") context.stream.abort();
      this.state = "closed";
    });
    ws.on("error", (err) => options.log.warn({ err }, "live socket error"));
    this.touch();
  }

  send(message: object): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(message));
  }

  /** Closes the socket; without a code, the close frame carries no status (the client sees 1005). */
  close(code?: number, reason = ""): void {
    this.state = "closed";
    clearTimeout(this.idleTimer);
    // A socket paused for backpressure would never read the client's answering close frame (a stream whose
    // decoder died with a frame half-written never drains): the handshake would wait for ws's 30 s timeout.
    // What arrives from now on is read and dropped (`receive` ignores a closed socket).
    if (this.paused) {
      this.paused = false;
      this.ws.resume();
    }
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) {
      if (code === undefined) this.ws.close();
      else this.ws.close(code, reason);
    }
  }

  /** The client is done sending: decode what is queued, then hand the stream's summary to `done`. */
  finish(done: (summary: LiveSummary) => void): void {
    if (this.state !== "open") return;
    this.state = "closing";
    clearTimeout(this.idleTimer);
    this.context.stream
      .close()
      .then(done)
      // A failure reaches the sink's error handler, which closes the socket.
      .catch(() => {});
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    this.decodedAtTouch = this.context.decodedSeconds;
    this.idleTimer = setTimeout(() => {
      // Audio still queued or a paused socket means the server, not the client, is the slow side.
      if (this.paused || this.context.stream.busy) return this.touch();
      if (this.context.decodedSeconds - this.decodedAtTouch >= MIN_ACTIVE_AUDIO_S) return this.touch();
      this.context.stream.abort();
      this.hooks.idle();
    }, this.options.idleTimeoutMs);
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (this.state !== "open") return;
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    // A zero-length binary frame is the legacy way to say CloseStream.
    if (!isBinary) {
      this.touch();
      this.hooks.control(bytes.toString("utf8"));
    } else if (bytes.byteLength === 0) this.hooks.closeStream();
    else if (!this.context.stream.write(bytes)) {
      this.paused = true;
      this.ws.pause();
    }
  }
}
