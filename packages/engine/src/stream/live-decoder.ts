/**
 * An incremental recogniser for one live channel: audio goes in as it arrives, partial words come out at any
 * time, final words when the utterance ends. Word times are relative to the utterance start.
 */
import type { InstalledModel } from "../models/registry.js";
import { loadPocketSphinx } from "../pocketsphinx/binding.js";
import { pocketSphinxArgs } from "../pocketsphinx/recognizer.js";
import type { RecognizedWord } from "../recognizer.js";

export interface LiveDecoder {
  readonly model: string;
  start(): void;
  feed(pcm: Int16Array): void;
  /** Best hypothesis so far; cheap (a backtrace), so it can run after every chunk. */
  partial(): RecognizedWord[];
  /** End the utterance and return its final words. */
  finish(): RecognizedWord[];
  /** Bring the decoder back to the state a new stream starts from (see the warm-up below). */
  prime(): void;
  dispose(): void;
}

/**
 * Which PocketSphinx passes finals get. `fast` (forward tree search only) finalises in ~9 ms; `full` adds the
 * flat-lexicon and best-path passes, ~1.8 WER points better but 270 ms (p50) / 446 ms (p95) to finalise.
 */
export type LivePasses = "fast" | "full";

const FRAMES_PER_SECOND = 100;
const NON_WORD = /^(<.*>|\[.*\]|\+\+.*\+\+)$/;
/** The warm-up is fed like live audio, in 100 ms chunks, because that is the path whose state it primes. */
const WARMUP_CHUNK = 1600;

export function createPocketSphinxLiveDecoder(
  model: InstalledModel,
  passes: LivePasses,
  warmup: Int16Array | undefined,
): LiveDecoder {
  const lib = loadPocketSphinx();
  // Silero decides what is speech, so PocketSphinx's own silence removal is off: it also drops frames from
  // the timeline, which makes word times drift.
  // Capping active HMMs and word exits per frame cut CPU per stream by a third (RTF 0.18 → 0.12 on 12 LJ
  // clips, chunk mode) at no measurable WER cost (35.9 % → 34.1 %): that is what lets a 2-core machine hold
  // ten real-time streams.
  const extra = [
    "-remove_silence",
    "no",
    "-maxhmmpf",
    "3000",
    "-maxwpf",
    "10",
    ...(passes === "fast" ? ["-fwdflat", "no", "-bestpath", "no"] : []),
  ];
  const decoder = lib.createDecoder(pocketSphinxArgs(model, extra));

  /**
   * Segment frame numbers keep counting across utterances on one decoder, so times are taken relative to the
   * first segment (`<s>`), which starts at the utterance's first frame.
   */
  const wordsOf = (): RecognizedWord[] => {
    const segments = lib.segments(decoder);
    const base = segments[0]?.startFrame ?? 0;
    const words: RecognizedWord[] = [];
    for (const seg of segments) {
      if (NON_WORD.test(seg.word)) continue;
      words.push({
        word: seg.word.replace(/\(\d+\)$/, ""),
        start: (seg.startFrame - base) / FRAMES_PER_SECOND,
        end: (seg.endFrame + 1 - base) / FRAMES_PER_SECOND,
        confidence: Math.min(1, Math.max(0, seg.probability)),
      });
    }
    return words;
  };

  const live: LiveDecoder = {
    model: model.name,
    start: () => lib.startUtt(decoder),
    feed: (pcm) => lib.processRaw(decoder, pcm, false),
    partial: wordsOf,
    finish() {
      lib.endUtt(decoder);
      return wordsOf();
    },
    // A fresh decoder's first live utterance comes out garbled (its running cepstral mean starts from the
    // model's defaults), so one utterance of real speech is decoded before the decoder serves a stream. A reused
    // decoder would otherwise start from whatever the previous stream left, making a stream's words depend on
    // its predecessor: a new stream resets the front end's noise estimates and replays the same warm-up, which
    // gives every stream the same start (~0.35 s of CPU at open).
    prime() {
      lib.startStream(decoder);
      if (!warmup) return;
      live.start();
      for (let i = 0; i < warmup.length; i += WARMUP_CHUNK) live.feed(warmup.subarray(i, i + WARMUP_CHUNK));
      live.finish();
    },
    dispose: () => lib.free(decoder),
  };
  live.prime();
  return live;
}
