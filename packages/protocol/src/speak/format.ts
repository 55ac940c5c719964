/**
 * Text-to-speech output formats: which `encoding` / `container` / `sample_rate` / `bit_rate` combinations
 * Deepgram's `/v1/speak` accepts (REST and WebSocket), and OpenAI's `response_format` values, both
 * resolved to one {@link AudioFormat} the engine encodes. A combination Deepgram refuses is a 400 naming the
 * values that would work.
 */
import { ErrorCode, InvalidRequestError } from "../errors.js";

export const SPEAK_ENCODINGS = ["linear16", "mulaw", "alaw", "mp3", "opus", "flac", "aac"] as const;
export type SpeakEncoding = (typeof SPEAK_ENCODINGS)[number];

export const SPEAK_CONTAINERS = ["none", "wav", "ogg"] as const;
export type SpeakContainer = (typeof SPEAK_CONTAINERS)[number];

/** A fully resolved output format: what the engine encodes and what the response's Content-Type says. */
export interface AudioFormat {
  encoding: SpeakEncoding;
  container: SpeakContainer;
  sampleRate: number;
  /** Bits per second for the compressed encodings; unset for PCM and FLAC. */
  bitRate?: number | undefined;
}

interface EncodingRule {
  containers: readonly SpeakContainer[];
  sampleRates: readonly number[];
  defaultSampleRate: number;
  bitRate?: { min: number; max: number; default: number; allowed?: readonly number[] };
}

/** Deepgram's table for REST; the WebSocket accepts only the raw PCM encodings in `container=none`. */
const REST_RULES: Record<SpeakEncoding, EncodingRule> = {
  linear16: { containers: ["wav", "none"], sampleRates: [8000, 16000, 24000, 32000, 48000], defaultSampleRate: 24000 },
  mulaw: { containers: ["wav", "none"], sampleRates: [8000, 16000], defaultSampleRate: 8000 },
  alaw: { containers: ["wav", "none"], sampleRates: [8000, 16000], defaultSampleRate: 8000 },
  mp3: {
    containers: ["none"],
    sampleRates: [22050],
    defaultSampleRate: 22050,
    bitRate: { min: 32000, max: 48000, default: 48000, allowed: [32000, 48000] },
  },
  opus: {
    containers: ["ogg"],
    sampleRates: [48000],
    defaultSampleRate: 48000,
    bitRate: { min: 4000, max: 650000, default: 12000 },
  },
  flac: { containers: ["none"], sampleRates: [8000, 16000, 22050, 32000, 48000], defaultSampleRate: 48000 },
  aac: {
    containers: ["none"],
    sampleRates: [22050],
    defaultSampleRate: 22050,
    bitRate: { min: 4000, max: 192000, default: 48000 },
  },
};

const LIVE_ENCODINGS: readonly SpeakEncoding[] = ["linear16", "mulaw", "alaw"];

export interface FormatRequest {
  encoding?: string | undefined;
  container?: string | undefined;
  sample_rate?: number | undefined;
  bit_rate?: number | undefined;
}

const list = (values: readonly (string | number)[]): string => values.join(", ");

/**
 * Resolve Deepgram's options to a format, filling Deepgram's defaults (mp3 for REST, linear16 for the
 * WebSocket; wav for PCM over REST). Throws a 400 for any combination Deepgram would refuse.
 */
export function resolveSpeakFormat(request: FormatRequest, transport: "rest" | "websocket"): AudioFormat {
  const live = transport === "websocket";
  const encoding = (request.encoding ?? (live ? "linear16" : "mp3")) as SpeakEncoding;
  const allowed = live ? LIVE_ENCODINGS : SPEAK_ENCODINGS;
  if (!allowed.includes(encoding)) {
    throw new InvalidRequestError(
      `encoding=${request.encoding} is not supported${live ? " on the streaming (WebSocket) endpoint" : ""}; use one of ${list(allowed)}.`,
      ErrorCode.InvalidQuery,
    );
  }
  const rule = REST_RULES[encoding];
  const containers: readonly SpeakContainer[] = live ? ["none"] : rule.containers;
  const container = (request.container ?? containers[0]) as SpeakContainer;
  if (!containers.includes(container)) {
    throw new InvalidRequestError(
      `container=${request.container} is not supported with encoding=${encoding}; use ${containers.length > 1 ? "one of " : ""}${list(containers)}.`,
      ErrorCode.InvalidQuery,
    );
  }
  const sampleRate = request.sample_rate ?? rule.defaultSampleRate;
  if (!rule.sampleRates.includes(sampleRate)) {
    throw new InvalidRequestError(
      rule.sampleRates.length === 1
        ? `sample_rate=${sampleRate} is not supported with encoding=${encoding}: its sample rate is fixed at ${rule.defaultSampleRate}.`
        : `sample_rate=${sampleRate} is not supported with encoding=${encoding}; use one of ${list(rule.sampleRates)}.`,
      ErrorCode.InvalidQuery,
    );
  }
  if (request.bit_rate !== undefined && !rule.bitRate) {
    throw new InvalidRequestError(
      `bit_rate does not apply to encoding=${encoding}; leave it out.`,
      ErrorCode.InvalidQuery,
    );
  }
  let bitRate: number | undefined;
  if (rule.bitRate) {
    bitRate = request.bit_rate ?? rule.bitRate.default;
    const { min, max, allowed: exact } = rule.bitRate;
    if (exact ? !exact.includes(bitRate) : bitRate < min || bitRate > max) {
      throw new InvalidRequestError(
        `bit_rate=${bitRate} is not supported with encoding=${encoding}; use ${exact ? `one of ${list(exact)}` : `${min} to ${max}`}.`,
        ErrorCode.InvalidQuery,
      );
    }
  }
  return { encoding, container, sampleRate, bitRate };
}

/** OpenAI's `response_format` values; every one is 24 kHz like OpenAI's, except Opus, which is always 48 kHz. */
export const OPENAI_RESPONSE_FORMATS = ["mp3", "opus", "aac", "flac", "wav", "pcm"] as const;
export type OpenAiResponseFormat = (typeof OPENAI_RESPONSE_FORMATS)[number];

export function openAiFormat(format: OpenAiResponseFormat): AudioFormat {
  switch (format) {
    case "mp3":
      return { encoding: "mp3", container: "none", sampleRate: 24000, bitRate: 64000 };
    case "opus":
      return { encoding: "opus", container: "ogg", sampleRate: 48000, bitRate: 32000 };
    case "aac":
      return { encoding: "aac", container: "none", sampleRate: 24000, bitRate: 64000 };
    case "flac":
      return { encoding: "flac", container: "none", sampleRate: 24000 };
    case "wav":
      return { encoding: "linear16", container: "wav", sampleRate: 24000 };
    case "pcm":
      return { encoding: "linear16", container: "none", sampleRate: 24000 };
  }
}

/** The Content-Type of audio in `format`. */
export function mediaTypeOf(format: AudioFormat): string {
  if (format.container === "wav") return "audio/wav";
  if (format.container === "ogg") return "audio/ogg";
  switch (format.encoding) {
    case "mp3":
      return "audio/mpeg";
    case "flac":
      return "audio/flac";
    case "aac":
      return "audio/aac";
    default:
      return "application/octet-stream";
  }
}
