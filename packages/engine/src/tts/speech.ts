/**
 * Text-to-speech as the server sees it: text and a voice in, encoded audio chunks out, as they are made.
 * Admission is bounded like the recogniser's: past `maxSessions` open requests and WebSocket sessions, opening
 * another throws a {@link CapacityError} (the 429). Synthesiser processes are bounded separately, one per core
 * by default, so many sessions share the CPU instead of fighting over it.
 */
import { availableParallelism } from "node:os";
import { type AudioFormat, CapacityError } from "@earshot/protocol";
import type { InstalledModel, ModelRegistry } from "../models/registry.js";
import { encodeStream } from "./encoder.js";
import { Semaphore } from "./limit.js";
import { splitSentences } from "./sentences.js";
import type { Synthesizer } from "./synthesizer.js";
import { createSynthesizer } from "./synthesizers.js";

export interface SpeechOptions {
  /** Requests and sessions open at once. Default: 8 per core. */
  maxSessions?: number;
  /** Synthesiser processes running at once. Default: one per core. */
  concurrency?: number;
  ffmpegBinary?: string | undefined;
}

export interface SessionOptions {
  voice: InstalledModel;
  format: AudioFormat;
  /** Speaking-rate multiplier, 1 = the voice's own. */
  speed?: number | undefined;
}

export class SpeechSynthesis {
  readonly registry: ModelRegistry;
  readonly maxSessions: number;
  private readonly limit: Semaphore;
  private readonly sessions = new Set<SpeechSession>();
  private readonly ffmpegBinary: string | undefined;

  constructor(registry: ModelRegistry, options: SpeechOptions = {}) {
    this.registry = registry;
    const cores = availableParallelism();
    this.maxSessions = options.maxSessions ?? cores * 8;
    this.limit = new Semaphore(options.concurrency ?? cores);
    this.ffmpegBinary = options.ffmpegBinary;
  }

  /** Throws the 429 a new request would get now; lets a caller refuse before it commits to a response. */
  checkCapacity(): void {
    if (this.sessions.size >= this.maxSessions) {
      throw new CapacityError(
        `Too many requests: ${this.sessions.size} speech sessions are open. Please try again later.`,
        1,
      );
    }
  }

  /** A session for many texts in one voice and format (a WebSocket); close it to free its slot. */
  open(options: SessionOptions): SpeechSession {
    this.checkCapacity();
    const session = new SpeechSession(options, createSynthesizer(options.voice), this.limit, this.ffmpegBinary, () =>
      this.sessions.delete(session),
    );
    this.sessions.add(session);
    return session;
  }

  /** One text → its audio, chunk by chunk; `signal` (or leaving the loop) stops synthesis. */
  async *speak(text: string, options: SessionOptions, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    const session = this.open(options);
    try {
      yield* session.speak(text, signal);
    } finally {
      session.close();
    }
  }

  close(): void {
    for (const session of this.sessions) session.close();
  }
}

export class SpeechSession {
  private closed = false;

  constructor(
    readonly options: SessionOptions,
    private readonly synthesizer: Synthesizer,
    private readonly limit: Semaphore,
    private readonly ffmpegBinary: string | undefined,
    private readonly onClose: () => void,
  ) {}

  /**
   * Speak `text`: pieces are synthesised one after another while the encoder streams the earlier ones out.
   * Aborting `signal`, or leaving the loop early, stops the synthesiser and the encoder.
   */
  async *speak(text: string, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    const { voice, format } = this.options;
    const speed = this.options.speed ?? 1;
    const info = voice.voice!;
    const controller = new AbortController();
    const stop = () => controller.abort();
    signal?.addEventListener("abort", stop, { once: true });
    const synthesizer = this.synthesizer;
    const limit = this.limit;
    async function* pcm(): AsyncGenerator<Uint8Array> {
      for (const piece of splitSentences(text)) {
        const options = { speed: info.nativeSpeed ? speed : 1, signal: controller.signal };
        yield await limit.run(() => synthesizer.synthesize(piece, options));
      }
    }
    try {
      yield* encodeStream(pcm(), {
        inputRate: info.sampleRate,
        format,
        tempo: info.nativeSpeed ? 1 : speed,
        ffmpegBinary: this.ffmpegBinary,
      });
    } finally {
      signal?.removeEventListener("abort", stop);
      controller.abort();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.synthesizer.close();
    this.onClose();
  }
}
