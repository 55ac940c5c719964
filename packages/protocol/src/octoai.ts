/**
 * OctoAI's Whisper endpoint and its asynchronous inference, as OctoAI's SDKs spoke them (the service closed in
 * 2024; code written against it remains). Reconstructed from public sources:
 * - the Python SDK's `octoai.client.Client`: `infer` posts JSON to the endpoint URL and wants 200;
 *   `infer_async` posts the same with `X-OctoAI-Async: 1` and builds an `InferenceFuture(response_id,
 *   poll_url)` from any status below 400; `is_future_ready` GETs `poll_url` and checks `status == "completed"`;
 *   `get_future_result` then GETs the poll answer's `response_url`; `health_check` GETs a URL until it is 200
 *   (retrying 5xx, giving up on 4xx). Errors are raised with the status and the body text.
 * - OctoAI's Whisper template examples: inputs `{"audio": <base64 file>, "language": "en", "task":
 *   "transcribe"}`, outputs read as `outputs["transcription"]` and `outputs["response"]["segments"][0]["text"]`;
 *   the template servers answer `GET /healthcheck` with `{"healthy": "yes"}` and infer at `POST /predict`.
 * - JavaScript callers of the async API: 201 on submission with `response_id` and `poll_url`, polling at
 *   `…/v1/requests/{id}`, results at `…/v1/responses/{id}`; error bodies carry `detail`.
 * Poll statuses are OctoAI's `pending`, `running`, `completed` and `failed`; results were kept 24 hours.
 */
import { z } from "zod";

/** The header OctoAI's clients send to queue an inference instead of waiting for it. */
export const OCTOAI_ASYNC_HEADER = "x-octoai-async";

export const OctoAiWhisperRequestSchema = z.looseObject({
  /** The audio file, base64 (with or without a `data:` URL prefix). */
  audio: z.string().min(1),
  language: z.string().min(1).nullish(),
  task: z.enum(["transcribe", "translate"]).default("transcribe"),
});
export type OctoAiWhisperRequest = z.output<typeof OctoAiWhisperRequestSchema>;

export interface OctoAiSegment {
  id: number;
  start: number;
  end: number;
  text: string;
}

/** `POST /predict`, or the result of a future. */
export interface OctoAiWhisperResponse {
  transcription: string;
  response: { segments: OctoAiSegment[]; text: string; language: string };
}

/** `POST /predict` with the async header: 201 and what `InferenceFuture` is built from. */
export interface OctoAiFuture {
  response_id: string;
  poll_url: string;
}

export const OCTOAI_STATUSES = ["pending", "running", "completed", "failed"] as const;
export type OctoAiStatus = (typeof OCTOAI_STATUSES)[number];

/** `GET poll_url`. `response_url` once completed, `error` once failed. */
export interface OctoAiPoll {
  response_id: string;
  status: OctoAiStatus;
  created_at: string;
  completed_at: string | null;
  response_url?: string;
  error?: string;
}

export interface OctoAiErrorBody {
  detail: string;
}

export interface OctoAiHealth {
  healthy: "yes";
}
