/** Messages between the engine (main thread) and its pool workers. */
import type { SerializedError } from "@earshot/protocol";
import type { ArchitectureRegistrations } from "../architectures.js";
import type { RawFormat } from "../audio/decode.js";
import type { DiarizeOptions, SpeakerTurn } from "../diarize/types.js";
import type { InstalledModel } from "../models/registry.js";
import type { Recognition, RecognizeOptions } from "../recognizer.js";
import type { LiveDecoderCounts } from "../stream/decoder-pool.js";
import type { StreamProgress, StreamTask } from "../stream/types.js";
import type { LiveWorkerConfig } from "../stream/worker-sessions.js";

export interface WorkerInit {
  /** The VAD model file, shared by every task of the worker. */
  vadModel: string | undefined;
  ffmpegBinary: string | undefined;
  /** Recogniser implementations by model architecture, imported on first use. */
  architectures: ArchitectureRegistrations;
  live: LiveWorkerConfig;
  /** Unload a model (and idle live decoders) unused this long, ms; `false` keeps models loaded. */
  idleUnloadMs: number | false;
}

/** A model a worker loaded: how long it took, and how much its resident memory grew meanwhile. */
export interface ModelLoad {
  model: string;
  seconds: number;
  memoryMb: number;
}

export interface PreparedPiece {
  start: number;
  end: number;
  pcm: Int16Array;
}

export interface PrepareTask {
  type: "prepare";
  bytes: Uint8Array;
  raw: RawFormat | undefined;
  /** Keep channels apart (`multichannel=true`) instead of mixing them down. */
  multichannel: boolean;
  maxPiece: number;
  /** Cut pieces where the speaker changes (EngineOptions.speakerPieces). */
  speakerPieces: boolean;
  /** Also find who speaks when in each channel, within these bounds; undefined: no diarization. */
  diarize: DiarizeOptions | undefined;
}

export interface PrepareResult {
  sha256: string;
  duration: number;
  channelCount: number;
  /** Pieces per recognised channel (one entry when mixed down). */
  channels: PreparedPiece[][];
  /**
   * With `diarize`: each channel's speaker turns over the whole channel (times from its start), so speaker
   * numbers hold across pieces.
   */
  speakers?: SpeakerTurn[][];
}

export interface RecognizeTask {
  type: "recognize";
  model: InstalledModel;
  pcm: Int16Array;
  options?: RecognizeOptions;
}

export type RecognizeResult = Recognition;

export type Task = PrepareTask | RecognizeTask | StreamTask;
export type TaskResult<T extends Task> = T extends PrepareTask
  ? PrepareResult
  : T extends StreamTask
    ? StreamProgress
    : RecognizeResult;

export type WorkerReply =
  | {
      id: number;
      ok: true;
      result: PrepareResult | RecognizeResult | StreamProgress;
      /** Set when this task made the worker load a model first. */
      loaded?: ModelLoad;
    }
  | { id: number; ok: false; error: SerializedError };

/** Told by a worker on its own: it unloaded `model` after `idleUnloadMs` without use. */
export interface WorkerUnloaded {
  unloaded: string;
}

/** Told by a worker whenever it builds, lends, takes back or frees live decoders. */
export interface WorkerLiveDecoders {
  liveDecoders: LiveDecoderCounts;
}
