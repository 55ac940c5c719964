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

export const ListenOptionsSchema = z
  .object({
    model: queryString.optional(),
    version: queryString.optional(),
    language: queryString.optional(),
    encoding: z.preprocess((v) => (Array.isArray(v) ? v[v.length - 1] : v), z.enum(RAW_ENCODINGS)).optional(),
    sample_rate: queryInt.pipe(z.number().min(1000).max(384_000)).optional(),
    channels: queryInt.pipe(z.number().min(1).max(32)).optional(),
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
    // Known Deepgram options, parsed for validity; see UNIMPLEMENTED_LISTEN_OPTIONS.
    punctuate: queryBool.optional(),
    smart_format: queryBool.optional(),
    diarize: queryBool.optional(),
    diarize_model: queryString.optional(),
    // Earshot extensions (Gladia's `diarization_config`): bounds on the number of speakers `diarize` finds.
    num_speakers: queryInt.pipe(z.number().min(1).max(32)).optional(),
    min_speakers: queryInt.pipe(z.number().min(1).max(32)).optional(),
    max_speakers: queryInt.pipe(z.number().min(1).max(32)).optional(),
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
  "punctuate",
  "smart_format",
  "numerals",
  "measurements",
  "dictation",
  "filler_words",
  "profanity_filter",
  "redact",
  "keywords",
  "keyterm",
  "summarize",
  "topics",
  "intents",
  "sentiment",
  "custom_topic",
  "custom_intent",
  "detect_entities",
] as const satisfies readonly (keyof ListenOptions)[];

export const WarningSchema = z.object({
  parameter: z.string(),
  type: z.string(),
  message: z.string(),
});
export type Warning = z.infer<typeof WarningSchema>;

/** Features a serving model may provide itself, which turn the options below from unimplemented to served. */
export interface ProvidedFeatures {
  punctuation?: boolean;
  diarization?: boolean;
  languageDetection?: boolean;
}

const PROVIDED_BY: Partial<Record<(typeof UNIMPLEMENTED_LISTEN_OPTIONS)[number], keyof ProvidedFeatures>> = {
  punctuate: "punctuation",
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
    if (key === "summarize" && value === "false") continue;
    warnings.push({
      parameter: key,
      type: "unsupported_feature",
      message: `'${key}' is not implemented by this Earshot server yet and was ignored.`,
    });
  }
  return warnings;
}

/** Whether the options ask for speaker labels: `diarize=true`, or any `diarize_model` (Deepgram's rule). */
export const wantsDiarization = (options: Pick<ListenOptions, "diarize" | "diarize_model">): boolean =>
  options.diarize === true || (options.diarize_model !== undefined && options.diarize !== false);

/**
 * `detect_language`: off (absent or `false`), any language (`true`), or a list of candidate language codes.
 * Deepgram sends the list as repeated keys; `true`/`false` arrive as the list's only item.
 */
export function languageCandidates(options: Pick<ListenOptions, "detect_language">): string[] | "any" | undefined {
  const values = options.detect_language?.filter((v) => v !== "") ?? [];
  if (values.length === 0 || values.every((v) => v === "false")) return undefined;
  const codes = values.filter((v) => v !== "true" && v !== "false");
  return codes.length ? codes : "any";
}

/** Parse a query multimap; throws an InvalidRequestError that names every bad option. */
export function parseListenOptions(query: Record<string, unknown>): ListenOptions {
  return parseQuery(ListenOptionsSchema, query);
}
