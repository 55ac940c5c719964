/**
 * One long file over many worker processes. The worker that takes a long job cuts it at the VAD's silences
 * (`engine.prepare`), puts each piece's PCM in the blob store and a task per piece on the `pieces` queue; every
 * worker process (this one included) recognises pieces, and the results meet in a Redis hash, from which the
 * job's worker stitches the transcript back together on the file's timeline. A worker killed mid-way costs
 * only its unfinished pieces: a rerun of the job reuses every piece result already in the hash.
 */
import { type Keyterm, type Recognition, stitchTranscript, type Transcript } from "@earshot/engine";
import { EarshotError, ErrorCode } from "@earshot/protocol";
import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { ServerEngine } from "../engine.js";
import { transcribeOptionsOf } from "../listen/request.js";
import type { BlobStore } from "../storage/blob-store.js";
import { jobListen } from "./execute.js";
import type { JobRecord } from "./record.js";

/** Fewer pieces than this (about 40 s of speech) are not worth the round trips: they run on this worker. */
export const FANOUT_MIN_PIECES = 3;
const PIECES = "pieces";
const POLL_MS = 200;
const PIECE_ATTEMPTS = 3;

interface PieceData {
  job: string;
  piece: string;
  model: string | undefined;
  language: string | undefined;
  keyterms?: readonly Keyterm[] | undefined;
  adaptSpeaker?: boolean | undefined;
}

/** A piece's words in the results hash, and whether its recogniser applied the job's keyterms. */
type PieceResult = Pick<Recognition, "words" | "keyterms">;

/**
 * A piece result read back from the hash. Workers before keyterms reached the fan-out stored the bare word list:
 * during a rolling upgrade, or when a job is rerun over pieces such a worker left, their words still count (and
 * their keyterms, which they never applied, do not).
 */
export function pieceResultOf(json: string): PieceResult {
  const stored: PieceResult | PieceResult["words"] = JSON.parse(json);
  return Array.isArray(stored) ? { words: stored, keyterms: false } : stored;
}

const pieceName = (channel: number, index: number): string => `${channel}-${index}`;
const pcmBytes = (pcm: Int16Array): Uint8Array => new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);

export interface FanoutOptions {
  redis: Redis;
  /** Connections for the queue and the piece worker (BullMQ wants its own). */
  connect: () => Redis;
  prefix: string;
  engine: ServerEngine;
  blobs: BlobStore;
  /** Pieces recognised at once by this process. */
  concurrency: number;
  /** How a killed worker's pieces are found and taken over (BullMQ's lock and stalled check). */
  locks: { lockDuration: number; stalledInterval: number };
}

export class PieceFanout {
  private readonly queue: Queue<PieceData>;
  private readonly worker: Worker<PieceData>;

  constructor(private readonly options: FanoutOptions) {
    const prefix = `${options.prefix}:bull`;
    this.queue = new Queue<PieceData>(PIECES, { connection: options.connect(), prefix });
    this.worker = new Worker<PieceData>(PIECES, (task) => this.recognize(task.data), {
      connection: options.connect(),
      prefix,
      concurrency: options.concurrency,
      ...options.locks,
      // BullMQ fails a piece stalled too often without telling this worker, which would leave its job waiting
      // for good: a killed worker's piece is run again however often that happens.
      maxStalledCount: Number.MAX_SAFE_INTEGER,
    });
    // A piece that failed for good fails its job, which is waiting on it.
    this.worker.on("failed", (task, error) => {
      if (task && task.attemptsMade >= PIECE_ATTEMPTS) {
        void options.redis.hset(this.resultsKey(task.data.job), "error", error.message).catch(() => {});
      }
    });
    this.worker.on("error", () => {});
  }

  private resultsKey(job: string): string {
    return `${this.options.prefix}:pieces:${job}`;
  }

