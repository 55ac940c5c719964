/**
 * Text intelligence in Deepgram's shapes, for `/v1/read` and for the same options on `/v1/listen`. Every
 * feature works on a list of words (a transcript's words, or a text split at whitespace), so `start_word` and
 * `end_word` index the words the caller has.
 */
import type {
  IntelligenceInfo,
  Intents,
  ListenOptions,
  ReadOptions,
  ReadResponse,
  Sentiments,
  SummaryV1,
  Topics,
  Word,
} from "@earshot/protocol";
import { detectIntents } from "./intents.js";
import { detectTextLanguage } from "./language.js";
import { analyzeSentiment } from "./sentiment.js";
import { summarize } from "./summary.js";
import { wordsOf } from "./text.js";
import { detectTopics } from "./topics.js";

export interface IntelligenceOptions {
  summarize?: boolean | undefined;
  topics?: boolean | undefined;
  custom_topic?: readonly string[] | undefined;
  custom_topic_mode?: "strict" | "extended" | undefined;
  intents?: boolean | undefined;
  custom_intent?: readonly string[] | undefined;
  custom_intent_mode?: "strict" | "extended" | undefined;
  sentiment?: boolean | undefined;
}

export interface IntelligenceResults {
  summary?: string;
  topics?: Topics;
  intents?: Intents;
  sentiments?: Sentiments;
  /** Words in and out per feature, for `metadata.*_info`. */
  usage: Partial<
    Record<"summary" | "topics" | "intents" | "sentiment", { input_tokens: number; output_tokens: number }>
  >;
}

/** The features `options` asks for, on `words`. */
export function analyzeWords(words: readonly string[], options: IntelligenceOptions): IntelligenceResults {
  const results: IntelligenceResults = { usage: {} };
  const input = words.length;
  if (options.summarize) {
    results.summary = summarize(words);
    results.usage.summary = { input_tokens: input, output_tokens: wordsOf(results.summary).length };
  }
  const wantsTopics = options.topics || (options.custom_topic?.length ?? 0) > 0;
  if (wantsTopics) {
    const segments = detectTopics(words, { custom: options.custom_topic, mode: options.custom_topic_mode });
    results.topics = { results: { topics: { segments } } };
    results.usage.topics = { input_tokens: input, output_tokens: segments.reduce((n, s) => n + s.topics.length, 0) };
  }
  const wantsIntents = options.intents || (options.custom_intent?.length ?? 0) > 0;
  if (wantsIntents) {
    const segments = detectIntents(words, { custom: options.custom_intent, mode: options.custom_intent_mode });
    results.intents = { results: { intents: { segments } } };
    results.usage.intents = { input_tokens: input, output_tokens: segments.reduce((n, s) => n + s.intents.length, 0) };
  }
  if (options.sentiment) {
    results.sentiments = analyzeSentiment(words);
    results.usage.sentiment = { input_tokens: input, output_tokens: results.sentiments.segments.length };
  }
  return results;
}

/** The options `/v1/read` and `/v1/listen` share, by their query names; an unknown custom mode means the default. */
interface SharedQueryOptions {
  topics?: boolean | undefined;
  custom_topic?: string[] | undefined;
  custom_topic_mode?: string | undefined;
  intents?: boolean | undefined;
  custom_intent?: string[] | undefined;
  custom_intent_mode?: string | undefined;
  sentiment?: boolean | undefined;
}

function featureOptions(options: SharedQueryOptions, summarize: boolean): IntelligenceOptions {
  const mode = (m: string | undefined) => (m === "strict" || m === "extended" ? m : undefined);
  return {
    summarize,
    topics: options.topics,
    custom_topic: options.custom_topic,
    custom_topic_mode: mode(options.custom_topic_mode),
    intents: options.intents,
    custom_intent: options.custom_intent,
    custom_intent_mode: mode(options.custom_intent_mode),
    sentiment: options.sentiment,
  };
}

const info = (modelUuid: string, usage: { input_tokens: number; output_tokens: number } | undefined) =>
  usage ? ({ model_uuid: modelUuid, ...usage } satisfies IntelligenceInfo) : undefined;

/**
 * A whole `/v1/read` response body for `text`. `modelUuid` names the analysis in `metadata.*_info`; the caller
 * supplies the request id and creation time it logs.
 */
export function readText(
  text: string,
  options: ReadOptions,
  meta: { requestId: string; created: string; modelUuid: string },
): ReadResponse {
  const words = wordsOf(text);
  const analysis = analyzeWords(words, featureOptions(options, options.summarize ?? false));
  const metadata: ReadResponse["metadata"] = {
    request_id: meta.requestId,
    created: meta.created,
    language: options.language ?? detectTextLanguage(text),
  };
  const summaryInfo = info(meta.modelUuid, analysis.usage.summary);
  if (summaryInfo) metadata.summary_info = summaryInfo;
  const topicsInfo = info(meta.modelUuid, analysis.usage.topics);
  if (topicsInfo) metadata.topics_info = topicsInfo;
  const intentsInfo = info(meta.modelUuid, analysis.usage.intents);
  if (intentsInfo) metadata.intents_info = intentsInfo;
  const sentimentInfo = info(meta.modelUuid, analysis.usage.sentiment);
  if (sentimentInfo) metadata.sentiment_info = sentimentInfo;
  const results: ReadResponse["results"] = {};
  if (analysis.summary !== undefined) results.summary = { text: analysis.summary };
  if (analysis.topics) results.topics = analysis.topics;
  if (analysis.intents) results.intents = analysis.intents;
  if (analysis.sentiments) results.sentiments = analysis.sentiments;
  return { metadata, results };
}

/** What `/v1/listen` adds for its intelligence options, from the first channel's formatted words. */
export interface ListenIntelligence {
  /** `summarize=v2`: `results.summary`. */
  summary?: { result: "success"; short: string };
  /** `summarize=true` (v1): `alternatives[].summaries`. */
  summaries?: SummaryV1[];
  topics?: Topics;
  intents?: Intents;
  sentiments?: Sentiments;
  usage: IntelligenceResults["usage"];
}

export function listenIntelligence(
  words: readonly Word[],
  options: Partial<
    Pick<
      ListenOptions,
      | "summarize"
      | "topics"
      | "custom_topic"
      | "custom_topic_mode"
      | "intents"
      | "custom_intent"
      | "custom_intent_mode"
      | "sentiment"
    >
  >,
): ListenIntelligence {
  const texts = words.map((w) => w.punctuated_word ?? w.word);
  const summarizeOption = options.summarize?.toLowerCase();
  const analysis = analyzeWords(
    texts,
    featureOptions(options, summarizeOption !== undefined && summarizeOption !== "false"),
  );
  const out: ListenIntelligence = { usage: analysis.usage };
  if (analysis.summary !== undefined) {
    if (summarizeOption === "v2") out.summary = { result: "success", short: analysis.summary };
    else out.summaries = [{ summary: analysis.summary, start_word: 0, end_word: texts.length }];
  }
  if (analysis.topics) out.topics = analysis.topics;
  if (analysis.intents) out.intents = analysis.intents;
  if (analysis.sentiments) out.sentiments = analysis.sentiments;
  return out;
}
