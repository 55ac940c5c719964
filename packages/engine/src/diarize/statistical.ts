/**
 * The default diarizer: signal processing and statistics, no model files.
 *
 * 1. MFCCs (features.ts) of every 10 ms frame; only frames inside the VAD's speech and above the recording's
 *    quietest tenth count (breaths and pauses inside a span carry no speaker).
 * 2. The speech is cut into short segments (about 1.5 s): short enough that most hold one speaker, long enough
 *    for a full-covariance Gaussian of the frames to say something about the voice.
 * 3. Agglomerative clustering by the Bayesian information criterion: the two clusters whose frames are best
 *    explained by one Gaussian instead of two merge, until every merge would cost more than the extra
 *    parameters save (ΔBIC > 0 with penalty weight λ = 3). That stopping point is the number of speakers, chosen
 *    from the recording itself; the caller's bounds override it. Two changes to the textbook criterion make it
 *    hold across recordings: pairs merge in order of the λ at which they would stop merging (not of ΔBIC at a
 *    fixed λ, which lets short segments of different speakers merge first and snowball), and a merge decision
 *    weighs at most 40 s of frames (`evidence`), because real speech is not one Gaussian: with minutes of a
 *    speaker, uncapped BIC also separates what they say in different minutes.
 * 4. Resegmentation: each speaker's Gaussian scores every speech frame, the scores are averaged over a short
 *    window (a speaker holds the floor for at least a few hundred milliseconds) and each frame goes to the best
 *    speaker; the models are re-estimated from the new labels and the step repeats. This moves the segments'
 *    arbitrary boundaries to where the speaker actually changes.
 *
 * Why this method: without speaker-embedding weights, BIC clustering of Gaussian MFCC models is the best
 * understood unsupervised method (the classic broadcast-news diarizers, e.g. LIUM, are built on it), it picks the
 * number of speakers by itself, and it costs a few milliseconds per second of audio. The settings were chosen on
 * conversations of the benchmark's tuning speakers only (bench/src/conversations.ts); over λ from 2.5 to 3.0 they
 * gave the same result there, λ = 3 sits inside that plateau.
 */
import type { SpeechSpan } from "../vad/silero.js";
import { computeFrames, type FeatureFrames, FRAME_LENGTH, FRAME_RATE, HOP, MfccExtractor } from "./features.js";
import {
  type Cluster,
  clusterOf,
  frameModel,
  frameScore,
  GaussianStats,
  marginConfidence,
  mergeCost,
  mergeWeight,
} from "./gaussian.js";
import type { Diarization, DiarizeOptions, Diarizer, SpeakerTurn } from "./types.js";

export interface StatisticalParams {
  /** Cepstral coefficients per frame. */
  dims: number;
  /** Length of the initial segments, seconds. */
  segment: number;
  /** Weight of BIC's parameter penalty: higher → fewer speakers. */
  lambda: number;
  /**
   * Most speech, seconds, whose evidence a merge decision weighs. Without a cap BIC's evidence grows with the
   * frames, and in a long recording it also tells apart what one speaker says in different minutes.
   */
  evidence: number;
  /** Added to covariance diagonals. */
  floor: number;
  /** Quietest fraction of speech frames left out of the models. */
  quietFraction: number;
  /** Half-width of the resegmentation's score window, frames. */
  smooth: number;
  iterations: number;
  /** A cluster with less speech than this (seconds) is not a speaker of its own. */
  minSpeaker: number;
}

export const DEFAULT_PARAMS: StatisticalParams = {
  dims: 19,
  segment: 1.5,
  lambda: 3,
  evidence: 40,
  floor: 1e-2,
  quietFraction: 0.1,
  smooth: 30,
  iterations: 3,
  minSpeaker: 2,
};

/** Segments clustered pairwise at most; memory and time grow with its square. */
const MAX_SEGMENTS = 600;
/** Added to the cost of merges BIC refuses, so that they rank after every merge it accepts. */
const REFUSED = 1e6;

/** Frames (indices) of the speech spans, and which of them are loud enough to model. */
interface SpeechFrames {
  /** [first, end) frame ranges, one per span. */
  ranges: [number, number][];
  /** The span of each range, seconds. */
  spans: SpeechSpan[];
  useful: Uint8Array;
}

