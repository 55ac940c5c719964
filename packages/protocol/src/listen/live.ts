/**
 * Live `GET /v1/listen` over WebSocket: the query options, the JSON frames each side sends (binary frames are
 * audio). The close codes a session can end with are in `core/live-close.ts`, which needs no zod.
 */
import { z } from "zod";
import { parseQuery, queryBool, queryInt } from "../query.js";
import { ListenOptionsSchema, languageCandidates, type Warning } from "./options.js";
import { ListenMetadataSchema, ModelInfoSchema, WordSchema } from "./response.js";

/** `endpointing=false` turns endpointing off; a number is the silence (ms) that ends speech. */
const endpointing = z.preprocess(
  (v) => {
    const s = Array.isArray(v) ? v[v.length - 1] : v;
    if (s === "false" || s === false) return false;
    if (s === "true" || s === true) return true;
    return typeof s === "string" && s.trim() !== "" ? Number(s) : s;
  },
  z.union([z.literal(false), z.literal(true), z.number().int().min(0).max(60_000)]),
);

// safeExtend keeps the pre-recorded options' rules (encoding requires sample_rate).
export const LiveListenOptionsSchema = ListenOptionsSchema.safeExtend({
  interim_results: queryBool.optional(),
  endpointing: endpointing.optional(),
  utterance_end_ms: queryInt.pipe(z.number().min(0).max(60_000)).optional(),
  vad_events: queryBool.optional(),
  // Legacy: older clients still send it; every result is sent as soon as it exists anyway.
  no_delay: queryBool.optional(),
});
export type LiveListenOptions = z.output<typeof LiveListenOptionsSchema>;
export type LiveListenOptionsInput = Partial<LiveListenOptions>;

/** Pre-recorded options that mean nothing on a live stream; a stream that sets one is told so in `Metadata`. */
export const PRERECORDED_ONLY_OPTIONS = [
  "utterances",
  "utt_split",
  "paragraphs",
  "callback",
  "callback_method",
  "summarize",
  "topics",
  "custom_topic",
  "intents",
  "custom_intent",
  "sentiment",
  "detect_entities",
  "detect_language",
] as const;

export function parseLiveListenOptions(query: Record<string, unknown>): LiveListenOptions {
  return parseQuery(LiveListenOptionsSchema, query);
}

export function prerecordedOnlyWarnings(options: LiveListenOptions): Warning[] {
  const on = (key: (typeof PRERECORDED_ONLY_OPTIONS)[number]): boolean => {
    if (key === "detect_language") return languageCandidates(options) !== undefined;
    const value = options[key];
    return value !== undefined && value !== false && value !== "false" && !(Array.isArray(value) && value.length === 0);
  };
  return PRERECORDED_ONLY_OPTIONS.filter(on).map((key) => ({
    parameter: key,
    type: "unsupported_feature",
    message: `'${key}' applies to pre-recorded audio only and was ignored on this stream.`,
  }));
}

/** Formatting features a `Configure` message may switch on or off while the stream runs. */
export const LIVE_CONFIGURABLE_FEATURES = [
  "numerals",
  "punctuate",
  "smart_format",
  "profanity_filter",
  "filler_words",
  "dictation",
  "measurements",
] as const satisfies readonly (keyof LiveListenOptions)[];
export type LiveConfigurableFeature = (typeof LIVE_CONFIGURABLE_FEATURES)[number];

/**
 * `Configure` (Deepgram, 2026): replaces the stream's keyterms (`[]` clears them, absent or null keeps them)
 * and switches formatting features, e.g. `{"type": "Configure", "features": {"numerals": true}}`.
 */
export const LiveConfigureSchema = z.object({
  type: z.literal("Configure"),
  keyterms: z.array(z.string()).nullish(),
  features: z.partialRecord(z.enum(LIVE_CONFIGURABLE_FEATURES), z.boolean()).optional(),
});
export type LiveConfigure = z.infer<typeof LiveConfigureSchema>;

// Client → server text frames. Parsed as JSON and matched on `type`, never compared as strings: clients
// differ in spacing (`{"type": "KeepAlive"}` from Python).
export const LiveClientMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("KeepAlive") }),
  z.object({ type: z.literal("Finalize") }),
  z.object({ type: z.literal("CloseStream") }),
  // Checked against LiveConfigureSchema on its own, so a bad one is answered with ConfigureFailure.
  z.looseObject({ type: z.literal("Configure") }),
]);
export type LiveClientMessage = z.infer<typeof LiveClientMessageSchema>;

/** The control message in a text frame, or undefined when the frame is not one we know. */
export function parseLiveClientMessage(text: string): LiveClientMessage | undefined {
  try {
    const parsed = LiveClientMessageSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

// Server → client text frames.
export const LiveAlternativeSchema = z.object({
  transcript: z.string(),
  confidence: z.number(),
  words: z.array(WordSchema),
  /** With `language=multi`: the languages spoken. */
  languages: z.array(z.string()).optional(),
});

export const LiveResultsSchema = z.object({
  type: z.literal("Results"),
  /** `[channel, total channels]`. */
  channel_index: z.tuple([z.number(), z.number()]),
  /** Seconds of stream audio this result covers, from `start`. */
  duration: z.number(),
  start: z.number(),
  is_final: z.boolean(),
  /** Final, and the speaker stopped (endpointing). */
  speech_final: z.boolean(),
  /** Produced by the client's `Finalize`. */
  from_finalize: z.boolean(),
  channel: z.object({ alternatives: z.array(LiveAlternativeSchema) }),
  metadata: z.object({ request_id: z.string(), model_info: ModelInfoSchema, model_uuid: z.string() }),
});
export type LiveResults = z.infer<typeof LiveResultsSchema>;

/** The pre-recorded response's metadata, sent as the last message of a stream (`duration`: audio processed). */
export const LiveMetadataSchema = ListenMetadataSchema.extend({ type: z.literal("Metadata") });
export type LiveMetadata = z.infer<typeof LiveMetadataSchema>;

export const UtteranceEndSchema = z.object({
  type: z.literal("UtteranceEnd"),
  channel: z.tuple([z.number(), z.number()]),
  last_word_end: z.number(),
});
export type UtteranceEnd = z.infer<typeof UtteranceEndSchema>;

export const SpeechStartedSchema = z.object({
  type: z.literal("SpeechStarted"),
  channel: z.tuple([z.number(), z.number()]),
  timestamp: z.number(),
});
export type SpeechStarted = z.infer<typeof SpeechStartedSchema>;

/** The answer to each `Configure`: what is in effect now. */
export const LiveConfigureSuccessSchema = z.object({
  type: z.literal("ConfigureSuccess"),
  request_id: z.string(),
  keyterms: z.array(z.string()),
  features: z.partialRecord(z.enum(LIVE_CONFIGURABLE_FEATURES), z.boolean()),
});
export type LiveConfigureSuccess = z.infer<typeof LiveConfigureSuccessSchema>;

/** A `Configure` that could not be applied; the stream goes on with the settings it had. */
export const LiveConfigureFailureSchema = z.object({
  type: z.literal("ConfigureFailure"),
  request_id: z.string(),
  description: z.string(),
});
export type LiveConfigureFailure = z.infer<typeof LiveConfigureFailureSchema>;

export const LiveServerMessageSchema = z.discriminatedUnion("type", [
  LiveResultsSchema,
  LiveMetadataSchema,
  UtteranceEndSchema,
  SpeechStartedSchema,
  LiveConfigureSuccessSchema,
  LiveConfigureFailureSchema,
]);
export type LiveServerMessage = z.infer<typeof LiveServerMessageSchema>;
