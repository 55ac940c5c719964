/** The PocketSphinx {@link LiveDecoder}: lent to one live channel per utterance by the worker's decoder pool. */
import type { InstalledModel } from "../models/registry.js";
import type { Keyterm } from "../recognizer.js";
import type { LiveDecoder } from "../stream/live-decoder.js";
import type { CmnState, PocketSphinxLib } from "./binding.js";
import type { LivePasses } from "./options.js";
import { addKeyterms, calibrated, keytermWeights, pocketSphinxArgs, wordsOf } from "./recognizer.js";

/** The warm-up is fed like live audio, in 100 ms chunks, because that is the path whose state it primes. */
const WARMUP_CHUNK = 1600;

/**
 * The cepstral mean a warm-up leaves, by model and bandwidth: the same for every decoder of a model, so only
 * this thread's first decoder of it decodes the warm-up (~0.35 s of CPU) and the others start from the state it
 * left. Narrowband decoders warm up on the warm-up voice through a telephone's bandwidth: a telephone stream's
 * features have a mean of their own.
 */
const primedMeans = new Map<string, CmnState>();

/**
 * Weight, in frames, of the mean an utterance starts from against the utterance's own frames. Chosen on the
 * first 32 clips of ljspeech-dev and multi-dev (30, 100, 300, 600 tried); held out, it took live finals from
 * 43.1 to 41.8 % WER on multi-dev, 25.8 to 24.5 % on LJ and 29.0 to 26.8 % on misc (bench/live).
 */
const CMN_PRIOR_FRAMES = 300;
/**
 * A stream's first utterance starts from the warm-up voice's mean, not this speaker's: once it has this many
 * frames (1 s) of its own, it is decoded again from its start with their mean.
 */
const COLD_RESTART_FRAMES = 100;
/** The most weight the mean an utterance started from gains as the utterance's frames are folded into it. */
const CMN_PRIOR_CAP = 500;
/** sphinxbase recomputes the mean itself past 800 frames; the utterance's frames are folded in before that. */
const CMN_FOLD_FRAMES = 700;

/** The mean of `prior` weighted `weight` frames and the frames summed in `state`. */
function blend(prior: Float32Array, weight: number, state: CmnState): Float32Array {
  return prior.map((m, j) => (m * weight + state.sum[j]!) / (weight + state.frames));
}

/**
 * Builds a decoder off the calling thread (libuv's pool): the pool worker building it for one stream keeps
 * decoding its other streams meanwhile. `keyterms` are boosted as in batch decoding; the pool lends such a
 * decoder only to streams that asked for the same ones. A `narrowband` decoder has the model's means moved by
 * its narrowband transform for good (models/registry.ts), for telephone streams only.
 */
export async function createPocketSphinxLiveDecoder(
  model: InstalledModel,
  lib: PocketSphinxLib,
  passes: LivePasses,
  warmup: Int16Array | undefined,
  keyterms: readonly Keyterm[] = [],
  narrowband = false,
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
    // The best-path search over the forward pass's lattice costs a few ms a final and took 3–6 WER points off
    // live finals (bench/live, held-out clips); the flat-lexicon pass costs ~270 ms a final for no more.
    ...(passes === "fast" ? ["-fwdflat", "no"] : []),
  ];
  const decoder = await lib.createDecoderAsync(pocketSphinxArgs(model, extra));
  addKeyterms(lib, decoder, keytermWeights(keyterms));
  if (narrowband && model.files.narrowband) lib.applyMllr(decoder, model.files.narrowband);

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
  const primedKey = narrowband ? `${model.name}\nnarrowband` : model.name;
  let primed = primedMeans.get(primedKey);
  if (!primed) {
    try {
      await warmUp();
    } catch (err) {
      lib.free(decoder);
      throw err;
    }
    primed = lib.cmnState(decoder);
    if (primed) primedMeans.set(primedKey, primed);
  }

  // sphinxbase's live mean only moves every 800 frames (8 s), so a whole utterance was normalised with the mean
  // the stream started from — the warm-up voice's for a stream's first utterance. Here the mean follows the
  // utterance from its first frames: the starting mean weighted CMN_PRIOR_FRAMES against the frames heard.
  let prior: Float32Array = new Float32Array(0);
  let weight = 0;
  /** A first utterance's audio so far, while its restart is still to come. */
  let cold: Int16Array[] | undefined;
  const restartIfCold = (pcm: Int16Array): void => {
    if (!cold) return;
    cold.push(pcm);
    const state = lib.cmnState(decoder);
    if (!state || state.frames < COLD_RESTART_FRAMES) return;
    const audio = cold;
    cold = undefined;
    prior = state.sum.map((sum) => sum / state.frames);
    lib.endUtt(decoder);
    lib.startStream(decoder);
    lib.setCmnState(decoder, { mean: prior, sum: new Float32Array(prior.length), frames: 0 });
    lib.startUtt(decoder);
    for (const part of audio) lib.processRaw(decoder, part, false);
  };
  const adapt = (): void => {
    const state = lib.cmnState(decoder);
    if (!state || state.frames <= 0) return;
    const mean = blend(prior, weight, state);
    if (state.frames > CMN_FOLD_FRAMES) {
      prior = mean;
      weight = Math.min(CMN_PRIOR_CAP, weight + state.frames);
      lib.setCmnState(decoder, { mean, sum: new Float32Array(mean.length), frames: 0 });
    } else {
      lib.setCmnState(decoder, { mean, sum: state.sum, frames: state.frames });
    }
  };

  return {
    async start(carried) {
      if (primed) {
        lib.startStream(decoder);
        const from = (carried as CmnState | undefined) ?? primed;
        prior = from.mean;
        weight = CMN_PRIOR_FRAMES;
        cold = carried ? undefined : [];
        lib.setCmnState(decoder, { mean: from.mean, sum: new Float32Array(from.mean.length), frames: 0 });
      } else {
        // A sphinxbase whose feature state cannot be read: every utterance replays the warm-up (~0.35 s).
        await warmUp();
      }
      lib.startUtt(decoder);
    },
    feed: (pcm) => {
      lib.processRaw(decoder, pcm, false);
      if (!primed) return;
      restartIfCold(pcm);
      adapt();
    },
    partial: hypothesis,
    finish() {
      lib.endUtt(decoder);
      // Finals' confidences are the best-path posteriors, mapped like batch ones (the same computation; the map
      // was fitted on batch pieces). Interims come from the forward pass alone and stay at 1.
      return calibrated(hypothesis());
    },
    carry: () => {
      if (!primed) return undefined;
      const state = lib.cmnState(decoder);
      if (!state) return undefined;
      return {
        mean: state.frames > 0 ? blend(prior, weight, state) : prior,
        sum: new Float32Array(prior.length),
        frames: 0,
      };
    },
    dispose: () => lib.free(decoder),
  };
}
