/**
 * An incremental recogniser for one live channel, as an engine architecture provides it. The stream's VAD
 * decides where utterances start and end; the decoder gets each utterance's audio as it arrives, reports
 * partial words at any time and final words when the utterance ends. Word times are relative to the utterance
 * start. Natively streaming engines (sherpa-onnx, Vosk) map `start`/`feed`/`finish` onto their own streams;
 * a batch engine can serve live by re-decoding the utterance so far in `partial` (whisper.cpp). Every call may
 * answer with a promise.
 */
import type { MaybePromise, RecognizedWord } from "../recognizer.js";

export interface LiveDecoder {
  /** Begin an utterance. */
  start(): MaybePromise<void>;
  feed(pcm: Int16Array): MaybePromise<void>;
  /** Best hypothesis so far; called about every 100 ms of audio, so it should be cheap. */
  partial(): MaybePromise<RecognizedWord[]>;
  /** End the utterance and return its final words. */
  finish(): MaybePromise<RecognizedWord[]>;
  /**
   * Bring the decoder back to the state a new stream starts from. Decoders are kept and reused across streams
   * (some take a second to build); a reused one must not make a stream's words depend on its predecessor.
   */
  reset(): MaybePromise<void>;
  dispose(): void;
}
