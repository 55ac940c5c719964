/**
 * The contract every speech recogniser implements. It is deliberately small — 16 kHz mono PCM in, timed
 * words out — so another engine (whisper.cpp, sherpa-onnx, Vosk) slots in behind it without the server
 * noticing. Recognisers are CPU-bound: they only ever run inside a pool worker, and may answer synchronously
 * (PocketSphinx through FFI) or with a promise (bindings that decode on their own threads).
 */

/** The sample rate every recogniser receives. */
export const RECOGNIZER_SAMPLE_RATE = 16_000;

export type MaybePromise<T> = T | Promise<T>;

export interface RecognizedWord {
  /** The word as the model spells it, lower case and without punctuation. */
  word: string;
  /** Seconds from the start of the PCM passed in. */
  start: number;
  end: number;
  /** Posterior probability in [0, 1]. */
  confidence: number;
  /** The word with its casing and punctuation, from a model that punctuates ("Hello,"). */
  punctuated_word?: string;
  /** Speaker index, from a model that diarizes or from the engine's diarizer (`diarize`). */
  speaker?: number;
  /** How sure the diarizer is of `speaker`, 0 → 1. */
  speaker_confidence?: number;
}

/** A language a recogniser identified in the audio it decoded. */
export interface SpokenLanguage {
  /** BCP-47 code, e.g. `en`. */
  language: string;
  /** 0 → 1. */
  confidence: number;
}

export interface Recognition {
  words: RecognizedWord[];
  /** Set by recognisers that identify the spoken language (models with the `languageDetection` capability). */
  language?: SpokenLanguage | undefined;
}

export interface Recognizer {
  /** Decode one utterance-sized piece of audio (a few seconds to a few tens of seconds). */
  recognize(pcm: Int16Array): MaybePromise<Recognition>;
  dispose(): void;
}
