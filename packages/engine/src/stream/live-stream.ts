/**
 * One live stream as the server sees it: bytes in as the client sends them, {@link LiveEvent}s out as the
 * worker produces them. Main-thread side: it queues audio, sends it to the stream's pinned worker one task at a
 * time (so the pool's round-robin interleaves streams fairly), and applies backpressure instead of buffering
 * without bound — `write` returns false above the high-water mark and `onDrain` fires once below the low one.
 * No audio is ever dropped: a fast client is slowed down, not cut off.
 */
import { createHash } from "node:crypto";
import { AudioDecodeError, ConflictError, EarshotError, ErrorCode, type RawEncoding } from "@earshot/protocol";
import type { RawFormat } from "../audio/decode.js";
import { sniffContainer } from "../audio/sniff.js";
import type { InstalledModel } from "../models/registry.js";
import type { PoolSession } from "../pool/worker-pool.js";
import { type Keyterm, RECOGNIZER_SAMPLE_RATE } from "../recognizer.js";
import { Transcoder } from "./transcoder.js";
import type { LiveEvent, LiveInput, StreamProgress, StreamTask } from "./types.js";

/** Audio sent to the worker per task: about 1 s of 16 kHz 16-bit PCM, so one task never holds a worker long. */
const MAX_TASK_BYTES = 32 * 1024;
/** Queued audio above which the client is paused, and below which it resumes. */
const HIGH_WATER = 512 * 1024;
const LOW_WATER = 128 * 1024;
/** Bytes needed to recognise a container from its magic numbers. */
const SNIFF_BYTES = 12;

/** Encodings that need a decoder rather than a sample-format reader, with ffmpeg's name for their framing. */
const TRANSCODED_ENCODINGS: Partial<Record<RawEncoding, string>> = {
  flac: "flac",
  opus: "ogg",
  "ogg-opus": "ogg",
  "amr-nb": "amr",
  "amr-wb": "amr",
};
const PCM_ENCODINGS: RawEncoding[] = ["linear16", "linear32", "mulaw", "alaw"];

export function isStreamableEncoding(encoding: RawEncoding): boolean {
  return PCM_ENCODINGS.includes(encoding) || encoding in TRANSCODED_ENCODINGS;
}

export interface LiveStreamHandlers {
  onEvent(event: LiveEvent): void;
  /** The stream failed and is closed; 400-class errors mean the audio could not be decoded, 5xx a server fault. */
  onError(error: EarshotError): void;
  /** The queue drained after `write` returned false. */
  onDrain(): void;
  /** Seconds of audio the stream has processed, after each piece of work (its events came first). */
  onProgress?(seconds: number): void;
}

export interface LiveStreamConfig {
  model: InstalledModel;
  /** The model name the client asked for, when `model` serves it instead. */
  aliasOf: string | undefined;
  raw: RawFormat | undefined;
  multichannel: boolean;
  ffmpegBinary: string;
  /** Whether the model's live decoders apply keyterms (the worker said so when the stream opened). */
  keyterms: boolean;
}

export interface LiveSummary {
  sha256: string;
  /** Seconds of audio processed. */
  duration: number;
  channelCount: number;
}

type Item =
  | { kind: "audio"; bytes: Uint8Array }
  | { kind: "finalize" }
  | { kind: "close" }
  | { kind: "configure"; keyterms: readonly Keyterm[] };

export class LiveStream {
  private readonly hash = createHash("sha256");
  private readonly queue: Item[] = [];
  private queuedBytes = 0;
  private paused = false;
  private pumping = false;
  private state: "open" | "closing" | "done" = "open";
  /** Bytes kept until the container can be recognised. */
  private head: Uint8Array[] = [];
  private route: "pending" | "direct" | "transcoded" = "pending";
  private input: LiveInput | undefined;
  private inputSent = false;
  private transcoder: Transcoder | undefined;
  private last: StreamProgress = { events: [], duration: 0, channelCount: 0 };
  private closed: { resolve: (summary: LiveSummary) => void; reject: (error: unknown) => void } | undefined;
  private onReleased: (() => void) | undefined;
  readonly model: InstalledModel;
  readonly aliasOf: string | undefined;
  /** Whether keyterms given at open or by {@link configure} are applied. */
  readonly keyterms: boolean;

