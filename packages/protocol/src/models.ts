/** `GET /v1/models` (Deepgram's shape: `stt` and `tts` lists) and `GET /v1/status`. */
import { z } from "zod";
import type { TtsModel } from "./speak/models.js";

/** What every `GET /v1/models` entry carries, speech recognition or voice. */
export const ModelBaseSchema = z.object({
  name: z.string(),
  canonical_name: z.string(),
  architecture: z.string(),
  languages: z.array(z.string()),
  version: z.string(),
  uuid: z.string(),
  /**
   * Set when the entry was asked for by another name (`GET /v1/models/nova-3`): the name asked for, which this
   * model serves the way a request's `model` option would be served.
   */
  alias_of: z.string().optional(),
});
export type ModelBase = z.infer<typeof ModelBaseSchema>;

/** What a speech model does beyond timed words, so a client can tell before it asks (Earshot's own field). */
export const SttCapabilitiesSchema = z.object({
  streaming: z.boolean(),
  word_timings: z.boolean(),
  /** Punctuation and casing (`punctuated_word`). */
  punctuation: z.boolean(),
  diarization: z.boolean(),
  language_detection: z.boolean(),
  /** Translates speech into English. */
  translation: z.boolean(),
});
export type SttCapabilities = z.infer<typeof SttCapabilitiesSchema>;

export const SttModelSchema = ModelBaseSchema.extend({
  batch: z.boolean(),
  streaming: z.boolean(),
  formatted_output: z.boolean(),
  capabilities: SttCapabilitiesSchema.optional(),
});
export type SttModel = z.infer<typeof SttModelSchema>;

export const ModelsResponseSchema = z.object({
  stt: z.array(SttModelSchema),
  tts: z.array(z.record(z.string(), z.unknown())),
});
export type ModelsResponse = z.infer<typeof ModelsResponseSchema>;

/**
 * `GET /v1/models` with its voices typed, as clients read it. The schema keeps `tts` loose because the voice
 * schema (`speak/models.ts`) is built on this file's base.
 */
export interface ModelList {
  stt: SttModel[];
  tts: TtsModel[];
}

/** Deepgram self-hosted's health words: `Healthy`, or `Degraded` when new requests would be refused. */
export const SystemHealthSchema = z.enum(["Healthy", "Degraded", "Unhealthy"]);

export const StatusResponseSchema = z.object({
  /** Deepgram self-hosted's fields, which its monitoring reads. */
  system_health: SystemHealthSchema,
  /** HTTP requests on the speech APIs being answered now. */
  active_batch_requests: z.number().int(),
  /** Live WebSocket streams open now (listen and speak). */
  active_stream_requests: z.number().int(),
  status: z.enum(["ok", "degraded"]),
  version: z.string(),
  uptime_seconds: z.number(),
  engine: z.object({
    default_model: z.string(),
    workers: z.number(),
    busy_workers: z.number(),
    /** Tasks waiting for a worker thread. */
    queue_depth: z.number(),
    /** Requests admitted (running or waiting); at `queue_limit` new ones get a 429. */
    active: z.number(),
    queue_limit: z.number(),
    /** Models loaded for recognition, per worker; a model unused for the idle time is unloaded. */
    loaded_models: z
      .array(
        z.object({
          model: z.string(),
          worker: z.number().int(),
          loaded_at: z.string(),
          load_seconds: z.number(),
          /** Growth of the server's resident memory while the model loaded, MB. */
          memory_mb: z.number(),
        }),
      )
      .optional(),
    /**
     * Live decoders over all workers: `held` by a live channel while an utterance is being decoded, `idle`
     * built and waiting for one, `built` since the workers started. A stream holds a decoder only while its speaker
     * talks; `built` growing under a steady load means decoders are freed and built again.
     */
    live_decoders: z.object({ held: z.number().int(), idle: z.number().int(), built: z.number().int() }).optional(),
  }),
  /** Whether callbacks carry a Standard Webhooks signature, and whose secret signs them. */
  webhooks: z.object({
    signed: z.boolean(),
    secret_source: z.enum(["config", "generated"]),
  }),
});
export type StatusResponse = z.infer<typeof StatusResponseSchema>;

/**
 * `GET /livez` (the process answers) and `GET /readyz` (it can take requests: engine workers up, stores
 * reachable, not shutting down). Readiness answers 503 with the same body when a check fails.
 */
export const HealthResponseSchema = z.object({
  status: z.enum(["ok", "unavailable"]),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
});
export type HealthResponse = z.infer<typeof HealthResponseSchema>;
