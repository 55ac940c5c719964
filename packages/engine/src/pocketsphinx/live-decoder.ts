/** The PocketSphinx {@link LiveDecoder}: lent to one live channel per utterance by the worker's decoder pool. */
import type { InstalledModel } from "../models/registry.js";
import type { LiveDecoder } from "../stream/live-decoder.js";
import type { CmnState, PocketSphinxLib } from "./binding.js";
import type { LivePasses } from "./options.js";
import { pocketSphinxArgs, wordsOf } from "./recognizer.js";

/** The warm-up is fed like live audio, in 100 ms chunks, because that is the path whose state it primes. */
const WARMUP_CHUNK = 1600;

/**
 * The cepstral mean a warm-up leaves, by model: the same for every decoder of a model, so only this thread's
 * first decoder of it decodes the warm-up (~0.35 s of CPU) and the others start from the state it left.
 */
const primedMeans = new Map<string, CmnState>();

/**
 * Builds a decoder off the calling thread (libuv's pool): the pool worker building it for one stream keeps
 * decoding its other streams meanwhile.
 */
export async function createPocketSphinxLiveDecoder(
  model: InstalledModel,
  lib: PocketSphinxLib,
  passes: LivePasses,
  warmup: Int16Array | undefined,
): Promise<LiveDecoder> {
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
  const decoder = await lib.createDecoderAsync(pocketSphinxArgs(model, extra));

  /**
   * Segment frame numbers keep counting across utterances on one decoder, so times are taken relative to the
   * first segment (`<s>`), which starts at the utterance's first frame.
   */
  const hypothesis = () => {
    const segments = lib.segments(decoder);
    return wordsOf(segments, segments[0]?.startFrame ?? 0);
  };

  const warmUp = async (): Promise<void> => {
    lib.startStream(decoder);
    if (!warmup) return;
    lib.startUtt(decoder);
    for (let i = 0; i < warmup.length; i += WARMUP_CHUNK)
      await lib.processRawAsync(decoder, warmup.subarray(i, i + WARMUP_CHUNK));
    lib.endUtt(decoder);
  };
  // A fresh decoder's first live utterance comes out garbled (its running cepstral mean starts from the model's
  // defaults), so one utterance of real speech is decoded before the first decoder serves a stream; the mean it
  // leaves is where every stream starts. Between utterances a stream keeps only its own mean (`carry`), and
  // each utterance starts a new front-end stream (noise estimates reset), so a stream's words do not depend
  // on which decoder it borrowed or what that decoder heard before.
  let primed = primedMeans.get(model.name);
  if (!primed) {
    try {
      await warmUp();
    } catch (err) {
      lib.free(decoder);
      throw err;
    }
    primed = lib.cmnState(decoder);
    if (primed) primedMeans.set(model.name, primed);
  }

  return {
    async start(carried) {
      if (primed) {
        lib.startStream(decoder);
        lib.setCmnState(decoder, (carried as CmnState | undefined) ?? primed);
      } else {
        // A sphinxbase whose feature state cannot be read: every utterance replays the warm-up (~0.35 s).
        await warmUp();
      }
      lib.startUtt(decoder);
    },
    feed: (pcm) => lib.processRaw(decoder, pcm, false),
    partial: hypothesis,
    finish() {
      lib.endUtt(decoder);
      return hypothesis();
    },
    carry: () => (primed ? lib.cmnState(decoder) : undefined),
    dispose: () => lib.free(decoder),
  };
}
