/**
 * The engine as the server and the CLI see it: bytes in, timed words per channel out, with every CPU-heavy
 * step on the worker pool. Admission is bounded: past `queueLimit` requests in flight, `transcribe` throws a
 * {@link CapacityError} at once (the server's 429) instead of letting the backlog grow without limit.
 */
import { availableParallelism } from "node:os";
import { CapacityError } from "@earshot/protocol";
import type { RawFormat } from "./audio/decode.js";
import { type InstalledModel, ModelRegistry } from "./models/registry.js";
import type { PreparedPiece } from "./pool/messages.js";
import { WorkerPool } from "./pool/worker-pool.js";
import type { RecognizedWord } from "./recognizer.js";

export interface EngineOptions {
  /** Worker threads, each holding its own loaded models. Default: one per core. */
  workers?: number;
  /** Requests admitted at once (running or waiting). Default: 8 per worker. */
  queueLimit?: number;
  registry?: ModelRegistry;
  /** Longest piece of audio decoded as one utterance, seconds. */
  maxPiece?: number;
  ffmpegBinary?: string;
}

export interface TranscribeOptions {
  model?: string | undefined;
  language?: string | undefined;
  raw?: RawFormat | undefined;
  multichannel?: boolean | undefined;
  /** Fraction of the speech decoded so far, 0 → 1. */
  onProgress?: ((fraction: number) => void) | undefined;
}

export interface Transcript {
  sha256: string;
  /** Seconds of audio. */
  duration: number;
  channelCount: number;
  /** Words per channel, times in seconds from the start of the audio. One entry unless `multichannel`. */
  channels: RecognizedWord[][];
  model: InstalledModel;
  /** The Deepgram model name the request asked for, when it was served by `model` instead. */
  aliasOf: string | undefined;
}

export interface EngineStatus {
  defaultModel: string;
  workers: number;
  busyWorkers: number;
  queueDepth: number;
  queueLimit: number;
  active: number;
}

export class Engine {
  readonly registry: ModelRegistry;
  readonly queueLimit: number;
  private readonly pool: WorkerPool;
  private readonly maxPiece: number;
  private active = 0;
  private lane = 0;

  constructor(options: EngineOptions = {}) {
    this.registry = options.registry ?? new ModelRegistry();
    const workers = options.workers ?? availableParallelism();
    this.queueLimit = options.queueLimit ?? workers * 8;
    this.maxPiece = options.maxPiece ?? 20;
    this.pool = new WorkerPool(
      { vadModel: this.registry.vad()?.files.model, ffmpegBinary: options.ffmpegBinary },
      workers,
    );
  }

  /** Throws the 429 a new request would get now; lets a caller refuse before it commits to a response. */
  checkCapacity(): void {
    if (this.active >= this.queueLimit) {
      throw new CapacityError(
        `Too many requests: ${this.active} are already being transcribed. Please try again later.`,
        Math.max(1, Math.ceil(this.active / this.pool.size)),
      );
    }
  }

  async transcribe(bytes: Uint8Array, options: TranscribeOptions = {}): Promise<Transcript> {
    const { model, aliasOf } = this.registry.resolve(options.model, options.language);
    this.checkCapacity();
    this.active++;
    const lane = `request-${this.lane++}`;
    try {
      const prepared = await this.pool.run(lane, {
        type: "prepare",
        bytes,
        raw: options.raw,
        multichannel: options.multichannel ?? false,
        maxPiece: this.maxPiece,
      });
      const total = prepared.channels.flat().reduce((sum, p) => sum + (p.end - p.start), 0);
      let done = 0;
      const recognizePiece = async (piece: PreparedPiece): Promise<RecognizedWord[]> => {
        const { words } = await this.pool.run(lane, { type: "recognize", model, pcm: piece.pcm }, [
          piece.pcm.buffer as ArrayBuffer,
        ]);
        done += piece.end - piece.start;
        options.onProgress?.(total > 0 ? done / total : 1);
        return words.map((w) => ({ ...w, start: round(w.start + piece.start), end: round(w.end + piece.start) }));
      };
      // All pieces are queued at once: the pool's lanes keep this fair to other requests, and a long file
      // spreads over every idle worker.
      const channels = await Promise.all(
        prepared.channels.map(async (pieces) => (await Promise.all(pieces.map(recognizePiece))).flat()),
      );
      if (total === 0) options.onProgress?.(1);
      return {
        sha256: prepared.sha256,
        duration: prepared.duration,
        channelCount: prepared.channelCount,
        channels,
        model,
        aliasOf,
      };
    } finally {
      this.active--;
    }
  }

  status(): EngineStatus {
    const stats = this.pool.stats();
    return {
      defaultModel: this.registry.defaultModel.name,
      workers: stats.workers,
      busyWorkers: stats.busy,
      queueDepth: stats.queued,
      queueLimit: this.queueLimit,
      active: this.active,
    };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

const round = (seconds: number): number => Math.round(seconds * 1000) / 1000;
