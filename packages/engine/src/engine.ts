/**
 * The engine as the server and the CLI see it: bytes in, timed words per channel out, with every CPU-heavy
 * step on the worker pool. Admission is bounded: past `queueLimit` requests in flight, `transcribe` throws a
 * {@link CapacityError} at once (the server's 429) instead of letting the backlog grow without limit.
 */
import { availableParallelism } from "node:os";
import { CancelledError, CapacityError, ErrorCode, InvalidRequestError } from "@earshot/protocol";
import { type ArchitectureRegistrations, builtInArchitectures, registrationOf } from "./architectures.js";
import { NARROWBAND_RATE } from "./audio/bandwidth.js";
import type { RawFormat } from "./audio/decode.js";
import type { DiarizeOptions } from "./diarize/types.js";
import { labelWords } from "./diarize/words.js";
import { type ChannelLanguage, channelLanguage } from "./language.js";
import { type InstalledModel, ModelRegistry, type ModelResolution } from "./models/registry.js";
import type { PocketSphinxOptions } from "./pocketsphinx/options.js";
import type { PreparedPiece, PrepareResult } from "./pool/messages.js";
import { type LoadedModel, WorkerPool } from "./pool/worker-pool.js";
import { DecodeSpeed, TranscriptionProgress } from "./progress.js";
import type { Keyterm, Recognition, RecognizedWord, SpokenLanguage } from "./recognizer.js";
import type { LiveDecoderCounts } from "./stream/decoder-pool.js";
import { LiveStream, type LiveStreamHandlers } from "./stream/live-stream.js";
import type { LiveSettings, StreamProgress } from "./stream/types.js";
import type { WhisperOptions } from "./whisper/options.js";

/** Everything the engine is configured with; it reads no environment variables itself. */
export interface EngineOptions {
  /** Worker threads, each holding its own loaded models. Default: one per core. */
  workers?: number;
  /** Requests admitted at once (running or waiting). Default: 8 per worker. */
  queueLimit?: number;
  /** The installed models; built from `modelsDir` and `defaultModel` when not given. */
  registry?: ModelRegistry;
  /** Folder of installed model folders. Default `~/.earshot/models`. */
  modelsDir?: string | undefined;
  /** The speech model requests get when they name none; it must be installed. Default `pocketsphinx-en-us`. */
  defaultModel?: string | undefined;
  /** Longest piece of audio decoded as one utterance, seconds. */
  maxPiece?: number;
  /**
   * End pieces at pauses where the speaker changes, as the diarizer hears it, so that a piece does not run on into
   * another voice. Default true: on multi-speaker conversations a piece spanning a change cost words (bench/tune
   * `--conversations`).
   */
  speakerPieces?: boolean;
  ffmpegBinary?: string;
  /** The built-in PocketSphinx engine: its libraries and live decoding. */
  pocketsphinx?: PocketSphinxOptions;
  /** The built-in whisper.cpp engine; its threads per decode default to the cores divided among the workers. */
  whisper?: WhisperOptions;
  /**
   * More engines, by the architecture name their models' manifests give (one named `pocketsphinx` replaces the
   * built-in one). Each is a module the workers import; see {@link ArchitectureModule}.
   */
  architectures?: ArchitectureRegistrations;
  live?: LiveOptions;
  /**
   * Seconds a loaded model may go unused before its workers free it (it loads again on the next request);
   * `false` keeps models loaded. Default 900.
   */
  idleUnloadSeconds?: number | false;
}

/**
 * Idle live decoders a worker keeps per model, so the first voices after a quiet spell do not wait ~0.4 s for a
 * PocketSphinx build; spare ones beyond these are freed after `spareDecoderSeconds` idle.
 */
const WARM_LIVE_DECODERS = 2;

export interface LiveOptions {
  /**
   * Concurrent live channels per worker. Default 6, measured by bench/live: the bound is CPU, since a channel
   * holds a decoder (PocketSphinx: ~80 MB) only while its speaker is talking, and one built for it when it
   * opened is freed after `spareDecoderSeconds` unused.
   */
  streamsPerWorker?: number;
  /**
   * Seconds a live decoder beyond a worker's warm set may stay idle before it is freed (default 30). Opening a
   * stream builds one for each of its channels, so this is also how long a silent stream costs one.
   */
  spareDecoderSeconds?: number;
}

