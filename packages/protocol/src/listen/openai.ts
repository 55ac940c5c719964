/**
 * OpenAI's speech-to-text API, `POST /v1/audio/transcriptions` and `/v1/audio/translations`, as the `openai`
 * clients send and read it. The request is multipart: every field arrives as text, and list fields as repeated
 * `name[]` parts, so the schema coerces. OpenAI's error body is in `speak/openai.ts`.
 */
import { z } from "zod";
import { queryBool, queryList } from "../query.js";

export const OPENAI_TRANSCRIPTION_FORMATS = ["json", "text", "srt", "verbose_json", "vtt"] as const;
export type OpenAiTranscriptionFormat = (typeof OPENAI_TRANSCRIPTION_FORMATS)[number];

/** OpenAI's own upload limit; the server's is configurable. */
export const OPENAI_AUDIO_MAX_BYTES = 25 * 1024 * 1024;

/** The non-file fields of a transcription request. Unknown fields are ignored, as OpenAI's clones do. */
export const OpenAiTranscriptionRequestSchema = z.object({
  model: z.string().min(1),
  language: z.string().min(1).optional(),
  prompt: z.string().optional(),
  response_format: z.enum(OPENAI_TRANSCRIPTION_FORMATS).default("json"),
  temperature: z.coerce.number().min(0).max(1).default(0),
  timestamp_granularities: queryList.pipe(z.array(z.enum(["word", "segment"]))).optional(),
  include: queryList.pipe(z.array(z.enum(["logprobs"]))).optional(),
  stream: queryBool.default(false),
});
export type OpenAiTranscriptionRequest = z.output<typeof OpenAiTranscriptionRequestSchema>;

/** A translation takes the same fields but `language`, `timestamp_granularities`, `include` and `stream`. */
export const OpenAiTranslationRequestSchema = OpenAiTranscriptionRequestSchema.pick({
  model: true,
  prompt: true,
  response_format: true,
  temperature: true,
});
export type OpenAiTranslationRequest = z.output<typeof OpenAiTranslationRequestSchema>;

/** Billing unit whisper-1 reports: whole seconds of audio. */
export interface OpenAiDurationUsage {
  type: "duration";
  seconds: number;
}

export interface OpenAiLogprob {
  token: string;
  logprob: number;
  bytes: number[];
}

/** `response_format=json` (the default). */
export interface OpenAiTranscription {
  text: string;
  logprobs?: OpenAiLogprob[];
  usage: OpenAiDurationUsage;
}

export interface OpenAiTranscriptionSegment {
  id: number;
  /** Where the segment starts, in 10 ms frames (Whisper's seek offset). */
  seek: number;
  start: number;
  end: number;
  text: string;
  tokens: number[];
  temperature: number;
  avg_logprob: number;
  compression_ratio: number;
  no_speech_prob: number;
}

export interface OpenAiTranscriptionWord {
  word: string;
  start: number;
  end: number;
}

/** `response_format=verbose_json`; `language` is the language's English name in lower case, as Whisper says it. */
export interface OpenAiVerboseTranscription {
  task: "transcribe" | "translate";
  language: string;
  duration: number;
  text: string;
  segments?: OpenAiTranscriptionSegment[];
  words?: OpenAiTranscriptionWord[];
  usage: OpenAiDurationUsage;
}

/** `stream=true`: server-sent events, deltas as the audio is recognised, then the whole text. */
export type OpenAiTranscriptionStreamEvent =
  | { type: "transcript.text.delta"; delta: string; logprobs?: OpenAiLogprob[] }
  | { type: "transcript.text.done"; text: string; logprobs?: OpenAiLogprob[]; usage: OpenAiDurationUsage };