function speechFrames(features: FeatureFrames, speech: SpeechSpan[], quietFraction: number): SpeechFrames {
  const centre = FRAME_LENGTH / 2 / (HOP * FRAME_RATE);
  const ranges: [number, number][] = [];
  const spans: SpeechSpan[] = [];
  for (const span of speech) {
    const first = Math.max(0, Math.ceil((span.start - centre) * FRAME_RATE));
    const end = Math.min(features.count, Math.ceil((span.end - centre) * FRAME_RATE));
    if (end > first) {
      ranges.push([first, end]);
      spans.push(span);
    }
  }
  const energies: number[] = [];
  for (const [first, end] of ranges) for (let f = first; f < end; f++) energies.push(features.energy[f]!);
  energies.sort((a, b) => a - b);
  const threshold = energies[Math.floor(quietFraction * energies.length)] ?? Number.NEGATIVE_INFINITY;
  const useful = new Uint8Array(features.count);
  for (const [first, end] of ranges)
    for (let f = first; f < end; f++) useful[f] = features.energy[f]! >= threshold ? 1 : 0;
  return { ranges, spans, useful };
}

function statsOf(features: FeatureFrames, useful: Uint8Array, first: number, end: number): GaussianStats {
  const stats = new GaussianStats(features.dims);
  let runStart = -1;
  for (let f = first; f <= end; f++) {
    if (f < end && useful[f]) {
      if (runStart < 0) runStart = f;
    } else if (runStart >= 0) {
      stats.addFrames(features.data, runStart, f);
      runStart = -1;
    }
  }
  return stats;
}

export class StatisticalDiarizer implements Diarizer {
  private readonly extractor: MfccExtractor;
  private readonly params: StatisticalParams;

  constructor(params: Partial<StatisticalParams> = {}) {
    this.params = { ...DEFAULT_PARAMS, ...params };
    this.extractor = new MfccExtractor(this.params.dims);
  }

  diarize(samples: Float32Array, speech: SpeechSpan[], options: DiarizeOptions = {}): Diarization {
    const p = this.params;
    const features = computeFrames(this.extractor, samples);
    const frames = speechFrames(features, speech, p.quietFraction);
    const bounds = speakerBounds(options);

    // Initial segments: each span cut into pieces of about `segment` seconds.
    const segmentFrames = Math.round(p.segment * FRAME_RATE);
    const clusters: Cluster[] = [];
    const scratch = new Float64Array(features.dims * features.dims);
    for (const [first, end] of frames.ranges) {
      const pieces = Math.max(1, Math.round((end - first) / segmentFrames));
      for (let i = 0; i < pieces; i++) {
        const a = first + Math.round(((end - first) * i) / pieces);
        const b = first + Math.round(((end - first) * (i + 1)) / pieces);
        const stats = statsOf(features, frames.useful, a, b);
        // Too few frames for a covariance: such a piece is labelled by resegmentation only.
        if (stats.count >= 2 * features.dims) clusters.push(clusterOf(stats, p.floor, scratch));
      }
    }
    if (clusters.length === 0) return { turns: [], speakers: 0 };

    const merged = clusterByBic(mergeNeighbours(clusters, p, scratch), p, bounds, scratch).clusters;
    const labels = resegment(features, frames, merged, p, bounds.min);
    return turnsOf(labels, frames);
  }

  dispose(): void {}
}

export interface SpeakerBounds {
  min: number;
  max: number;
}

function speakerBounds(options: DiarizeOptions): SpeakerBounds {
  if (options.numSpeakers !== undefined) return { min: options.numSpeakers, max: options.numSpeakers };
  const min = Math.max(1, options.minSpeakers ?? 1);
  return { min, max: Math.max(min, options.maxSpeakers ?? Number.POSITIVE_INFINITY) };
}

/**
 * Clustering compares every pair, so a long recording's segments are first merged with their neighbours in time
 * (most neighbours are the same speaker), the most alike first, until at most {@link MAX_SEGMENTS} remain.
 */
function mergeNeighbours(clusters: Cluster[], p: StatisticalParams, scratch: Float64Array): Cluster[] {
  let current = clusters;
  while (current.length > MAX_SEGMENTS) {
    const costs = current.slice(1).map((c, i) => ({ i, cost: mergeCost(current[i]!, c, p.floor, scratch) }));
    costs.sort((a, b) => a.cost - b.cost);
    const absorbed = new Uint8Array(current.length);
    let excess = current.length - MAX_SEGMENTS;
    for (const { i } of costs) {
      if (excess === 0) break;
      if (absorbed[i] || absorbed[i + 1]) continue;
      current[i]!.stats.add(current[i + 1]!.stats);
      current[i]!.logDet = current[i]!.stats.logDet(p.floor, scratch);
      absorbed[i + 1] = 1;
      // A merged pair is not merged again in this pass, so each pass only joins pairs of original neighbours.
      absorbed[i] = 2;
      excess--;
    }
    current = current.filter((_, i) => absorbed[i] !== 1);
  }
  return current;
}

