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

/** The multipart form as sent: the fields above and the audio in a `file` part. */
const FILE_PART = { file: z.string().describe("The audio file (binary): any format ffmpeg decodes.") };
export const OpenAiTranscriptionFormSchema = OpenAiTranscriptionRequestSchema.extend(FILE_PART);
export const OpenAiTranslationFormSchema = OpenAiTranslationRequestSchema.extend(FILE_PART);

/** Billing unit whisper-1 reports: whole seconds of audio. */
export const OpenAiDurationUsageSchema = z.object({ type: z.literal("duration"), seconds: z.number() });
export type OpenAiDurationUsage = z.infer<typeof OpenAiDurationUsageSchema>;

export const OpenAiLogprobSchema = z.object({ token: z.string(), logprob: z.number(), bytes: z.array(z.number()) });
export type OpenAiLogprob = z.infer<typeof OpenAiLogprobSchema>;

/** `response_format=json` (the default). */
export const OpenAiTranscriptionSchema = z.object({
  text: z.string(),
  logprobs: z.array(OpenAiLogprobSchema).optional(),
  usage: OpenAiDurationUsageSchema,
});
export type OpenAiTranscription = z.infer<typeof OpenAiTranscriptionSchema>;

export const OpenAiTranscriptionSegmentSchema = z.object({
  id: z.number(),
  /** Where the segment starts, in 10 ms frames (Whisper's seek offset). */
  seek: z.number(),
  start: z.number(),
  end: z.number(),
  text: z.string(),
  tokens: z.array(z.number()),
  temperature: z.number(),
  avg_logprob: z.number(),
  compression_ratio: z.number(),
  no_speech_prob: z.number(),
});
export type OpenAiTranscriptionSegment = z.infer<typeof OpenAiTranscriptionSegmentSchema>;

export const OpenAiTranscriptionWordSchema = z.object({ word: z.string(), start: z.number(), end: z.number() });
export type OpenAiTranscriptionWord = z.infer<typeof OpenAiTranscriptionWordSchema>;

/** `response_format=verbose_json`; `language` is the language's English name in lower case, as Whisper says it. */
export const OpenAiVerboseTranscriptionSchema = z.object({
  task: z.enum(["transcribe", "translate"]),
  language: z.string(),
  duration: z.number(),
  text: z.string(),
  segments: z.array(OpenAiTranscriptionSegmentSchema).optional(),
  words: z.array(OpenAiTranscriptionWordSchema).optional(),
  usage: OpenAiDurationUsageSchema,
});
export type OpenAiVerboseTranscription = z.infer<typeof OpenAiVerboseTranscriptionSchema>;

/** `stream=true`: server-sent events, deltas as the audio is recognised, then the whole text. */
export const OpenAiTranscriptionStreamEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("transcript.text.delta"),
    delta: z.string(),
    logprobs: z.array(OpenAiLogprobSchema).optional(),
  }),
  z.object({
    type: z.literal("transcript.text.done"),
    text: z.string(),
    logprobs: z.array(OpenAiLogprobSchema).optional(),
    usage: OpenAiDurationUsageSchema,
  }),
]);
export type OpenAiTranscriptionStreamEvent = z.infer<typeof OpenAiTranscriptionStreamEventSchema>;
