/**
 * The contract every speech synthesiser implements, beside the {@link Recognizer}: one sentence-sized piece of
 * text in, 16-bit mono PCM out. An instance serves one request or one WebSocket session, so a synthesiser
 * that is slow to start (Festival loads its voice for half a second) starts once per session, not per
 * sentence. Synthesisers run as child processes, never on the event loop.
 */
import type { InstalledModel } from "../models/registry.js";

export interface SynthesisOptions {
  /** Speaking-rate multiplier; synthesisers without `voice.nativeSpeed` ignore it (the encoder stretches). */
  speed: number;
  signal?: AbortSignal | undefined;
}

export interface Synthesizer {
  /** Speak `text` (one sentence or clause): 16-bit little-endian mono PCM at `voice.sampleRate`. */
  synthesize(text: string, options: SynthesisOptions): Promise<Uint8Array>;
  /** Release processes and files; pending calls reject. */
  close(): void;
}

export type SynthesizerFactory = (voice: InstalledModel) => Synthesizer;
