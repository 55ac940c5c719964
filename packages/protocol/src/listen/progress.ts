/**
 * Earshot extension: progress while a pre-recorded request runs. A client that sends
 * `Accept: application/x-ndjson` to `POST /v1/listen` receives one JSON object per line — `progress` events,
 * then exactly one `result` or `error` — instead of a single JSON body. Deepgram clients never ask for it.
 */
import type { ErrorBody } from "../errors.js";
import type { ListenResponse } from "./response.js";

export const PROGRESS_MEDIA_TYPE = "application/x-ndjson";

export type ListenProgressEvent =
  | { type: "progress" /** Fraction of the speech decoded, 0 → 1. */; fraction: number }
  | { type: "result"; result: ListenResponse }
  | { type: "error"; status: number; error: ErrorBody };
