/**
 * whisper.cpp through `@napi-rs/whisper`, the binding with a prebuilt that uses AVX2/AVX-512 (the
 * `@fugood` prebuilts are baseline SSE2 and 13× slower). Its `full()` is synchronous, so it only ever runs in a
 * pool worker. Its segments arrive through a thread-safe callback, after `full()` returns; they are collected
 * until their text adds up to what `full()` returned. Its logger callback is never registered: with one
 * registered, `full()` deadlocks.
 */
import { existsSync } from "node:fs";
import { UnavailableError } from "@earshot/protocol";
import { Whisper, WhisperFullParams, WhisperSamplingStrategy } from "@napi-rs/whisper";
import { RECOGNIZER_SAMPLE_RATE } from "../recognizer.js";
import type { WhisperSegment } from "./words.js";

/** Encoder frames per second of audio (1500 for the 30 s window). */
const ENCODER_FRAMES_PER_SECOND = 50;
/** whisper.cpp skips input shorter than a second, so shorter pieces are padded with silence. */
const MIN_SAMPLES = Math.ceil(1.1 * RECOGNIZER_SAMPLE_RATE);
/** Event-loop turns to wait for the segment callbacks before taking what has arrived. */
const SEGMENT_WAIT_TURNS = 100;

export interface WhisperDecodeOptions {
  /** ISO 639-1 code, or `auto` to detect. */
  language: string;
  translate?: boolean;
  threads: number;
  /** Encoder frames of margin past the audio; `false`: the full 30 s window. */
  audioCtxMargin: number | false;
}

export interface WhisperDecoding {
  segments: WhisperSegment[];
  /** The language whisper decoded in (detected when `language` was `auto`). */
  language: string | undefined;
}

export interface WhisperModel {
  readonly multilingual: boolean;
  decode(pcm: Float32Array, options: WhisperDecodeOptions): Promise<WhisperDecoding>;
}

/**
 * The installed ggml file as a whisper.cpp model. A missing or damaged file is the server's 503 naming the
 * model and the file, so the operator knows to pull or import it again.
 */
export function loadWhisperModel(path: string | undefined, name: string): WhisperModel {
  if (!path || !existsSync(path)) {
    throw new UnavailableError(
      `Model '${name}' cannot be loaded: its ggml file ${path ?? "(files.model in its manifest)"} does not exist.`,
    );
  }
  let whisper: Whisper;
  try {
    whisper = new Whisper(path);
  } catch (err) {
    throw new UnavailableError(
      `Model '${name}' cannot be loaded: whisper.cpp rejected ${path} (${(err as Error).message}); the file is not a ggml whisper model or is damaged. Install the model again.`,
    );
  }
  const maxCtx = whisper.modelNAudioCtx;
  return {
    multilingual: whisper.isMultilingual !== 0,
    async decode(pcm, options) {
      const samples = pcm.length >= MIN_SAMPLES ? pcm : padded(pcm);
      const params = new WhisperFullParams(WhisperSamplingStrategy.Greedy);
      params.nThreads = options.threads;
      params.language = options.language;
      params.translate = options.translate ?? false;
      params.tokenTimestamps = true;
      params.maxLen = 1;
      params.splitOnWord = true;
      // Each piece is independent: text carried over from a previous piece makes whisper repeat itself.
      params.noContext = true;
      params.suppressNonSpeechTokens = true;
      params.printProgress = false;
      params.printRealtime = false;
      params.printTimestamps = false;
      if (options.audioCtxMargin !== false) {
        const frames = Math.ceil((samples.length / RECOGNIZER_SAMPLE_RATE) * ENCODER_FRAMES_PER_SECOND);
        params.audioCtx = Math.min(maxCtx, frames + options.audioCtxMargin);
      }
      const segments: WhisperSegment[] = [];
      params.onNewSegment = (segment) => segments.push(segment);
      const text = whisper.full(params, samples).trim();
      // Read now: another decode on this worker may run while the segments arrive.
      const language = Whisper.lang(whisper.fullLangId) ?? undefined;
      for (let turn = 0; turn < SEGMENT_WAIT_TURNS && joined(segments) !== squeeze(text); turn++) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      return { segments, language };
    },
  };
}

function padded(pcm: Float32Array): Float32Array {
  const out = new Float32Array(MIN_SAMPLES);
  out.set(pcm);
  return out;
}

const squeeze = (text: string): string => text.replace(/\s+/g, "");
const joined = (segments: WhisperSegment[]): string => squeeze(segments.map((s) => s.text).join(""));