export interface OpenStreamOptions {
  model?: string | undefined;
  language?: string | undefined;
  /** Headerless audio (`encoding`, `sample_rate`, `channels`); containers are recognised from their bytes. */
  raw?: RawFormat | undefined;
  multichannel?: boolean | undefined;
  /** Channels declared by the client; with `multichannel` each one reserves a decoder. */
  channels?: number | undefined;
  settings: LiveSettings;
}

export interface TranscribeOptions {
  model?: string | undefined;
  language?: string | undefined;
  raw?: RawFormat | undefined;
  multichannel?: boolean | undefined;
  /** Words to recognise more readily; whether the model's recogniser applied them is `Transcript.keyterms`. */
  keyterms?: readonly Keyterm[] | undefined;
  /** `detect_language`: ask a model that can to detect the spoken language. */
  detectLanguage?: boolean | undefined;
  /** `speaker_adaptation`: decode each piece again with the model adapted to its speaker (RecognizeOptions). */
  adaptSpeaker?: boolean | undefined;
  /**
   * Label every word with its speaker (per channel), within these bounds on the number of speakers. The
   * engine's diarizer runs unless the serving model labels speakers itself (its `diarization` capability).
   */
  diarize?: DiarizeOptions | undefined;
  /** Fraction of the speech decoded so far, 0 → 1, at least every half second while it runs (see progress.ts). */
  onProgress?: ((fraction: number) => void) | undefined;
  /** Stops the work: pieces not yet started are dropped and the call rejects with a {@link CancelledError}. */
  signal?: AbortSignal | undefined;
}

/** Audio decoded and cut into pieces, per channel, ready for {@link Engine.recognizePieces}. */
export type PreparedAudio = PrepareResult;

export interface Transcript {
  sha256: string;
  /** Seconds of audio. */
  duration: number;
  channelCount: number;
  /** Words per channel, times in seconds from the start of the audio. One entry unless `multichannel`. */
  channels: RecognizedWord[][];
  /** The language of each channel and how sure the engine is of it. */
  languages: ChannelLanguage[];
  model: InstalledModel;
  /** The Deepgram model name the request asked for, when it was served by `model` instead. */
  aliasOf: string | undefined;
  /** Set when keyterms were asked for: whether the recogniser applied them to every piece. */
  keyterms?: boolean;
}

/**
 * Hooks for what only the engine sees (the server's metrics). Called on the main thread; keep them cheap.
 */
export interface EngineObserver {
  /** A task started on a worker thread after waiting `waitSeconds` for one. */
  taskStarted?(waitSeconds: number): void;
  /** A task ended after `runSeconds` on its worker thread. */
  taskEnded?(runSeconds: number): void;
  /** A worker thread loaded `model` for recognition, taking `seconds` (once per model and worker). */
  modelLoaded?(model: string, seconds: number): void;
}

export interface EngineStatus {
  defaultModel: string;
  workers: number;
  busyWorkers: number;
  queueDepth: number;
  queueLimit: number;
  active: number;
  /** Models loaded for recognition, per worker. */
  loadedModels: LoadedModel[];
  /**
   * Live decoders over all workers: `held` by a channel in the middle of an utterance, `idle` built and ready.
   * Open streams that are silent hold none (those built when they opened are idle until freed). Absent from engines without live decoders.
   */
  liveDecoders?: LiveDecoderCounts;
}

export class Engine {
  readonly registry: ModelRegistry;
  readonly queueLimit: number;
  private readonly pool: WorkerPool;
  /** Measured decoding speed per model, for progress inside a piece. */
  private readonly speed = new DecodeSpeed();
  private readonly maxPiece: number;
  private readonly speakerPieces: boolean;
  private active = 0;
  private lane = 0;
  /** Live channels allowed at once; each is pinned to a worker. */
  readonly maxLiveChannels: number;
  private liveChannels = 0;
  private readonly ffmpegBinary: string;
  private readonly architectures: ArchitectureRegistrations;

