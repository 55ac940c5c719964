/**
 * AssemblyAI's v2 pre-recorded API shapes, for the compatibility routes under `/assemblyai/v2` (Gladia owns
 * `/v2/upload`). The request body is parsed leniently: every field AssemblyAI documents is accepted and echoed
 * on the transcript; the ones that change the transcription are typed here. Times are milliseconds, as
 * AssemblyAI sends them; `audio_duration` is seconds.
 */
import { z } from "zod";
import { ListOffsetSchema } from "./jobs.js";

/** Where the AssemblyAI-compatible API lives: clients set `baseUrl` to the server's URL plus this. */
export const ASSEMBLYAI_PREFIX = "/assemblyai";

export const ASSEMBLYAI_STATUSES = ["queued", "processing", "completed", "error"] as const;
export type AssemblyAiStatus = (typeof ASSEMBLYAI_STATUSES)[number];

/** `POST /v2/transcript`. */
export const AssemblyAiTranscriptRequestSchema = z.looseObject({
  audio_url: z.string().min(1),
  language_code: z.string().min(1).nullish(),
  language_detection: z.boolean().optional(),
  punctuate: z.boolean().optional(),
  format_text: z.boolean().optional(),
  speaker_labels: z.boolean().optional(),
  speakers_expected: z.number().int().positive().nullish(),
  multichannel: z.boolean().optional(),
  dual_channel: z.boolean().optional(),
  word_boost: z.array(z.string()).optional(),
  keyterms_prompt: z.array(z.string()).optional(),
  filter_profanity: z.boolean().optional(),
  disfluencies: z.boolean().optional(),
  redact_pii: z.boolean().optional(),
  redact_pii_policies: z.array(z.string()).optional(),
  entity_detection: z.boolean().optional(),
  sentiment_analysis: z.boolean().optional(),
  auto_chapters: z.boolean().optional(),
  iab_categories: z.boolean().optional(),
  summarization: z.boolean().optional(),
  speech_model: z.string().nullish(),
  webhook_url: z.string().min(1).optional(),
  webhook_auth_header_name: z.string().min(1).nullish(),
  webhook_auth_header_value: z.string().min(1).nullish(),
});
export type AssemblyAiTranscriptRequest = z.output<typeof AssemblyAiTranscriptRequestSchema>;

/** `GET /v2/transcript?limit&status&offset`; AssemblyAI's other filters are accepted and ignored. */
export const AssemblyAiListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(10),
  status: z.enum(ASSEMBLYAI_STATUSES).optional(),
  /** This server pages by offset: the page's `next_url` and `prev_url` carry it. */
  offset: ListOffsetSchema,
  before_id: z.string().optional(),
  after_id: z.string().optional(),
  created_on: z.string().optional(),
  throttled_only: z.string().optional(),
});

/** `GET /v2/transcript/{id}/srt` and `/vtt`. */
export const AssemblyAiCaptionsQuerySchema = z.object({
  /** Longest caption line, in characters; each caption is one line. */
  chars_per_caption: z.coerce.number().int().positive().optional(),
});

export const AssemblyAiWordSchema = z.object({
  text: z.string(),
  start: z.number(),
  end: z.number(),
  confidence: z.number(),
  /** "A", "B", … with `speaker_labels`, else null. */
  speaker: z.string().nullable(),
  channel: z.string().nullish(),
});
export type AssemblyAiWord = z.infer<typeof AssemblyAiWordSchema>;

export const AssemblyAiUtteranceSchema = z.object({
  text: z.string(),
  start: z.number(),
  end: z.number(),
  confidence: z.number(),
  speaker: z.string(),
  channel: z.string().nullish(),
  words: z.array(AssemblyAiWordSchema),
});
export type AssemblyAiUtterance = z.infer<typeof AssemblyAiUtteranceSchema>;