  constructor(
    private readonly sessionId: number,
    private readonly session: PoolSession,
    private readonly config: LiveStreamConfig,
    private readonly handlers: LiveStreamHandlers,
    onReleased: () => void,
  ) {
    this.onReleased = onReleased;
    this.model = config.model;
    this.aliasOf = config.aliasOf;
    this.keyterms = config.keyterms;
    if (config.raw && PCM_ENCODINGS.includes(config.raw.encoding)) {
      this.route = "direct";
      this.input = { kind: "raw", ...config.raw };
    } else if (config.raw) {
      this.startTranscoder(TRANSCODED_ENCODINGS[config.raw.encoding]);
    }
  }

  /** Audio or control messages are waiting for, or being processed by, the worker. */
  get busy(): boolean {
    return this.pumping || this.queue.length > 0;
  }

  /** Queue audio. Returns false when the caller should stop reading until `onDrain`. */
  write(bytes: Uint8Array): boolean {
    if (this.state !== "open" || bytes.byteLength === 0) return true;
    this.hash.update(bytes);
    if (this.route === "pending") return this.sniff(bytes);
    if (this.route === "transcoded") return this.transcoder!.write(bytes) && !this.paused;
    this.enqueue({ kind: "audio", bytes });
    return !this.paused;
  }

  /** Emit final results for the audio so far; the stream stays open. */
  finalize(): void {
    if (this.state === "open") this.enqueue({ kind: "finalize" });
  }

  /** New keyterms, for the audio sent after this call: each channel's next utterance on. */
  configure(keyterms: readonly Keyterm[]): void {
    if (this.state === "open" && this.keyterms) this.enqueue({ kind: "configure", keyterms });
  }

  /** Process what is queued, emit the last finals, and free the stream. */
  close(): Promise<LiveSummary> {
    return new Promise((resolve, reject) => {
      if (this.state !== "open") return reject(new ConflictError("Stream already closed."));
      this.state = "closing";
      this.closed = { resolve, reject };
      if (this.route === "pending") this.decideRoute(true);
      if (this.state !== "closing") return;
      if (this.route === "transcoded") this.transcoder!.end();
      else this.enqueue({ kind: "close" });
    });
  }

  /** The client went away: drop what is queued and free the worker-side state. Nothing more is emitted. */
  abort(): void {
    if (this.state === "done") return;
    this.stop();
    this.queue.push({ kind: "close" });
    void this.pump();
  }

  private stop(): void {
    this.state = "done";
    this.transcoder?.kill();
    this.queue.length = 0;
    this.queuedBytes = 0;
  }

  private sniff(bytes: Uint8Array): boolean {
    this.head.push(bytes);
    if (this.head.reduce((n, b) => n + b.byteLength, 0) >= SNIFF_BYTES) this.decideRoute(false);
    return true;
  }

  private decideRoute(atEnd: boolean): void {
    const bytes = Buffer.concat(this.head);
    this.head = [];
    if (bytes.byteLength === 0 && atEnd) {
      this.route = "direct";
      return;
    }
    const container = sniffContainer(bytes);
    if (container === "wav") {
      this.route = "direct";
      this.input = { kind: "wav" };
      this.enqueue({ kind: "audio", bytes });
    } else if (container) {
      this.startTranscoder(undefined);
      this.transcoder!.write(bytes);
    } else {
      this.fail(
        false,
        new AudioDecodeError(
          "The stream is not audio we can decode: no known container (WAV, WebM, Ogg, …) and no encoding option.",
          ErrorCode.UnsupportedAudio,
        ),
      );
    }
  }