  constructor(options: EngineOptions = {}) {
    this.registry =
      options.registry ?? new ModelRegistry({ modelsDir: options.modelsDir, defaultModel: options.defaultModel });
    const workers = options.workers ?? availableParallelism();
    this.queueLimit = options.queueLimit ?? workers * 8;
    this.maxPiece = options.maxPiece ?? 20;
    this.speakerPieces = options.speakerPieces ?? true;
    const streamsPerWorker = options.live?.streamsPerWorker ?? 6;
    this.maxLiveChannels = workers * streamsPerWorker;
    this.ffmpegBinary = options.ffmpegBinary ?? "ffmpeg";
    // whisper.cpp spreads one decode over several threads; splitting the cores among the workers keeps
    // workers that decode at once from oversubscribing the CPU.
    const whisper = { threads: Math.max(1, Math.floor(availableParallelism() / workers)), ...options.whisper };
    this.architectures = { ...builtInArchitectures(options.pocketsphinx, whisper), ...options.architectures };
    this.pool = new WorkerPool(
      {
        vadModel: this.registry.vad()?.files.model,
        ffmpegBinary: options.ffmpegBinary,
        architectures: this.architectures,
        live: {
          vadModel: this.registry.vad()?.files.model,
          warmDecoders: WARM_LIVE_DECODERS,
          spareIdleMs: (options.live?.spareDecoderSeconds ?? 30) * 1000,
        },
        idleUnloadMs: options.idleUnloadSeconds === false ? false : (options.idleUnloadSeconds ?? 900) * 1000,
      },
      workers,
    );
  }

  /** The installed model serving a request's `model` and `language`, on an engine this server runs. */
  private resolve(options: Pick<TranscribeOptions, "model" | "language">): ModelResolution {
    const resolution = this.registry.resolve(options.model, options.language);
    registrationOf(this.architectures, resolution.model);
    return resolution;
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
    const { model, aliasOf } = this.resolve(options);
    this.checkCapacity();
    const { lane, cancelled, release } = this.openLane("request", options.signal, "The transcription was cancelled.");
    this.active++;
    try {
      const prepared = await this.prepareOn(lane, bytes, {
        ...options,
        diarize: model.capabilities.diarization ? undefined : options.diarize,
      });
      // Cancelled while decoding: queue no piece at all.
      options.signal?.throwIfAborted();
      const pieces = prepared.channels.flat();
      const total = pieces.reduce((sum, p) => sum + (p.end - p.start), 0);
      const progress = options.onProgress
        ? new TranscriptionProgress(total, this.speed.cost(model.name), options.onProgress)
        : undefined;
      const keyterms = options.keyterms?.length ? options.keyterms : undefined;
      const { language, detectLanguage, adaptSpeaker } = options;
      const recognition = { language, detectLanguage, keyterms, adaptSpeaker };
      let next = 0;
      const recognizePiece = async (piece: PreparedPiece): Promise<Recognition> => {
        const index = next++;
        const duration = piece.end - piece.start;
        let started = 0;
        const result = await this.pool.run(
          lane,
          { type: "recognize", model, pcm: piece.pcm, options: recognition },
          [piece.pcm.buffer as ArrayBuffer],
          () => {
            started = performance.now();
            progress?.started(index, duration);
          },
        );
        this.speed.observe(model.name, duration, (performance.now() - started) / 1000);
        progress?.finished(index, duration);
        return result;
      };
      // All pieces are queued at once: the pool's lanes keep this fair to other requests, and a long file
      // spreads over every idle worker.
      let results: Recognition[][];
      try {
        results = await Promise.all(prepared.channels.map((channel) => Promise.all(channel.map(recognizePiece))));
      } finally {
        progress?.stop();
      }
      progress?.end();
      const transcript = stitchTranscript(prepared, (channel, piece) => results[channel]![piece]!.words, {
        model,
        aliasOf,
        languageOf: (channel, piece) => results[channel]![piece]!.language,
      });
      if (keyterms) transcript.keyterms = results.flat().every((r) => r.keyterms === true);
      return transcript;
    } catch (err) {
      throw options.signal?.aborted ? cancelled() : err;
    } finally {
      release();
      this.active--;
    }
  }