/** `GET /v2/transcript/{id}`: the request's fields echoed, and the result once `completed`. */
export const AssemblyAiTranscriptSchema = z.looseObject({
  id: z.string(),
  status: z.enum(ASSEMBLYAI_STATUSES),
  audio_url: z.string(),
  text: z.string().nullable(),
  words: z.array(AssemblyAiWordSchema).nullable(),
  utterances: z.array(AssemblyAiUtteranceSchema).nullable(),
  confidence: z.number().nullable(),
  audio_duration: z.number().nullable(),
  language_code: z.string(),
  language_detection: z.boolean(),
  language_confidence: z.number().nullable(),
  punctuate: z.boolean(),
  format_text: z.boolean(),
  speaker_labels: z.boolean(),
  multichannel: z.boolean().nullable(),
  audio_channels: z.number().optional(),
  word_boost: z.array(z.string()),
  redact_pii: z.boolean(),
  speech_model: z.string().nullable(),
  acoustic_model: z.string(),
  language_model: z.string(),
  webhook_url: z.string().nullable(),
  webhook_auth: z.boolean(),
  webhook_auth_header_name: z.string().nullable(),
  webhook_status_code: z.number().nullable(),
  auto_highlights: z.boolean(),
  summarization: z.boolean(),
  throttled: z.boolean().nullable(),
  error: z.string().optional(),
});
export type AssemblyAiTranscript = z.infer<typeof AssemblyAiTranscriptSchema>;

export const AssemblyAiListItemSchema = z.object({
  id: z.string(),
  resource_url: z.string(),
  status: z.enum(ASSEMBLYAI_STATUSES),
  created: z.string(),
  completed: z.string().nullable(),
  audio_url: z.string(),
  error: z.string().nullable(),
});
export type AssemblyAiListItem = z.infer<typeof AssemblyAiListItemSchema>;

export const AssemblyAiListSchema = z.object({
  page_details: z.object({
    limit: z.number(),
    result_count: z.number(),
    current_url: z.string(),
    prev_url: z.string().nullable(),
    next_url: z.string().nullable(),
  }),
  transcripts: z.array(AssemblyAiListItemSchema),
});
export type AssemblyAiList = z.infer<typeof AssemblyAiListSchema>;

export const AssemblyAiSentenceSchema = z.object({
  text: z.string(),
  start: z.number(),
  end: z.number(),
  confidence: z.number(),
  speaker: z.string().nullable(),
  channel: z.string().nullish(),
  words: z.array(AssemblyAiWordSchema),
});
export type AssemblyAiSentence = z.infer<typeof AssemblyAiSentenceSchema>;

export const AssemblyAiSentencesSchema = z.object({
  id: z.string(),
  confidence: z.number(),
  audio_duration: z.number(),
  sentences: z.array(AssemblyAiSentenceSchema),
});
export type AssemblyAiSentences = z.infer<typeof AssemblyAiSentencesSchema>;

export const AssemblyAiParagraphsSchema = z.object({
  id: z.string(),
  confidence: z.number(),
  audio_duration: z.number(),
  paragraphs: z.array(AssemblyAiSentenceSchema.omit({ speaker: true, channel: true })),
});
export type AssemblyAiParagraphs = z.infer<typeof AssemblyAiParagraphsSchema>;

/** `POST /v2/upload`. */
export const AssemblyAiUploadSchema = z.object({ upload_url: z.string() });
export type AssemblyAiUpload = z.infer<typeof AssemblyAiUploadSchema>;

/** Every AssemblyAI error. */
export const AssemblyAiErrorBodySchema = z.object({ error: z.string() });
export type AssemblyAiErrorBody = z.infer<typeof AssemblyAiErrorBodySchema>;

/** What a transcript's `webhook_url` receives when it ends. */
export const AssemblyAiWebhookBodySchema = z.object({
  transcript_id: z.string(),
  status: z.enum(["completed", "error"]),
});
export type AssemblyAiWebhookBody = z.infer<typeof AssemblyAiWebhookBodySchema>;