/**
 * Agglomerative clustering by BIC (see the top of this file). Merges into `clusters`' statistics in place; returns
 * the clusters left and, for each input cluster, which of them it ended in.
 */
export function clusterByBic(
  clusters: Cluster[],
  p: StatisticalParams,
  bounds: SpeakerBounds,
  scratch: Float64Array,
): { clusters: Cluster[]; assignment: Int32Array } {
  const n = clusters.length;
  const alive = clusters.map(() => true);
  // Where each input cluster went: follow `into` until a cluster that is still alive.
  const into = new Int32Array(n).map((_, i) => i);
  const cost = new Float64Array(n * n);
  // The BIC penalty weight at which merging i and j stops paying: merging the pair with the smallest first
  // (rather than the most negative ΔBIC at a fixed weight) keeps two short segments of different speakers,
  // whose ΔBIC is negative at any sensible weight, from merging before the long, well-estimated clusters do.
  const weight = (i: number, j: number): number => {
    const { weight, capped } = mergeWeight(clusters[i]!, clusters[j]!, p, scratch);
    return capped < p.lambda ? weight : REFUSED + capped;
  };
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) cost[i * n + j] = weight(i, j);
  // Each row's smallest cost (to a later cluster), so finding the next merge costs O(n), not O(n²).
  const rowMin = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const rowArg = new Int32Array(n).fill(-1);
  const refreshRow = (i: number): void => {
    rowMin[i] = Number.POSITIVE_INFINITY;
    rowArg[i] = -1;
    for (let j = i + 1; j < n; j++) {
      if (alive[j] && cost[i * n + j]! < rowMin[i]!) {
        rowMin[i] = cost[i * n + j]!;
        rowArg[i] = j;
      }
    }
  };
  for (let i = 0; i < n; i++) refreshRow(i);
  let count = n;
  const minFrames = p.minSpeaker * FRAME_RATE;
  while (count > 1) {
    let bi = -1;
    for (let i = 0; i < n; i++) if (alive[i] && rowArg[i]! >= 0 && (bi < 0 || rowMin[i]! < rowMin[bi]!)) bi = i;
    const bj = rowArg[bi]!;
    const best = rowMin[bi]!;
    if (count <= bounds.min) break;
    if (best >= REFUSED && count <= bounds.max) break;
    const target = clusters[bi]!;
    target.stats.add(clusters[bj]!.stats);
    target.logDet = target.stats.logDet(p.floor, scratch);
    alive[bj] = false;
    into[bj] = bi;
    count--;
    for (let k = 0; k < n; k++) {
      if (!alive[k] || k === bi) continue;
      const [lo, hi] = k < bi ? [k, bi] : [bi, k];
      cost[lo * n + hi] = weight(lo, hi);
      if (k < bi) {
        if (rowArg[k] === bi || rowArg[k] === bj) refreshRow(k);
        else if (cost[k * n + bi]! < rowMin[k]!) {
          rowMin[k] = cost[k * n + bi]!;
          rowArg[k] = bi;
        }
      } else if (rowArg[k] === bj) {
        refreshRow(k);
      }
    }
    refreshRow(bi);
  }
  // Clusters with too little speech are fragments (overlaps, noises, a cough) of the others.
  for (;;) {
    const left = clusters.flatMap((_, i) => (alive[i] ? [i] : []));
    if (left.length <= bounds.min) break;
    const smallest = left.reduce((s, i) => (clusters[i]!.stats.count < clusters[s]!.stats.count ? i : s));
    if (clusters[smallest]!.stats.count >= minFrames) break;
    const cost = (i: number): number => mergeCost(clusters[smallest]!, clusters[i]!, p.floor, scratch);
    const nearest = left.filter((i) => i !== smallest).reduce((best, i) => (cost(i) < cost(best) ? i : best));
    clusters[nearest]!.stats.add(clusters[smallest]!.stats);
    clusters[nearest]!.logDet = clusters[nearest]!.stats.logDet(p.floor, scratch);
    alive[smallest] = false;
    into[smallest] = nearest;
  }
  const index = new Int32Array(n).fill(-1);
  const result: Cluster[] = [];
  for (let i = 0; i < n; i++) {
    if (!alive[i]) continue;
    index[i] = result.length;
    result.push(clusters[i]!);
  }
  const assignment = new Int32Array(n).map((_, i) => {
    let c = i;
    while (!alive[c]) c = into[c]!;
    return index[c]!;
  });
  return { clusters: result, assignment };
}