  /**
   * A lane of the pool for one request, cancelled when `signal` aborts: its tasks still waiting for a worker are
   * dropped with a {@link CancelledError} (running ones finish; the caller discards their results). `release`
   * stops listening to the signal.
   */
  private openLane(kind: string, signal: AbortSignal | undefined, message: string) {
    const cancelled = (): CancelledError => new CancelledError(message);
    if (signal?.aborted) throw cancelled();
    const lane = `${kind}-${this.lane++}`;
    const cancel = (): void => this.pool.cancelLane(lane, cancelled());
    signal?.addEventListener("abort", cancel, { once: true });
    return { lane, cancelled, release: () => signal?.removeEventListener("abort", cancel) };
  }

  /** Throws the 429 a new live stream of `channels` channels would get now; nothing is dropped from open ones. */
  checkStreamCapacity(channels = 1): void {
    // More channels than the whole server holds can never fit: a 429 would have the client retry forever.
    if (channels > this.maxLiveChannels) {
      throw new InvalidRequestError(
        `A live stream of ${channels} channels is more than this server can ever hold (${this.maxLiveChannels} live channels in all).`,
        ErrorCode.InvalidQuery,
      );
    }
    if (this.liveChannels + channels > this.maxLiveChannels) {
      throw new CapacityError(
        `Too many live streams: ${this.liveChannels} channels are being transcribed, the limit is ${this.maxLiveChannels}. Please try again later.`,
        5,
      );
    }
  }