  private async recognize(data: PieceData): Promise<void> {
    const bytes = await this.options.blobs.get(`pieces/${data.job}/${data.piece}`);
    if (!bytes) return; // the job finished or was cancelled meanwhile
    const pcm = new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const { model, language, keyterms, adaptSpeaker } = data;
    for await (const recognised of this.options.engine.recognizePieces([pcm], {
      model,
      language,
      keyterms,
      adaptSpeaker,
    })) {
      const result: PieceResult = { words: recognised.words, keyterms: recognised.keyterms };
      await this.options.redis.hset(this.resultsKey(data.job), data.piece, JSON.stringify(result));
    }
  }

  /**
   * Transcribes `audio` for `job`, spreading its pieces over every worker when there are enough of them.
   * `onProgress` gets the fraction of speech recognised; returning false from it (the job is gone) stops.
   */
  async transcribe(
    job: JobRecord,
    audio: Uint8Array,
    onProgress: (fraction: number) => Promise<boolean>,
  ): Promise<Transcript | undefined> {
    const { engine, blobs, redis } = this.options;
    const { raw, multichannel, diarize, ...recognition } = transcribeOptionsOf(jobListen(job));
    const { model, aliasOf } = engine.registry.resolve(recognition.model, recognition.language);
    const prepared = await engine.prepare(audio, {
      raw,
      multichannel,
      diarize: model.capabilities.diarization ? undefined : diarize,
    });
    const pieces = prepared.channels.flatMap((channel, c) =>
      channel.map((piece, i) => ({ name: pieceName(c, i), piece })),
    );
    const total = pieces.reduce((sum, { piece }) => sum + (piece.end - piece.start), 0);
    const key = this.resultsKey(job.id);
    const results = new Map<string, PieceResult>();
    try {
      if (pieces.length < FANOUT_MIN_PIECES) {
        let next = 0;
        for await (const { words, keyterms } of engine.recognizePieces(
          pieces.map(({ piece }) => piece.pcm),
          recognition,
        )) {
          results.set(pieces[next++]!.name, { words, keyterms });
        }
      } else {
        const done = new Set(await redis.hkeys(key));
        const missing = pieces.filter(({ name }) => !done.has(name));
        await Promise.all(missing.map(({ name, piece }) => blobs.put(`pieces/${job.id}/${name}`, pcmBytes(piece.pcm))));
        await this.queue.addBulk(
          missing.map(({ name }) => ({
            name: PIECES,
            data: {
              job: job.id,
              piece: name,
              model: recognition.model,
              language: recognition.language,
              keyterms: recognition.keyterms,
              adaptSpeaker: recognition.adaptSpeaker,
            },
            opts: { jobId: `${job.id}-${name}`, attempts: PIECE_ATTEMPTS, removeOnComplete: true, removeOnFail: true },
          })),
        );
        const durations = new Map(pieces.map(({ name, piece }) => [name, piece.end - piece.start]));
        for (;;) {
          const names = await redis.hkeys(key);
          const failed = names.includes("error") ? await redis.hget(key, "error") : null;
          if (failed) throw new EarshotError(500, ErrorCode.Internal, `A piece of job ${job.id} failed: ${failed}`);
          const recognised = names.reduce((sum, name) => sum + (durations.get(name) ?? 0), 0);
          if (names.length >= pieces.length) break;
          if (!(await onProgress(total > 0 ? recognised / total : 0))) return undefined;
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
        for (const [name, result] of Object.entries(await redis.hgetall(key))) {
          results.set(name, pieceResultOf(result));
        }
      }
      const transcript = stitchTranscript(prepared, (c, i) => results.get(pieceName(c, i))?.words ?? [], {
        model,
        aliasOf,
      });
      if (recognition.keyterms) transcript.keyterms = [...results.values()].every((r) => r.keyterms === true);
      return transcript;
    } finally {
      await redis.del(key);
      await Promise.all(pieces.map(({ name }) => blobs.delete(`pieces/${job.id}/${name}`)));
    }
  }

  async close(): Promise<void> {
    await this.worker.close();
    await this.queue.close();
  }
}
