/**
 * AssemblyAI's v2 pre-recorded API shapes, for the compatibility routes under `/assemblyai/v2` (Gladia owns
 * `/v2/upload`). The request body is parsed leniently: every field AssemblyAI documents is accepted and echoed
 * on the transcript; the ones that change the transcription are typed here. Times are milliseconds, as
 * AssemblyAI sends them; `audio_duration` is seconds.
 */
import { z } from "zod";

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

/** `GET /v2/transcript?limit&status&before_id&after_id&created_on`. */
export const AssemblyAiListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(10),
  status: z.enum(ASSEMBLYAI_STATUSES).optional(),
  before_id: z.string().optional(),
  after_id: z.string().optional(),
  created_on: z.string().optional(),
  throttled_only: z.string().optional(),
});

export interface AssemblyAiWord {
  text: string;
  start: number;
  end: number;
  confidence: number;
  /** "A", "B", … with `speaker_labels`, else null. */
  speaker: string | null;
  channel?: string | null;
}

export interface AssemblyAiUtterance {
  text: string;
  start: number;
  end: number;
  confidence: number;
  speaker: string;
  channel?: string | null;
  words: AssemblyAiWord[];
}

/** `GET /v2/transcript/{id}`: the request's fields echoed, and the result once `completed`. */
export interface AssemblyAiTranscript {
  id: string;
  status: AssemblyAiStatus;
  audio_url: string;
  text: string | null;
  words: AssemblyAiWord[] | null;
  utterances: AssemblyAiUtterance[] | null;
  confidence: number | null;
  audio_duration: number | null;
  language_code: string;
  language_detection: boolean;
  language_confidence: number | null;
  punctuate: boolean;
  format_text: boolean;
  speaker_labels: boolean;
  multichannel: boolean | null;
  audio_channels?: number;
  word_boost: string[];
  redact_pii: boolean;
  speech_model: string | null;
  acoustic_model: string;
  language_model: string;
  webhook_url: string | null;
  webhook_auth: boolean;
  webhook_auth_header_name: string | null;
  webhook_status_code: number | null;
  auto_highlights: boolean;
  summarization: boolean;
  throttled: boolean | null;
  error?: string;
  [field: string]: unknown;
}

export interface AssemblyAiListItem {
  id: string;
  resource_url: string;
  status: AssemblyAiStatus;
  created: string;
  completed: string | null;
  audio_url: string;
  error: string | null;
}

export interface AssemblyAiList {
  page_details: {
    limit: number;
    result_count: number;
    current_url: string;
    prev_url: string | null;
    next_url: string | null;
  };
  transcripts: AssemblyAiListItem[];
}

export interface AssemblyAiSentence {
  text: string;
  start: number;
  end: number;
  confidence: number;
  speaker: string | null;
  words: AssemblyAiWord[];
}

export interface AssemblyAiSentences {
  id: string;
  confidence: number;
  audio_duration: number;
  sentences: AssemblyAiSentence[];
}

export interface AssemblyAiParagraphs {
  id: string;
  confidence: number;
  audio_duration: number;
  paragraphs: Omit<AssemblyAiSentence, "speaker">[];
}

/** `POST /v2/upload`. */
export interface AssemblyAiUpload {
  upload_url: string;
}

/** Every AssemblyAI error. */
export interface AssemblyAiErrorBody {
  error: string;
}

/** What a transcript's `webhook_url` receives when it ends. */
export interface AssemblyAiWebhookBody {
  transcript_id: string;
  status: "completed" | "error";
}