/** Per speech frame: speaker index, and the speaker's share of the window's evidence (for confidence). */
interface FrameLabels {
  speaker: Int32Array;
  confidence: Float32Array;
}

function resegment(
  features: FeatureFrames,
  frames: SpeechFrames,
  clusters: Cluster[],
  p: StatisticalParams,
  minSpeakers: number,
): FrameLabels {
  const d = features.dims;
  const speaker = new Int32Array(features.count).fill(-1);
  const confidence = new Float32Array(features.count);
  const y = new Float64Array(d);
  let stats = clusters.map((c) => c.stats);
  for (let iteration = 0; iteration < p.iterations; iteration++) {
    const models = stats.map((s) => frameModel(s, p.floor));
    const k = models.length;
    for (const [first, end] of frames.ranges) {
      const length = end - first;
      // Cumulative scores per speaker, so each frame's window average costs O(k).
      const cumulative = new Float64Array((length + 1) * k);
      for (let f = 0; f < length; f++) {
        for (let m = 0; m < k; m++) {
          cumulative[(f + 1) * k + m] =
            cumulative[f * k + m]! + frameScore(models[m]!, features.data, (first + f) * d, d, y);
        }
      }
      for (let f = 0; f < length; f++) {
        const a = Math.max(0, f - p.smooth);
        const b = Math.min(length, f + p.smooth + 1);
        let best = 0;
        let bestScore = Number.NEGATIVE_INFINITY;
        let second = Number.NEGATIVE_INFINITY;
        for (let m = 0; m < k; m++) {
          const score = (cumulative[b * k + m]! - cumulative[a * k + m]!) / (b - a);
          if (score > bestScore) {
            second = bestScore;
            bestScore = score;
            best = m;
          } else if (score > second) {
            second = score;
          }
        }
        speaker[first + f] = best;
        confidence[first + f] = marginConfidence(bestScore, second);
      }
    }
    if (iteration === p.iterations - 1) break;
    const next = stats.map(() => new GaussianStats(d));
    for (const [first, end] of frames.ranges) {
      for (let f = first; f < end; f++) if (frames.useful[f]) next[speaker[f]!]!.addFrames(features.data, f, f + 1);
    }
    // A speaker who lost every frame is gone, unless the caller asked for at least this many.
    const kept = next.filter((s) => s.count >= 2 * d);
    stats = kept.length >= Math.min(minSpeakers, next.length) ? kept : stats;
  }
  return { speaker, confidence };
}

const round = (seconds: number): number => Math.round(seconds * 1000) / 1000;

function turnsOf(labels: FrameLabels, frames: SpeechFrames): Diarization {
  const centre = FRAME_LENGTH / 2 / (HOP * FRAME_RATE);
  // A change between two frames is placed halfway between their centres.
  const timeOf = (frame: number): number => (frame - 0.5) / FRAME_RATE + centre;
  const raw: SpeakerTurn[] = [];
  for (const [index, [first, end]] of frames.ranges.entries()) {
    const span = frames.spans[index]!;
    let runStart = first;
    for (let f = first + 1; f <= end; f++) {
      if (f < end && labels.speaker[f] === labels.speaker[runStart]) continue;
      let confidence = 0;
      for (let g = runStart; g < f; g++) confidence += labels.confidence[g]!;
      raw.push({
        start: round(runStart === first ? span.start : timeOf(runStart)),
        end: round(f === end ? span.end : timeOf(f)),
        speaker: labels.speaker[runStart]!,
        confidence: Math.round((confidence / (f - runStart)) * 100) / 100,
      });
      runStart = f;
    }
  }
  return numberByAppearance(raw);
}

/** Renumbers speakers 0, 1, 2… in the order they first speak. */
export function numberByAppearance(turns: SpeakerTurn[]): Diarization {
  const order = new Map<number, number>();
  const sorted = [...turns].sort((a, b) => a.start - b.start);
  for (const t of sorted) if (!order.has(t.speaker)) order.set(t.speaker, order.size);
  return { turns: sorted.map((t) => ({ ...t, speaker: order.get(t.speaker)! })), speakers: order.size };
}
