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
  /** 0 → 1, when the recogniser reports how sure it is. */
  confidence?: number | undefined;
}

/** A word or phrase to recognise more readily (`keyterm`, `keywords=word:boost`). */
export interface Keyterm {
  text: string;
  /** How strongly: 1 for a keyterm, a keyword's intensifier otherwise. */
  boost: number;
}

export interface Recognition {
  words: RecognizedWord[];
  /** Set when the recogniser applied the keyterms it was given; a recogniser that ignores them leaves it unset. */
  keyterms?: boolean;
  /** Set by recognisers that identify the spoken language (models with the `languageDetection` capability). */
  language?: SpokenLanguage | undefined;
}

/** What a request asks of the recogniser beyond the audio; a recogniser ignores what its model cannot do. */
export interface RecognizeOptions {
  /** The request's `language` (BCP-47). */
  language?: string | undefined;
  /** Detect the spoken language instead of assuming `language`. */
  detectLanguage?: boolean | undefined;
  /** Words to recognise more readily. */
  keyterms?: readonly Keyterm[] | undefined;
  /**
   * Adapt the model to the speaker before the final decoding (PocketSphinx: a second pass with an MLLR
   * transform estimated on the first pass's words): about 2.5 times the time of one decoding.
   */
  adaptSpeaker?: boolean | undefined;
}

export interface Recognizer {
  /** Decode one utterance-sized piece of audio (a few seconds to a few tens of seconds). */
  recognize(pcm: Int16Array, options?: RecognizeOptions): MaybePromise<Recognition>;
  dispose(): void;
}