  /**
   * Open a live stream: reserves its channels, then builds its recognisers on the worker with the fewest
   * streams (a new decoder takes ~1 s; later streams reuse idle ones), so the stream can take audio at once.
   * A model that does not stream (by its capabilities, or for want of a live decoder in its engine) is a 400.
   */
  async openStream(options: OpenStreamOptions, handlers: LiveStreamHandlers): Promise<LiveStream> {
    const { model, aliasOf } = this.resolve(options);
    if (!model.capabilities.streaming) {
      throw new InvalidRequestError(
        `Model '${model.name}' cannot transcribe live audio; send it to POST /v1/listen instead. Models that stream: ${
          this.registry
            .stt()
            .filter((m) => m.capabilities.streaming)
            .map((m) => m.name)
            .join(", ") || "none"
        }.`,
        ErrorCode.ModelNotStreaming,
      );
    }
    const channels = options.multichannel ? (options.channels ?? options.raw?.channels ?? 1) : 1;
    this.checkStreamCapacity(channels);
    this.liveChannels += channels;
    const id = this.lane++;
    const session = this.pool.openSession(`stream-${id}`);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.liveChannels -= channels;
      session.release();
    };
    let opened: StreamProgress;
    try {
      opened = await session.run({
        type: "stream-open",
        session: id,
        model,
        settings: options.settings,
        channels,
        multichannel: options.multichannel ?? false,
        narrowband:
          options.raw !== undefined && (options.raw.sampleRate <= NARROWBAND_RATE || options.raw.encoding === "amr-nb"),
      });
    } catch (err) {
      release();
      throw err;
    }
    return new LiveStream(
      id,
      session,
      {
        model,
        aliasOf,
        raw: options.raw,
        multichannel: options.multichannel ?? false,
        ffmpegBinary: this.ffmpegBinary,
        keyterms: opened.keyterms === true,
      },
      handlers,
      release,
    );
  }

  /**
   * Decodes `bytes` and cuts them at the VAD's silences without recognising anything, for a caller that spreads
   * the pieces further than this engine's pool (the job engine, over several worker processes).
   */
  prepare(
    bytes: Uint8Array,
    options: Pick<TranscribeOptions, "raw" | "multichannel" | "diarize"> = {},
  ): Promise<PreparedAudio> {
    return this.prepareOn(`prepare-${this.lane++}`, bytes, options);
  }

  private prepareOn(
    lane: string,
    bytes: Uint8Array,
    options: Pick<TranscribeOptions, "raw" | "multichannel" | "diarize">,
  ): Promise<PreparedAudio> {
    return this.pool.run(lane, {
      type: "prepare",
      bytes,
      raw: options.raw,
      multichannel: options.multichannel ?? false,
      maxPiece: this.maxPiece,
      speakerPieces: this.speakerPieces,
      diarize: options.diarize,
    });
  }

  /**
   * Recognises pieces from {@link prepare}, yielding each piece's recognition in order as soon as it and the ones
   * before it are done; word times count from the piece's start. All are queued at once on one lane, so the pool
   * shares its workers fairly between this call and other requests while a long file spreads over every idle
   * worker.
   * Aborting `signal`, or leaving the loop early, drops the pieces still waiting for a worker; with the signal the
   * iteration then rejects with a {@link CancelledError}.
   */
  async *recognizePieces(
    pcms: Int16Array[],
    options: Pick<
      TranscribeOptions,
      "model" | "language" | "detectLanguage" | "keyterms" | "adaptSpeaker" | "signal"
    > = {},
  ): AsyncGenerator<Recognition, void, undefined> {
    const { model } = this.resolve(options);
    const { signal } = options;
    const { lane, cancelled, release } = this.openLane("pieces", signal, "The recognition was cancelled.");
    this.active++;
    const { language, detectLanguage, adaptSpeaker } = options;
    const keyterms = options.keyterms?.length ? options.keyterms : undefined;
    const recognition = { language, detectLanguage, keyterms, adaptSpeaker };
    const pending = pcms.map((pcm) =>
      this.pool.run(lane, { type: "recognize", model, pcm, options: recognition }, [pcm.buffer as ArrayBuffer]),
    );
    // Awaited in order below; a later piece's failure must not go unobserved meanwhile.
    for (const piece of pending) piece.catch(() => {});
    try {
      for (const piece of pending) {
        const recognised = await piece;
        if (signal?.aborted) throw cancelled();
        yield recognised;
      }
    } catch (err) {
      throw signal?.aborted ? cancelled() : err;
    } finally {
      release();
      this.pool.cancelLane(lane, cancelled());
      this.active--;
    }
  }

  /** Reports task waits, worker time and model loads to `observer` from now on (one observer at a time). */
  observe(observer: EngineObserver | undefined): void {
    this.pool.observer = observer;
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
      loadedModels: this.pool.loadedModels(),
      liveDecoders: this.pool.liveDecoders(),
    };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

const round = (seconds: number): number => Math.round(seconds * 1000) / 1000;

export interface StitchContext {
  model: InstalledModel;
  aliasOf: string | undefined;
  /** The language a piece's recogniser identified, when it does. */
  languageOf?: ((channel: number, piece: number) => SpokenLanguage | undefined) | undefined;
}

/**
 * Puts each prepared piece's words (times from the piece's start) on the recording's timeline, with the speakers
 * the prepare step found (`diarize`): one function for the engine's fan-out over its pool and the job engine's
 * over several processes.
 */
export function stitchTranscript(
  prepared: PreparedAudio,
  wordsOf: (channel: number, piece: number) => RecognizedWord[],
  { model, aliasOf, languageOf }: StitchContext,
): Transcript {
  const channels = prepared.channels.map((pieces, c) => {
    const words = pieces.flatMap((piece, i) =>
      wordsOf(c, i).map((w) => ({ ...w, start: round(w.start + piece.start), end: round(w.end + piece.start) })),
    );
    const turns = prepared.speakers?.[c];
    return turns ? labelWords(words, turns) : words;
  });
  return {
    sha256: prepared.sha256,
    duration: prepared.duration,
    channelCount: prepared.channelCount,
    channels,
    languages: prepared.channels.map((pieces, c) =>
      channelLanguage(
        model,
        channels[c]!,
        pieces.map((piece, i) => ({ language: languageOf?.(c, i), seconds: piece.end - piece.start })),
      ),
    ),
    model,
    aliasOf,
  };
}
