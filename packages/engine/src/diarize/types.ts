/**
 * The contract of speaker diarization ("who spoke when"). The statistical diarizer that needs no model files is
 * one implementation; a neural one (a speaker-embedding network, a segmentation network) implements the same
 * interfaces and registers in `diarizers.ts`, and nothing that calls them changes.
 *
 * Diarizers are CPU-bound and synchronous at heart: like recognisers they run inside a pool worker, so they must
 * not depend on anything that exists only on the main thread.
 */
import type { SpeechSpan } from "../vad/silero.js";

export interface DiarizeOptions {
  /** Exactly this many speakers (Deepgram has no such option; Gladia's `number_of_speakers`). */
  numSpeakers?: number | undefined;
  minSpeakers?: number | undefined;
  maxSpeakers?: number | undefined;
}

/** A stretch of one speaker's speech. Times in seconds from the start of the samples. */
export interface SpeakerTurn {
  start: number;
  end: number;
  /** 0-based, numbered in order of first appearance. */
  speaker: number;
  /** How sure the diarizer is that this stretch is this speaker's, 0 → 1. */
  confidence: number;
}

export interface Diarization {
  /** Sorted by start; turns of different speakers may overlap when a diarizer detects overlapped speech. */
  turns: SpeakerTurn[];
  /** Number of speakers found. */
  speakers: number;
}

export interface Diarizer {
  /**
   * Who spoke when in `samples` (16 kHz mono), looking only inside `speech` (the VAD's spans, seconds).
   * The options bound the number of speakers; without them the diarizer chooses it.
   */
  diarize(samples: Float32Array, speech: SpeechSpan[], options?: DiarizeOptions): Diarization | Promise<Diarization>;
  dispose(): void;
}

/** The fields a word needs to be given a speaker (a recogniser's word, a Deepgram `Word`). */
export interface TimedWord {
  start: number;
  end: number;
}

export interface SpeakerLabel {
  speaker: number;
  speaker_confidence: number;
}

/**
 * Diarization of a live stream, one per channel: it hears the same 16 kHz audio as the recogniser and labels
 * the words of each result. Speaker numbers stay the same across pauses for as long as the stream lives, and its
 * memory is bounded however long that is.
 */
export interface OnlineDiarizer {
  /** The next samples of the stream (16 kHz mono, contiguous with the previous ones). */
  feed(samples: Float32Array): void;
  /**
   * Labels the words of a result (stream times). A final result also teaches the diarizer its speakers; an
   * interim one is labelled with what is known so far and changes nothing.
   */
  label<W extends TimedWord>(words: W[], final: boolean): (W & SpeakerLabel)[];
  /** Speakers met so far. */
  readonly speakers: number;
}

export interface OnlineDiarizerOptions {
  /** Never more than this many speakers (also the cap on the models kept). Default 8. */
  maxSpeakers?: number | undefined;
}

/** One diarization method: a batch diarizer for whole recordings and online ones for live streams. */
export interface DiarizerFactory {
  readonly name: string;
  createDiarizer(): Diarizer;
  createOnlineDiarizer(options?: OnlineDiarizerOptions): OnlineDiarizer;
}
