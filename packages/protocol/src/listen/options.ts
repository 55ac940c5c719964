/**
 * `/v1/listen` query options, as Deepgram defines them for pre-recorded audio and (extended in `live.ts`) for
 * live streams.
 *
 * Every known option parses here so that a malformed value is a 400 rather than a silent default. Options
 * Earshot does not implement yet are listed in {@link UNIMPLEMENTED_LISTEN_OPTIONS}; the server reports them
 * in `metadata.warnings` instead of dropping them silently. Unknown keys are ignored, as Deepgram does.
 */
import { z } from "zod";
import { parseQuery, queryBool, queryInt, queryList, queryNumber, queryPairs, queryString } from "../query.js";

export const RAW_ENCODINGS = [
  "linear16",
  "linear32",
  "mulaw",
  "alaw",
  "flac",
  "opus",
  "ogg-opus",
  "amr-nb",
  "amr-wb",
  "speex",
  "g729",
] as const;
export type RawEncoding = (typeof RAW_ENCODINGS)[number];

/**
 * The audio a server takes, from the query or from a header. Below 4 kHz no speech engine hears anything (and a
 * header claiming 100 Hz makes a few bytes decode as minutes of audio); 192 kHz is the resampler's own bound.
 */
export const MIN_SAMPLE_RATE = 4000;
export const MAX_SAMPLE_RATE = 192_000;
export const MAX_CHANNELS = 32;
export const SampleRateSchema = queryInt.pipe(z.number().min(MIN_SAMPLE_RATE).max(MAX_SAMPLE_RATE));

export const ListenOptionsSchema = z
  .object({
    model: queryString.optional(),
    version: queryString.optional(),
    language: queryString.optional(),
    encoding: z.preprocess((v) => (Array.isArray(v) ? v[v.length - 1] : v), z.enum(RAW_ENCODINGS)).optional(),
    sample_rate: SampleRateSchema.optional(),
    channels: queryInt.pipe(z.number().min(1).max(MAX_CHANNELS)).optional(),
    multichannel: queryBool.optional(),
    utterances: queryBool.optional(),
    utt_split: queryNumber.pipe(z.number().min(0).max(60)).optional(),
    paragraphs: queryBool.optional(),
    search: queryList.optional(),
    replace: queryPairs.optional(),
    tag: queryList.optional(),
    extra: queryPairs.optional(),
    // Implemented by the job engine: the request is answered at once and the response is delivered to `callback`.
    callback: queryString.pipe(z.url()).optional(),
    callback_method: z
      .preprocess((v) => (typeof v === "string" ? v.toUpperCase() : v), z.enum(["POST", "PUT"]))
      .optional(),
    // The text stage after recognition (punctuation, formatting, redaction, intelligence); a few options are
    // still only parsed, see UNIMPLEMENTED_LISTEN_OPTIONS.
    punctuate: queryBool.optional(),
    smart_format: queryBool.optional(),
    diarize: queryBool.optional(),
    diarize_model: queryString.optional(),
    detect_language: queryList.optional(),
    numerals: queryBool.optional(),
    measurements: queryBool.optional(),
    dictation: queryBool.optional(),
    filler_words: queryBool.optional(),
    profanity_filter: queryBool.optional(),
    redact: queryList.optional(),
    keywords: queryList.optional(),
    keyterm: queryList.optional(),
    summarize: queryString.optional(),
    topics: queryBool.optional(),
    intents: queryBool.optional(),
    sentiment: queryBool.optional(),
    custom_topic: queryList.optional(),
    custom_topic_mode: queryString.optional(),
    custom_intent: queryList.optional(),
    custom_intent_mode: queryString.optional(),
    detect_entities: queryBool.optional(),
    mip_opt_out: queryBool.optional(),
    // Legacy options older clients still send: accepted and ignored.
    alternatives: queryInt.optional(),
    tier: queryString.optional(),
  })
  // Headerless audio carries no rate of its own, so Deepgram requires sample_rate whenever encoding is set.
  .superRefine((options, ctx) => {
    if (options.encoding !== undefined && options.sample_rate === undefined) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message: `encoding=${options.encoding} requires sample_rate: headerless audio does not say its sample rate`,
      });
    }
  });

export type ListenOptions = z.output<typeof ListenOptionsSchema>;

/** Options a caller may pass to the SDK: the same names and types, every one optional. */
export type ListenOptionsInput = Partial<ListenOptions>;

/**
 * Deepgram options that parse but change nothing yet. A request that turns one of them on gets a warning
 * naming it, so nobody mistakes a missing feature for a feature that found nothing.
 */
export const UNIMPLEMENTED_LISTEN_OPTIONS = [
  "diarize",
  "diarize_model",
  "detect_language",
] as const satisfies readonly (keyof ListenOptions)[];

export const WarningSchema = z.object({
  parameter: z.string(),
  type: z.string(),
  message: z.string(),
});
export type Warning = z.infer<typeof WarningSchema>;

/**
 * Features a serving model may provide itself, which turn the options below from unimplemented to served.
 * (Punctuation is not one: the text stage serves `punctuate` for every model.)
 */
export interface ProvidedFeatures {
  diarization?: boolean;
  languageDetection?: boolean;
}

const PROVIDED_BY: Partial<Record<(typeof UNIMPLEMENTED_LISTEN_OPTIONS)[number], keyof ProvidedFeatures>> = {
  diarize: "diarization",
  diarize_model: "diarization",
  detect_language: "languageDetection",
};

/**
 * Warnings for the options in `options` that are switched on but not implemented — neither by Earshot nor by
 * the model serving the request (`provided`, from its capabilities).
 */
export function unimplementedOptionWarnings(options: ListenOptions, provided: ProvidedFeatures = {}): Warning[] {
  const warnings: Warning[] = [];
  for (const key of UNIMPLEMENTED_LISTEN_OPTIONS) {
    const feature = PROVIDED_BY[key];
    if (feature && provided[feature]) continue;
    const value = options[key];
    if (value === undefined || value === false || (Array.isArray(value) && value.length === 0)) continue;
    warnings.push({
      parameter: key,
      type: "unsupported_feature",
      message: `'${key}' is not implemented by this Earshot server yet and was ignored.`,
    });
  }
  return warnings;
}

/** Parse a query multimap; throws an InvalidRequestError that names every bad option. */
export function parseListenOptions(query: Record<string, unknown>): ListenOptions {
  return parseQuery(ListenOptionsSchema, query);
}
