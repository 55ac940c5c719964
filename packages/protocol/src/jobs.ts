/**
 * Earshot extension: transcription jobs (`/v1/jobs`). A job is audio plus Deepgram `/v1/listen` options; when it
 * is done its `result` is exactly the response `POST /v1/listen` would have returned. Callback-mode listen
 * requests, Gladia and AssemblyAI transcripts and OctoAI-style futures are jobs too, so they show up here as well.
 */
import { z } from "zod";
import { ErrorBodySchema } from "./errors.js";
import { ListenResponseSchema } from "./listen/response.js";

export const JOB_STATUSES = ["queued", "processing", "done", "error"] as const;
export const JobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatusSchema>;

/** Which API created the job; it decides the callback body and the view the job is read through. */
export const JobKindSchema = z.enum(["jobs", "listen", "gladia", "assemblyai", "octoai"]);
export type JobKind = z.infer<typeof JobKindSchema>;

/** One attempt at delivering a callback. */
export const CallbackAttemptSchema = z.object({
  attempt: z.number().int(),
  at: z.string(),
  /** HTTP status the receiver answered, when it answered. */
  status_code: z.number().int().nullable(),
  /** Why the attempt failed (connection error, non-2xx), null when it was accepted. */
  error: z.string().nullable(),
});
export type CallbackAttempt = z.infer<typeof CallbackAttemptSchema>;

export const CallbackStateSchema = z.enum(["pending", "delivered", "failed"]);
export type CallbackState = z.infer<typeof CallbackStateSchema>;

export const JobCallbackSchema = z.object({
  url: z.string(),
  method: z.enum(["POST", "PUT"]),
  /** `pending` until the job ends and a delivery is accepted (`delivered`) or every retry failed (`failed`). */
  state: CallbackStateSchema,
  attempts: z.array(CallbackAttemptSchema),
});
export type JobCallback = z.infer<typeof JobCallbackSchema>;

/** `GET /v1/jobs/{id}`. `result` is present once `status` is `done`, `error` once it is `error`. */
export const JobSchema = z.object({
  request_id: z.string(),
  kind: JobKindSchema,
  status: JobStatusSchema,
  /** Fraction of the audio transcribed, 0 → 1. */
  progress: z.number(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  /** When the audio and the result will be deleted (set once the job ends). */
  expires_at: z.string().nullable(),
  /** Times a worker has started this job; a crash mid-job makes another attempt, up to `max_attempts`. */
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  /** The query options the job was submitted with. */
  options: z.record(z.string(), z.unknown()),
  source: z.object({ type: z.enum(["upload", "url"]), url: z.string().nullable(), size: z.number().nullable() }),
  callback: JobCallbackSchema.nullable(),
  error: ErrorBodySchema.extend({ status: z.number().int() }).nullable(),
  result: ListenResponseSchema.optional(),
});
export type Job = z.infer<typeof JobSchema>;

/** `POST /v1/jobs` → 202. */
export const JobAcceptedResponseSchema = z.object({ request_id: z.string(), status_url: z.string() });
export type JobAcceptedResponse = z.infer<typeof JobAcceptedResponseSchema>;

/** A list route's `offset`: a row count the stores can take (SQLite's integers end at 2^63, JavaScript's at 2^53). */
export const ListOffsetSchema = z.coerce.number().int().min(0).max(2_147_483_647).default(0);

/** `GET /v1/jobs?status=&limit=&offset=`: newest first, without results. */
export const JobListResponseSchema = z.object({
  jobs: z.array(JobSchema.omit({ result: true })),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  /** Offset of the next page, null on the last one. */
  next_offset: z.number().int().nullable(),
});
export type JobListResponse = z.infer<typeof JobListResponseSchema>;
export type JobSummary = JobListResponse["jobs"][number];

export const JobListQuerySchema = z.object({
  status: z
    .preprocess((v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]), z.array(JobStatusSchema))
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: ListOffsetSchema,
});
export type JobListQuery = z.input<typeof JobListQuerySchema>;

/** `DELETE /v1/jobs/{id}`. */
export const JobDeletedResponseSchema = z.object({
  request_id: z.string(),
  deleted: z.literal(true),
  /** The status the job had: `queued`/`processing` means it was cancelled. */
  previous_status: JobStatusSchema,
});
export type JobDeletedResponse = z.infer<typeof JobDeletedResponseSchema>;

export const isTerminal = (status: JobStatus): boolean => status === "done" || status === "error";
