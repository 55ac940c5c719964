/**
 * Text-intelligence results as Deepgram returns them on `/v1/listen` and `/v1/read`: summaries, topics, intents,
 * sentiments and entities. Segments index words (`start_word`, `end_word`, the end exclusive) of the text they
 * were computed from: the transcript's words on `/v1/listen`, whitespace-separated words on `/v1/read`.
 */
import { z } from "zod";

/** `summarize=v2` on `/v1/listen`: `results.summary`. */
export const ListenSummarySchema = z.object({ result: z.string(), short: z.string() });
export type ListenSummary = z.infer<typeof ListenSummarySchema>;

/** `summarize=true` (v1, deprecated) on `/v1/listen`: `alternatives[].summaries[]`. */
export const SummaryV1Schema = z.object({ summary: z.string(), start_word: z.number(), end_word: z.number() });
export type SummaryV1 = z.infer<typeof SummaryV1Schema>;

/** `summarize=true` on `/v1/read`: `results.summary`. */
export const ReadSummarySchema = z.object({ text: z.string() });
export type ReadSummary = z.infer<typeof ReadSummarySchema>;

const SegmentBase = { text: z.string(), start_word: z.number(), end_word: z.number() };

export const TopicSchema = z.object({ topic: z.string(), confidence_score: z.number() });
export const TopicSegmentSchema = z.object({ ...SegmentBase, topics: z.array(TopicSchema) });
export type TopicSegment = z.infer<typeof TopicSegmentSchema>;
export const TopicsSchema = z.object({
  results: z.object({ topics: z.object({ segments: z.array(TopicSegmentSchema) }) }),
});
export type Topics = z.infer<typeof TopicsSchema>;

export const IntentSchema = z.object({ intent: z.string(), confidence_score: z.number() });
export const IntentSegmentSchema = z.object({ ...SegmentBase, intents: z.array(IntentSchema) });
export type IntentSegment = z.infer<typeof IntentSegmentSchema>;
export const IntentsSchema = z.object({
  results: z.object({ intents: z.object({ segments: z.array(IntentSegmentSchema) }) }),
});
export type Intents = z.infer<typeof IntentsSchema>;

export const SentimentLabelSchema = z.enum(["positive", "neutral", "negative"]);
export type SentimentLabel = z.infer<typeof SentimentLabelSchema>;
export const SentimentSegmentSchema = z.object({
  ...SegmentBase,
  sentiment: SentimentLabelSchema,
  sentiment_score: z.number(),
});
export type SentimentSegment = z.infer<typeof SentimentSegmentSchema>;
export const SentimentsSchema = z.object({
  segments: z.array(SentimentSegmentSchema),
  average: z.object({ sentiment: SentimentLabelSchema, sentiment_score: z.number() }),
});
export type Sentiments = z.infer<typeof SentimentsSchema>;

/** `detect_entities=true`: `alternatives[].entities[]`. */
export const EntitySchema = z.object({
  label: z.string(),
  value: z.string(),
  raw_value: z.string().optional(),
  confidence: z.number(),
  start_word: z.number(),
  end_word: z.number(),
});
export type Entity = z.infer<typeof EntitySchema>;

/** Per-feature usage in metadata (`summary_info`, `topics_info`…). */
export const IntelligenceInfoSchema = z.object({
  model_uuid: z.string(),
  input_tokens: z.number(),
  output_tokens: z.number(),
});
export type IntelligenceInfo = z.infer<typeof IntelligenceInfoSchema>;
