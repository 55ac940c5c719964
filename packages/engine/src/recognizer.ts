/**
 * The contract every speech recogniser implements. It is deliberately small — 16 kHz mono PCM in, timed
 * words out — so another engine (whisper.cpp, sherpa-onnx) slots in behind it without the server noticing.
 * Recognisers are synchronous and CPU-bound: they only ever run inside a pool worker.
 */
import type { InstalledModel } from "./models/registry.js";

/** The sample rate every recogniser receives. */
export const RECOGNIZER_SAMPLE_RATE = 16_000;

export interface RecognizedWord {
  /** Lower-case word as the model spells it. */
  word: string;
  /** Seconds from the start of the PCM passed in. */
  start: number;
  end: number;
  /** Posterior probability in [0, 1]. */
  confidence: number;
}

export interface Recognition {
  words: RecognizedWord[];
}

export interface Recognizer {
  /** Decode one utterance-sized piece of audio (a few seconds to a few tens of seconds). */
  recognize(pcm: Int16Array): Recognition;
  dispose(): void;
}

export type RecognizerFactory = (model: InstalledModel) => Recognizer;
