/**
 * One listen request, however it arrived: `POST /v1/listen` (answered now or by callback), `/v1/jobs`, Gladia's
 * API, or a live stream's options. Options are parsed once, the raw-audio format is worked out once, and the
 * audio source is one of three kinds; every caller below the routes takes this shape.
 */
import {
  type DiarizeOptions,
  type Keyterm,
  type RawFormat,
  type TranscribeOptions,
  unknownRedactions,
} from "@earshot/engine";
import {
  AudioDecodeError,
  ErrorCode,
  InvalidRequestError,
  type ListenOptions,
  languageCandidates,
  parseListenOptions,
  wantsDiarization,
} from "@earshot/protocol";

/** Where the audio is: in the request, at a URL a worker fetches, or already in the blob store (an upload). */
export type AudioSource =
  | { type: "bytes"; bytes: Uint8Array }
  | { type: "url"; url: string }
  | { type: "stored"; key: string; size: number };

/** What an HTTP body can carry: the audio itself or its URL. */
export type BodyAudio = Exclude<AudioSource, { type: "stored" }>;

export interface Callback {
  url: string;
  method: "POST" | "PUT";
}

export interface ListenRequest<Audio extends AudioSource = AudioSource> {
  options: ListenOptions;
  /** How to read headerless audio; undefined when the bytes carry a container. */
  raw: RawFormat | undefined;
  audio: Audio;
  /** Where the response goes when it is not answered on this connection. */
  callback: Callback | undefined;
}

/** Headerless audio's format from the options; the options schema guarantees a sample_rate with an encoding. */
export function rawFormatOf(
  options: Pick<ListenOptions, "encoding" | "sample_rate" | "channels">,
): RawFormat | undefined {
  if (!options.encoding || options.sample_rate === undefined) return undefined;
  return { encoding: options.encoding, sampleRate: options.sample_rate, channels: options.channels ?? 1 };
}

export const callbackOf = (options: ListenOptions): Callback | undefined =>
  options.callback ? { url: options.callback, method: options.callback_method ?? "POST" } : undefined;

/** The audio of a request body: bytes with any Content-Type but JSON, or JSON `{"url": …}`. */
export function audioSourceOf(body: unknown): BodyAudio {
  // Fastify leaves an empty body undefined when there is no Content-Type; an empty JSON body is undefined too.
  if (body === undefined || body === null || (Buffer.isBuffer(body) && body.byteLength === 0)) {
    throw new AudioDecodeError(
      'The request body is empty: send audio bytes or JSON {"url": "https://…"}.',
      ErrorCode.EmptyAudio,
    );
  }
  if (Buffer.isBuffer(body)) return { type: "bytes", bytes: body };
  if (typeof body === "object" && "url" in body && typeof body.url === "string") return { type: "url", url: body.url };
  throw new InvalidRequestError(
    'A JSON body must be {"url": "https://…"}; send audio bytes with any other Content-Type.',
  );
}

export function listenRequest<Audio extends AudioSource>(
  options: ListenOptions,
  audio: Audio,
  callback: Callback | undefined = callbackOf(options),
): ListenRequest<Audio> {
  return { options, raw: rawFormatOf(options), audio, callback };
}

/**
 * What the options' schema cannot tell, because the text stage owns the list: every `redact` value must be one
 * it knows, or the request is refused rather than answered with the very text it asked to hide.
 */
export function checkTextOptions<Options extends Pick<ListenOptions, "redact">>(options: Options): Options {
  const unknown = unknownRedactions(options.redact ?? []);
  if (unknown.length) {
    throw new InvalidRequestError(
      `Unknown redact value${unknown.length > 1 ? "s" : ""} ${unknown.map((v) => `'${v}'`).join(", ")}: use pci, ssn, numbers, pii or an entity type such as phone_number.`,
    );
  }
  return options;
}

/** A `/v1/listen`-style HTTP request: options from the query, audio from the body. */
export function parseListenRequest(query: unknown, body: unknown): ListenRequest<BodyAudio> {
  const options = checkTextOptions(parseListenOptions(query as Record<string, unknown>));
  return listenRequest(options, audioSourceOf(body));
}

/**
 * `keyterm` values are taken literally, as Deepgram does (a `:2` there is part of the term); `keywords` may end
 * in an intensifier, `word:2`, which scales the boost (default 1).
 */
export function keytermsOf(options: Pick<ListenOptions, "keyterm" | "keywords">): Keyterm[] {
  const keywords = (options.keywords ?? []).map((value) => {
    const match = /^(.*):(-?\d+(?:\.\d+)?)$/.exec(value);
    return match ? { text: match[1]!, boost: Number(match[2]) } : { text: value, boost: 1 };
  });
  return [...(options.keyterm ?? []).map((text) => ({ text, boost: 1 })), ...keywords];
}

/**
 * The language the recogniser is asked for. `multi` (Deepgram's multilingual mode) names no language: the model
 * serves in its own, and the response says which (`languages`, `words[].language`).
 */
export const recognitionLanguage = (language: string | undefined): string | undefined =>
  language === "multi" ? undefined : language;

/** `diarize` and the speaker bounds (Earshot's `num_speakers`/`min_speakers`/`max_speakers`) for the engine. */
export function diarizeOptionsOf(options: ListenOptions): DiarizeOptions | undefined {
  if (!wantsDiarization(options)) return undefined;
  return { numSpeakers: options.num_speakers, minSpeakers: options.min_speakers, maxSpeakers: options.max_speakers };
}

/** What the engine needs of a request to decode and recognise it. */
export function transcribeOptionsOf(
  request: Pick<ListenRequest, "options" | "raw">,
): Pick<
  TranscribeOptions,
  "model" | "language" | "detectLanguage" | "raw" | "multichannel" | "keyterms" | "diarize" | "adaptSpeaker"
> {
  const { options, raw } = request;
  const keyterms = keytermsOf(options);
  // Deepgram's multilingual mode asks the model which language is spoken, as `detect_language` does.
  const detectLanguage = options.language === "multi" || languageCandidates(options) !== undefined;
  return {
    model: options.model,
    language: recognitionLanguage(options.language),
    detectLanguage,
    raw,
    multichannel: options.multichannel,
    diarize: diarizeOptionsOf(options),
    ...(keyterms.length ? { keyterms } : {}),
    ...(options.speaker_adaptation ? { adaptSpeaker: true } : {}),
  };
}
