/** The synchronous `POST /v1/listen` response, as runtime schemas and types. */
import { z } from "zod";
import {
  EntitySchema,
  IntelligenceInfoSchema,
  IntentsSchema,
  ListenSummarySchema,
  SentimentsSchema,
  SummaryV1Schema,
  TopicsSchema,
} from "./intelligence.js";
import { WarningSchema } from "./options.js";

export const WordSchema = z.object({
  word: z.string(),
  start: z.number(),
  end: z.number(),
  confidence: z.number(),
  punctuated_word: z.string().optional(),
  speaker: z.number().optional(),
  speaker_confidence: z.number().optional(),
  /** With `language=multi`: the language of the word. */
  language: z.string().optional(),
});
export type Word = z.infer<typeof WordSchema>;

export const SentenceSchema = z.object({ text: z.string(), start: z.number(), end: z.number() });

export const ParagraphSchema = z.object({
  sentences: z.array(SentenceSchema),
  num_words: z.number(),
  start: z.number(),
  end: z.number(),
  speaker: z.number().optional(),
});
export type Paragraph = z.infer<typeof ParagraphSchema>;

export const ParagraphsSchema = z.object({ transcript: z.string(), paragraphs: z.array(ParagraphSchema) });
export type Paragraphs = z.infer<typeof ParagraphsSchema>;

export const AlternativeSchema = z.object({
  transcript: z.string(),
  confidence: z.number(),
  words: z.array(WordSchema),
  paragraphs: ParagraphsSchema.optional(),
  /** `detect_entities=true`. */
  entities: z.array(EntitySchema).optional(),
  /** `summarize=true` (v1). */
  summaries: z.array(SummaryV1Schema).optional(),
  /** With `language=multi`: the languages spoken, most words first. */
  languages: z.array(z.string()).optional(),
});
export type Alternative = z.infer<typeof AlternativeSchema>;

export const SearchHitSchema = z.object({
  confidence: z.number(),
  start: z.number(),
  end: z.number(),
  snippet: z.string(),
});
export const SearchResultSchema = z.object({ query: z.string(), hits: z.array(SearchHitSchema) });
export type SearchResult = z.infer<typeof SearchResultSchema>;

export const ChannelSchema = z.object({
  alternatives: z.array(AlternativeSchema),
  search: z.array(SearchResultSchema).optional(),
  /** With `detect_language`: the language the channel is spoken in (ISO 639-1). */
  detected_language: z.string().optional(),
  /** How sure the engine is of `detected_language`, 0 → 1, when it can say. */
  language_confidence: z.number().optional(),
});
export type Channel = z.infer<typeof ChannelSchema>;

export const UtteranceSchema = z.object({
  start: z.number(),
  end: z.number(),
  confidence: z.number(),
  channel: z.number(),
  transcript: z.string(),
  words: z.array(WordSchema),
  id: z.string(),
  speaker: z.number().optional(),
});
export type Utterance = z.infer<typeof UtteranceSchema>;

export const ModelInfoSchema = z.object({ name: z.string(), version: z.string(), arch: z.string() });
export type ModelInfo = z.infer<typeof ModelInfoSchema>;

export const ListenMetadataSchema = z.object({
  transaction_key: z.string(),
  request_id: z.string(),
  sha256: z.string(),
  created: z.string(),
  duration: z.number(),
  channels: z.number(),
  models: z.array(z.string()),
  model_info: z.record(z.string(), ModelInfoSchema),
  tags: z.array(z.string()).optional(),
  extra: z.record(z.string(), z.string()).optional(),
  warnings: z.array(WarningSchema).optional(),
  summary_info: IntelligenceInfoSchema.optional(),
  topics_info: IntelligenceInfoSchema.optional(),
  intents_info: IntelligenceInfoSchema.optional(),
  sentiment_info: IntelligenceInfoSchema.optional(),
});
export type ListenMetadata = z.infer<typeof ListenMetadataSchema>;

export const ListenResponseSchema = z.object({
  metadata: ListenMetadataSchema,
  results: z.object({
    channels: z.array(ChannelSchema),
    utterances: z.array(UtteranceSchema).optional(),
    /** `summarize=v2`. */
    summary: ListenSummarySchema.optional(),
    topics: TopicsSchema.optional(),
    intents: IntentsSchema.optional(),
    sentiments: SentimentsSchema.optional(),
  }),
});
export type ListenResponse = z.infer<typeof ListenResponseSchema>;

/** `callback=` requests answer at once with just the id; the result goes to the callback later. */
export const ListenAcceptedResponseSchema = z.object({ request_id: z.string() });

/** A pre-recorded request's JSON body: the audio's URL (any other body is the audio itself). */
export const UrlSourceSchema = z.object({ url: z.url() });
export type ListenAcceptedResponse = z.infer<typeof ListenAcceptedResponseSchema>;
