/** `GET /v1/models` (speech-apis.md §1.9) and `GET /v1/status`. */
import { z } from "zod";

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

export const StatusResponseSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  version: z.string(),
  uptime_seconds: z.number(),
  engine: z.object({
    default_model: z.string(),
    workers: z.number(),
    busy_workers: z.number(),
    queue_depth: z.number(),
    queue_limit: z.number(),
  }),
});
export type StatusResponse = z.infer<typeof StatusResponseSchema>;
