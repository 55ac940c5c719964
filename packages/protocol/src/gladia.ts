/**
 * Gladia v2 pre-recorded API shapes, for the compatibility routes under `/v2`. Request
 * bodies are parsed leniently: Gladia's many add-on options are accepted, echoed in `request_params` and
 * ignored; only what changes the transcription is read.
 */
import { z } from "zod";

export const GladiaStatusSchema = z.enum(["queued", "processing", "done", "error"]);
export type GladiaStatus = z.infer<typeof GladiaStatusSchema>;

/** `POST /v2/pre-recorded` (and legacy `/v2/transcription`). */
export const GladiaCreateRequestSchema = z.looseObject({
  audio_url: z.string().min(1),
  language_config: z.looseObject({ languages: z.array(z.string()).optional() }).optional(),
  /** Legacy (2024) single language. */
  language: z.string().optional(),
  /** Legacy (2024): identify the language (now implied by `language_config.languages` listing several or none). */
  detect_language: z.boolean().optional(),
  diarization: z.boolean().optional(),
  diarization_config: z
    .looseObject({
      number_of_speakers: z.number().int().min(1).max(32).optional(),
      min_speakers: z.number().int().min(1).max(32).optional(),
      max_speakers: z.number().int().min(1).max(32).optional(),
    })
    .optional(),
  callback: z.boolean().optional(),
  callback_config: z.looseObject({ url: z.string(), method: z.enum(["POST", "PUT"]).optional() }).optional(),
  /** Deprecated: always POST. */
  callback_url: z.string().optional(),
  custom_metadata: z.record(z.string(), z.unknown()).optional(),
});
export type GladiaCreateRequest = z.infer<typeof GladiaCreateRequestSchema>;

export const GladiaCreateResponseSchema = z.object({ id: z.string(), result_url: z.string() });
export type GladiaCreateResponse = z.infer<typeof GladiaCreateResponseSchema>;

export const GladiaAudioMetadataSchema = z.object({
  id: z.string(),
  filename: z.string().nullable(),
  source: z.string().nullable(),
  extension: z.string().nullable(),
  size: z.number(),
  audio_duration: z.number().nullable(),
  number_of_channels: z.number().nullable(),
});
export type GladiaAudioMetadata = z.infer<typeof GladiaAudioMetadataSchema>;

/** `POST /v2/upload`. */
export const GladiaUploadResponseSchema = z.object({
  audio_url: z.string(),
  audio_metadata: GladiaAudioMetadataSchema,
});
export type GladiaUploadResponse = z.infer<typeof GladiaUploadResponseSchema>;

/** `POST /v2/upload` as multipart: the file under `audio`. */
export const GladiaUploadFormSchema = z.object({ audio: z.string().describe("The audio file (binary).") });

export const GladiaWordSchema = z.object({
  word: z.string(),
  start: z.number(),
  end: z.number(),
  confidence: z.number(),
});
export type GladiaWord = z.infer<typeof GladiaWordSchema>;

export const GladiaUtteranceSchema = z.object({
  start: z.number(),
  end: z.number(),
  confidence: z.number(),
  channel: z.number(),
  speaker: z.number(),
  language: z.string(),
  text: z.string(),
  words: z.array(GladiaWordSchema),
});
export type GladiaUtterance = z.infer<typeof GladiaUtteranceSchema>;

export const GladiaResultSchema = z.object({
  metadata: z.object({
    audio_duration: z.number(),
    number_of_distinct_channels: z.number(),
    billing_time: z.number(),
    transcription_time: z.number(),
  }),
  transcription: z.object({
    full_transcript: z.string(),
    languages: z.array(z.string()),
    utterances: z.array(GladiaUtteranceSchema),
  }),
});
export type GladiaResult = z.infer<typeof GladiaResultSchema>;

/** `GET /v2/pre-recorded/{id}`. */
export const GladiaJobSchema = z.object({
  id: z.string(),
  request_id: z.string(),
  version: z.literal(2),
  kind: z.literal("pre-recorded"),
  status: GladiaStatusSchema,
  created_at: z.string(),
  completed_at: z.string().nullable(),
  custom_metadata: z.record(z.string(), z.unknown()).nullable(),
  error_code: z.number().nullable(),
  file: GladiaAudioMetadataSchema.omit({ extension: true, size: true }).nullable(),
  request_params: z.record(z.string(), z.unknown()),
  result: GladiaResultSchema.nullable(),
});
export type GladiaJob = z.infer<typeof GladiaJobSchema>;

/** `GET /v2/pre-recorded?offset&limit&status`. */
export const GladiaListResponseSchema = z.object({
  first: z.string(),
  current: z.string(),
  next: z.string().nullable(),
  items: z.array(GladiaJobSchema),
});
export type GladiaListResponse = z.infer<typeof GladiaListResponseSchema>;

export const GladiaListQuerySchema = z.object({
  offset: z.number().int().min(0).optional(),
  limit: z.number().int().min(1).max(100).optional(),
  status: z.array(GladiaStatusSchema).optional(),
});

/** The body of a callback for a Gladia job. */
export interface GladiaCallbackBody {
  id: string;
  event: "transcription.success" | "transcription.error";
  payload: GladiaResult | { error_code: number; message: string } | null;
}

/** Gladia's error body. */
export const GladiaErrorBodySchema = z.object({
  timestamp: z.string(),
  path: z.string(),
  request_id: z.string(),
  statusCode: z.number(),
  message: z.string(),
  validation_errors: z.array(z.string()),
});
export type GladiaErrorBody = z.infer<typeof GladiaErrorBodySchema>;
