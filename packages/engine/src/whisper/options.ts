/** How the built-in whisper.cpp architecture is configured (`EngineOptions.whisper`). */
export interface WhisperOptions {
  /**
   * Threads each `full()` call uses. Default: the cores divided among the pool's workers (at least one), so
   * workers decoding at once do not oversubscribe the CPU.
   */
  threads?: number;
  /**
   * Trim the encoder's window to the audio plus this margin (in 20 ms encoder frames) for pieces shorter than
   * 30 s. whisper.cpp always encodes 30 s otherwise, so trimming cuts the cost of a short utterance 3–4×, at
   * some cost in accuracy; `false` always encodes the full window. Default 64 frames (1.28 s).
   */
  audioCtxMargin?: number | false;
}

/** The options with their defaults filled in by the engine. */
export interface ResolvedWhisperOptions {
  threads: number;
  audioCtxMargin: number | false;
}

export function resolveWhisperOptions(options: WhisperOptions | undefined): ResolvedWhisperOptions {
  return { threads: Math.max(1, options?.threads ?? 1), audioCtxMargin: options?.audioCtxMargin ?? 64 };
}
