/**
 * `POST /v1/read`: text intelligence on text. The body is JSON `{"text": "…"}` or `{"url": "…"}`; options are
 * query parameters as on `/v1/listen` (`summarize` is a boolean here; `v2` is accepted as true, as the SDK's
 * type allows it). The response is Deepgram's flat form: `metadata.request_id`, `results.summary.text`.
 */
import { z } from "zod";
import {
  IntelligenceInfoSchema,
  IntentsSchema,
  ReadSummarySchema,
  SentimentsSchema,
  TopicsSchema,
} from "./listen/intelligence.js";
import { parseQuery, queryBool, queryList, queryString } from "./query.js";

const CustomModeSchema = z.preprocess((v) => (Array.isArray(v) ? v[v.length - 1] : v), z.enum(["strict", "extended"]));

export const ReadOptionsSchema = z.object({
  language: queryString.optional(),
  summarize: z
    .preprocess((v) => {
      const s = Array.isArray(v) ? v[v.length - 1] : v;
      return s === "v2" ? true : s;
    }, queryBool)
    .optional(),
  topics: queryBool.optional(),
  custom_topic: queryList.optional(),
  custom_topic_mode: CustomModeSchema.optional(),
  intents: queryBool.optional(),
  custom_intent: queryList.optional(),
  custom_intent_mode: CustomModeSchema.optional(),
  sentiment: queryBool.optional(),
  callback: queryString.pipe(z.url()).optional(),
  callback_method: z
    .preprocess((v) => (typeof v === "string" ? v.toUpperCase() : v), z.enum(["POST", "PUT"]))
    .optional(),
  tag: queryList.optional(),
});
export type ReadOptions = z.output<typeof ReadOptionsSchema>;

/** Parse a `/v1/read` query multimap; throws an InvalidRequestError naming each bad option. */
export function parseReadOptions(query: Record<string, unknown>): ReadOptions {
  return parseQuery(ReadOptionsSchema, query);
}

export const ReadRequestSchema = z.union([z.object({ text: z.string().min(1) }), z.object({ url: z.url() })]);
export type ReadRequest = z.infer<typeof ReadRequestSchema>;

export const ReadResponseSchema = z.object({
  metadata: z.object({
    request_id: z.string(),
    created: z.string(),
    language: z.string(),
    summary_info: IntelligenceInfoSchema.optional(),
    topics_info: IntelligenceInfoSchema.optional(),
    intents_info: IntelligenceInfoSchema.optional(),
    sentiment_info: IntelligenceInfoSchema.optional(),
  }),
  results: z.object({
    summary: ReadSummarySchema.optional(),
    topics: TopicsSchema.optional(),
    intents: IntentsSchema.optional(),
    sentiments: SentimentsSchema.optional(),
  }),
});
export type ReadResponse = z.infer<typeof ReadResponseSchema>;
