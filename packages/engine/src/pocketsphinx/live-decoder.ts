/** The PocketSphinx {@link LiveDecoder}: one decoder per live channel, reused across streams. */
import type { InstalledModel } from "../models/registry.js";
import type { LiveDecoder } from "../stream/live-decoder.js";
import type { PocketSphinxLib } from "./binding.js";
import type { LivePasses } from "./options.js";
import { pocketSphinxArgs, wordsOf } from "./recognizer.js";

/** The warm-up is fed like live audio, in 100 ms chunks, because that is the path whose state it primes. */
const WARMUP_CHUNK = 1600;

export function createPocketSphinxLiveDecoder(
  model: InstalledModel,
  lib: PocketSphinxLib,
  passes: LivePasses,
  warmup: Int16Array | undefined,
): LiveDecoder {
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
  const hypothesis = () => {
    const segments = lib.segments(decoder);
    return wordsOf(segments, segments[0]?.startFrame ?? 0);
  };

  const live: LiveDecoder = {
    start: () => lib.startUtt(decoder),
    feed: (pcm) => lib.processRaw(decoder, pcm, false),
    partial: hypothesis,
    finish() {
      lib.endUtt(decoder);
      return hypothesis();
    },
    // A fresh decoder's first live utterance comes out garbled (its running cepstral mean starts from the
    // model's defaults), so one utterance of real speech is decoded before the decoder serves a stream. A reused
    // decoder would otherwise start from whatever the previous stream left, making a stream's words depend on
    // its predecessor: a new stream resets the front end's noise estimates and replays the same warm-up, which
    // gives every stream the same start (~0.35 s of CPU at open).
    reset() {
      lib.startStream(decoder);
      if (!warmup) return;
      lib.startUtt(decoder);
      for (let i = 0; i < warmup.length; i += WARMUP_CHUNK)
        lib.processRaw(decoder, warmup.subarray(i, i + WARMUP_CHUNK), false);
      lib.endUtt(decoder);
    },
    dispose: () => lib.free(decoder),
  };
  live.reset();
  return live;
}
