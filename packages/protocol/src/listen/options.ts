/**
 * `/v1/listen` query options, as Deepgram defines them for pre-recorded audio and (extended in `live.ts`) for
 * live streams.
 *
 * Every known option parses here so that a malformed value is a 400 rather than a silent default. Unknown keys
 * are ignored, as Deepgram does.
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
    // The text stage after recognition (punctuation, formatting, redaction, intelligence).
    punctuate: queryBool.optional(),
    smart_format: queryBool.optional(),
    diarize: queryBool.optional(),
    diarize_model: queryString.optional(),
    // Earshot extensions (Gladia's `diarization_config`): bounds on the number of speakers `diarize` finds.
    num_speakers: queryInt.pipe(z.number().min(1).max(32)).optional(),
    min_speakers: queryInt.pipe(z.number().min(1).max(32)).optional(),
    max_speakers: queryInt.pipe(z.number().min(1).max(32)).optional(),
    detect_language: queryList.optional(),
    // Earshot extension: adapt the model to the speaker before the final decoding (two passes and an estimation,
    // about 2.5 times the time of one; see the README's figures). Models that cannot adapt ignore it.
    speaker_adaptation: queryBool.optional(),
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

export const WarningSchema = z.object({
  parameter: z.string(),
  type: z.string(),
  message: z.string(),
});
export type Warning = z.infer<typeof WarningSchema>;

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