  private startTranscoder(inputFormat: string | undefined): void {
    this.route = "transcoded";
    this.input = { kind: "wav" };
    this.transcoder = new Transcoder({
      binary: this.config.ffmpegBinary,
      sampleRate: RECOGNIZER_SAMPLE_RATE,
      keepChannels: this.config.multichannel,
      inputFormat,
      onData: (bytes) => {
        this.enqueue({ kind: "audio", bytes });
        if (this.paused) this.transcoder!.pauseOutput();
      },
      onEnd: (error) => {
        if (error) this.fail(false, error);
        else if (this.state === "closing") this.enqueue({ kind: "close" });
      },
    });
    this.transcoder.onDrain(() => this.handlers.onDrain());
  }

  private enqueue(item: Item): void {
    this.queue.push(item);
    if (item.kind === "audio") {
      this.queuedBytes += item.bytes.byteLength;
      if (this.queuedBytes > HIGH_WATER) this.paused = true;
    }
    void this.pump();
  }

  /** One task at a time per stream: audio coalesced up to MAX_TASK_BYTES, or one control item. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const item = this.queue[0]!;
        if (item.kind === "audio") {
          const parts: Uint8Array[] = [];
          let size = 0;
          while (this.queue[0]?.kind === "audio" && size < MAX_TASK_BYTES) {
            const next = this.queue[0] as { bytes: Uint8Array };
            const take = Math.min(next.bytes.byteLength, MAX_TASK_BYTES - size);
            parts.push(next.bytes.subarray(0, take));
            size += take;
            if (take === next.bytes.byteLength) this.queue.shift();
            else next.bytes = next.bytes.subarray(take);
          }
          // A fresh buffer: it is transferred to the worker, and the caller's may be a view of a shared pool.
          const bytes = new Uint8Array(size);
          let offset = 0;
          for (const part of parts) {
            bytes.set(part, offset);
            offset += part.byteLength;
          }
          const input = this.inputSent ? undefined : this.input;
          this.inputSent = true;
          await this.run({ type: "stream-feed", session: this.sessionId, bytes, input }, [bytes.buffer as ArrayBuffer]);
          this.queuedBytes -= size;
          this.maybeResume();
        } else {
          this.queue.shift();
          if (item.kind === "finalize") await this.run({ type: "stream-finalize", session: this.sessionId });
          else if (item.kind === "configure") {
            await this.run({ type: "stream-configure", session: this.sessionId, keyterms: item.keyterms });
          } else {
            await this.run({ type: "stream-close", session: this.sessionId });
            this.finish();
            return;
          }
        }
      }
    } catch (err) {
      // The worker frees a session whose task failed, so there is nothing left to close there.
      this.fail(true, err);
    } finally {
      this.pumping = false;
    }
  }

  private async run(task: StreamTask, transfer: ArrayBuffer[] = []): Promise<void> {
    const progress: StreamProgress = await this.session.run(task, transfer);
    this.last = progress;
    if (this.state === "done") return;
    for (const event of progress.events) this.handlers.onEvent(event);
    this.handlers.onProgress?.(progress.duration);
  }

  private maybeResume(): void {
    if (!this.paused || this.queuedBytes > LOW_WATER) return;
    this.paused = false;
    this.transcoder?.resumeOutput();
    this.handlers.onDrain();
  }

  private finish(): void {
    const wasClosing = this.state === "closing";
    this.state = "done";
    this.release();
    if (wasClosing) {
      this.closed?.resolve({
        sha256: this.hash.digest("hex"),
        duration: this.last.duration,
        channelCount: this.last.channelCount,
      });
    }
  }

  private fail(workerReleased: boolean, err: unknown): void {
    const error =
      err instanceof EarshotError ? err : new EarshotError(500, ErrorCode.Internal, String(err), { cause: err });
    const notify = this.state !== "done";
    if (workerReleased) {
      this.stop();
      this.release();
    } else {
      this.abort();
    }
    this.closed?.reject(error);
    this.closed = undefined;
    if (notify) this.handlers.onError(error);
  }

  private release(): void {
    this.onReleased?.();
    this.onReleased = undefined;
  }
}
