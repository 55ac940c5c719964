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

/** `POST /predict`'s headers: the async one queues the inference. */
export const OctoAiPredictHeadersSchema = z.object({
  [OCTOAI_ASYNC_HEADER]: z
    .literal("1")
    .optional()
    .describe("`1` queues the inference: the answer is 201 with the future to poll."),
});

export const OctoAiSegmentSchema = z.object({ id: z.number(), start: z.number(), end: z.number(), text: z.string() });
export type OctoAiSegment = z.infer<typeof OctoAiSegmentSchema>;

/** `POST /predict`, or the result of a future. */
export const OctoAiWhisperResponseSchema = z.object({
  transcription: z.string(),
  response: z.object({ segments: z.array(OctoAiSegmentSchema), text: z.string(), language: z.string() }),
});
export type OctoAiWhisperResponse = z.infer<typeof OctoAiWhisperResponseSchema>;

/** `POST /predict` with the async header: 201 and what `InferenceFuture` is built from. */
export const OctoAiFutureSchema = z.object({ response_id: z.string(), poll_url: z.string() });
export type OctoAiFuture = z.infer<typeof OctoAiFutureSchema>;

export const OCTOAI_STATUSES = ["pending", "running", "completed", "failed"] as const;
export type OctoAiStatus = (typeof OCTOAI_STATUSES)[number];

/** `GET poll_url`. `response_url` once completed, `error` once failed. */
export const OctoAiPollSchema = z.object({
  response_id: z.string(),
  status: z.enum(OCTOAI_STATUSES),
  created_at: z.string(),
  completed_at: z.string().nullable(),
  response_url: z.string().optional(),
  error: z.string().optional(),
});
export type OctoAiPoll = z.infer<typeof OctoAiPollSchema>;

export const OctoAiErrorBodySchema = z.object({ detail: z.string() });
export type OctoAiErrorBody = z.infer<typeof OctoAiErrorBodySchema>;

export const OctoAiHealthSchema = z.object({ healthy: z.literal("yes") });
export type OctoAiHealth = z.infer<typeof OctoAiHealthSchema>;
