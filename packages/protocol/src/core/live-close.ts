/** How a live session ends: WebSocket close codes and reasons, and the error that carries them. Free of zod. */
import { EarshotError, type EarshotErrorOptions } from "./errors.js";

/**
 * How a live session ends. The code is the WebSocket close code, the reason is the close frame's payload.
 *
 * | code | reason               | when                                                                           |
 * |------|----------------------|--------------------------------------------------------------------------------|
 * | 1000 | (empty)              | after `CloseStream` (or a zero-length frame), once the last `Results` and `Metadata` are out |
 * | 1008 | `DATA-0000`          | the audio cannot be decoded (unknown container, corrupt stream, bad encoding)  |
 * | 1011 | `NET-0001`           | no audio and no text frame from the client for the idle timeout (~10 s)        |
 * | 1011 | `NET-0000`           | the server failed while processing the stream (engine worker lost)            |
 * | 1001 | `SERVER-SHUTDOWN`    | the server is shutting down                                                    |
 *
 * Only 1000 is a normal end. Deepgram's SDKs reconnect on every other code unless told not to.
 */
export const LiveCloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  UndecodableAudio: 1008,
  ServerError: 1011,
} as const;

export const LiveCloseReason = {
  UndecodableAudio: "DATA-0000",
  ServerError: "NET-0000",
  IdleTimeout: "NET-0001",
  Shutdown: "SERVER-SHUTDOWN",
} as const;

/** A live session that ended other than normally; carries the close code and reason it ended with. */
export class LiveStreamError extends EarshotError {
  override name = "LiveStreamError";
  readonly closeCode: number;
  readonly closeReason: string;

  constructor(closeCode: number, closeReason: string, message: string, options?: EarshotErrorOptions) {
    super(closeCode === LiveCloseCode.UndecodableAudio ? 400 : 500, closeReason, message, options);
    this.closeCode = closeCode;
    this.closeReason = closeReason;
  }
}
