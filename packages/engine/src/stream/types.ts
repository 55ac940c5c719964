/** What a live stream is configured with and what it reports, shared by the main thread and pool workers. */
import type { RawFormat } from "../audio/decode.js";
import type { OnlineDiarizerOptions } from "../diarize/types.js";
import type { InstalledModel } from "../models/registry.js";
import type { Keyterm, RecognizedWord } from "../recognizer.js";

/** How the bytes a worker receives are laid out: headerless PCM, or a WAV stream (native or from the transcoder). */
export type LiveInput = ({ kind: "raw" } & RawFormat) | { kind: "wav" };

/** Per-channel behaviour of a stream, from the client's query options. */
export interface LiveSettings {
  /** Send partial hypotheses while an utterance is being spoken. */
  interimResults: boolean;
  /** Silence that ends an utterance with `speech_final`, ms; `false` turns endpointing off. */
  endpointingMs: number | false;
  /** Send `utterance-end` after this much time without words, ms. */
  utteranceEndMs: number | undefined;
  /** Report `speech-started`. */
  vadEvents: boolean;
  /** Label words with speakers (`diarize=true`) with the online diarizer; undefined: no labels. */
  diarize?: OnlineDiarizerOptions | undefined;
  /** Words to recognise more readily (`keyterm`, `keywords`), when the model's live decoders take them. */
  keyterms?: readonly Keyterm[] | undefined;
}

/** A transcript of the span [start, end] of one channel; times in seconds from the start of the stream. */
export interface LiveResult {
  type: "result";
  channel: number;
  isFinal: boolean;
  speechFinal: boolean;
  fromFinalize: boolean;
  start: number;
  end: number;
  words: RecognizedWord[];
}

export type LiveEvent =
  | LiveResult
  | { type: "speech-started"; channel: number; timestamp: number }
  | { type: "utterance-end"; channel: number; lastWordEnd: number };

export interface StreamOpenTask {
  type: "stream-open";
  session: number;
  model: InstalledModel;
  settings: LiveSettings;
  /** Channels recognised separately (1 unless `multichannel`); more are added if the audio has them. */
  channels: number;
  multichannel: boolean;
  /**
   * The declared format is telephone audio (raw at 8 kHz or less, or AMR-NB, which ffmpeg hands on at 16 kHz).
   * A WAV stream's rate is known only from its header, at its first bytes.
   */
  narrowband: boolean;
}

export interface StreamFeedTask {
  type: "stream-feed";
  session: number;
  bytes: Uint8Array;
  /** Sent with the first bytes, once the main thread knows the layout. */
  input: LiveInput | undefined;
}

export interface StreamControlTask {
  type: "stream-finalize" | "stream-close";
  session: number;
}

/** New keyterms for the stream (a `Configure` message): they apply from each channel's next utterance. */
export interface StreamConfigureTask {
  type: "stream-configure";
  session: number;
  keyterms: readonly Keyterm[];
}

export type StreamTask = StreamOpenTask | StreamFeedTask | StreamControlTask | StreamConfigureTask;

export interface StreamProgress {
  events: LiveEvent[];
  /** Seconds of audio the session has processed so far. */
  duration: number;
  /** Channels the audio has (known once the input's header was read). */
  channelCount: number;
  /** Answering `stream-open`: whether the model's live decoders apply keyterms. */
  keyterms?: boolean;
}
