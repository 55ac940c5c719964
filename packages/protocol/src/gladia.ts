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
  callback: z.boolean().optional(),
  callback_config: z.looseObject({ url: z.string(), method: z.enum(["POST", "PUT"]).optional() }).optional(),
  /** Deprecated: always POST. */
  callback_url: z.string().optional(),
  custom_metadata: z.record(z.string(), z.unknown()).optional(),
});
export type GladiaCreateRequest = z.infer<typeof GladiaCreateRequestSchema>;

export interface GladiaCreateResponse {
  id: string;
  result_url: string;
}

export interface GladiaAudioMetadata {
  id: string;
  filename: string | null;
  source: string | null;
  extension: string | null;
  size: number;
  audio_duration: number | null;
  number_of_channels: number | null;
}

/** `POST /v2/upload`. */
export interface GladiaUploadResponse {
  audio_url: string;
  audio_metadata: GladiaAudioMetadata;
}

export interface GladiaWord {
  word: string;
  start: number;
  end: number;
  confidence: number;
}

export interface GladiaUtterance {
  start: number;
  end: number;
  confidence: number;
  channel: number;
  speaker: number;
  language: string;
  text: string;
  words: GladiaWord[];
}

export interface GladiaResult {
  metadata: {
    audio_duration: number;
    number_of_distinct_channels: number;
    billing_time: number;
    transcription_time: number;
  };
  transcription: { full_transcript: string; languages: string[]; utterances: GladiaUtterance[] };
}

/** `GET /v2/pre-recorded/{id}`. */
export interface GladiaJob {
  id: string;
  request_id: string;
  version: 2;
  kind: "pre-recorded";
  status: GladiaStatus;
  created_at: string;
  completed_at: string | null;
  custom_metadata: Record<string, unknown> | null;
  error_code: number | null;
  file: Omit<GladiaAudioMetadata, "extension" | "size"> | null;
  request_params: Record<string, unknown>;
  result: GladiaResult | null;
}

/** `GET /v2/pre-recorded?offset&limit&status`. */
export interface GladiaListResponse {
  first: string;
  current: string;
  next: string | null;
  items: GladiaJob[];
}

/** The body of a callback for a Gladia job. */
export interface GladiaCallbackBody {
  id: string;
  event: "transcription.success" | "transcription.error";
  payload: GladiaResult | { error_code: number; message: string } | null;
}

/** Gladia's error body. */
export interface GladiaErrorBody {
  timestamp: string;
  path: string;
  request_id: string;
  statusCode: number;
  message: string;
  validation_errors: string[];
}
