/**
 * An incremental recogniser for live speech, as an engine architecture provides it. The stream's VAD decides
 * where utterances start and end; the decoder gets each utterance's audio as it arrives, reports partial words
 * at any time and final words when the utterance ends. Word times are relative to the utterance start.
 * Natively streaming engines (sherpa-onnx, Vosk) map `start`/`feed`/`finish` onto their own streams; a batch
 * engine can serve live by re-decoding the utterance so far in `partial` (whisper.cpp). Every call may answer
 * with a promise.
 *
 * Decoders are shared: a worker lends one to a channel for one utterance, and the next utterance may run on
 * another decoder that served other streams in between. So `start` must leave nothing of earlier utterances
 * in the decoder but what the stream hands back through `carried`.
 */
import type { MaybePromise, RecognizedWord } from "../recognizer.js";

export interface LiveDecoder {
  /**
   * Begin an utterance. `carried` is what {@link carry} returned after the stream's previous utterance
   * (undefined for its first): the one state a stream keeps from one utterance to the next.
   */
  start(carried?: unknown): MaybePromise<void>;
  feed(pcm: Int16Array): MaybePromise<void>;
  /** Best hypothesis so far; called about every 100 ms of audio, so it should be cheap. */
  partial(): MaybePromise<RecognizedWord[]>;
  /** End the utterance and return its final words. */
  finish(): MaybePromise<RecognizedWord[]>;
  /**
   * After `finish`: what the stream should carry into its next utterance (PocketSphinx: its running cepstral
   * mean, a few dozen bytes). Absent or undefined: nothing.
   */
  carry?(): unknown;
  dispose(): void;
}
