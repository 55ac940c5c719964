/**
 * Live diarization with the statistical method. The MFCCs of the stream's audio go into a ring of the last 30 s;
 * each final result's words are cut at their pauses into stretches of at least 2 s, and each stretch is kept as
 * the sufficient statistics of its Gaussian (19 + 190 sums) in a history of at most 100 stretches. After every
 * final, the batch diarizer's BIC clustering runs over the history — a few milliseconds — and each cluster takes
 * the speaker number most of its stretches already carry, or a new number if none does; the new stretch's words get
 * their cluster's number. Numbers once given are never reused or renumbered, so they stay stable across pauses.
 * When the history is full the oldest stretch is folded into the next one of the same speaker, so every speaker's
 * older speech stays represented while the memory stays fixed. Interim results are labelled with the speaker
 * whose stretches explain their frames best, and change nothing.
 */
import { FEATURE_SAMPLE_RATE, FRAME_LENGTH, FRAME_RATE, HOP, MfccExtractor } from "./features.js";
import { clusterOf, frameModel, frameScore, GaussianStats, marginConfidence } from "./gaussian.js";
import { clusterByBic, DEFAULT_PARAMS, type StatisticalParams } from "./statistical.js";
import type { OnlineDiarizer, OnlineDiarizerOptions, SpeakerLabel, TimedWord } from "./types.js";

/** Feature frames kept, 30 s: more than a live utterance (≤ 15 s) plus the time its final takes. */
const RING_FRAMES = 30 * FRAME_RATE;
/** A pause between words this long may be a change of speaker, seconds… */
const SPLIT_PAUSE = 0.3;
/** …when the words before it hold this much speech, seconds: shorter stretches say too little about a voice. */
const MIN_STRETCH = 2;
/** Stretches the clustering keeps. */
const HISTORY = 100;

/** A past stretch: its frames' statistics and the speaker number its words were given. */
interface Remembered {
  stats: GaussianStats;
  speaker: number;
}

interface Stretch<W> {
  words: W[];
  frames: number[];
}

export class StatisticalOnlineDiarizer implements OnlineDiarizer {
  private readonly params: StatisticalParams;
  private readonly maxSpeakers: number;
  private readonly extractor: MfccExtractor;
  private readonly dims: number;
  private readonly ring: Float32Array;
  /** Samples not yet consumed by a frame, with the overlap the next frame needs. */
  private readonly pending = new Float32Array(FRAME_LENGTH + FEATURE_SAMPLE_RATE);
  private pendingLength = 0;
  /** Frames computed since the stream began. */
  private frames = 0;
  private readonly history: Remembered[] = [];
  private speakerCount = 0;
  private readonly scratch: Float64Array;
  private readonly y: Float64Array;

  constructor(options: OnlineDiarizerOptions = {}, params: Partial<StatisticalParams> = {}) {
    this.params = { ...DEFAULT_PARAMS, ...params };
    this.maxSpeakers = Math.max(1, options.maxSpeakers ?? 8);
    this.extractor = new MfccExtractor(this.params.dims);
    this.dims = this.extractor.dims;
    this.ring = new Float32Array(RING_FRAMES * this.dims);
    this.scratch = new Float64Array(this.dims * this.dims);
    this.y = new Float64Array(this.dims);
  }

  get speakers(): number {
    return this.speakerCount;
  }

  feed(samples: Float32Array): void {
    for (let offset = 0; offset < samples.length; ) {
      const n = Math.min(samples.length - offset, this.pending.length - this.pendingLength);
      this.pending.set(samples.subarray(offset, offset + n), this.pendingLength);
      this.pendingLength += n;
      offset += n;
      let start = 0;
      while (start + FRAME_LENGTH <= this.pendingLength) {
        const slot = this.frames % RING_FRAMES;
        this.extractor.compute(this.pending, start, this.ring, slot * this.dims);
        this.frames++;
        start += HOP;
      }
      this.pending.copyWithin(0, start, this.pendingLength);
      this.pendingLength -= start;
    }
  }

  label<W extends TimedWord>(words: W[], final: boolean): (W & SpeakerLabel)[] {
    const out: (W & SpeakerLabel)[] = [];
    for (const stretch of this.stretches(words)) {
      const label = this.decide(stretch.frames, final);
      for (const word of stretch.words) out.push({ ...word, ...label });
    }
    return out;
  }

  /** The words cut at pauses into stretches of at least {@link MIN_STRETCH}, each with the ring slots of its frames. */
  private stretches<W extends TimedWord>(words: W[]): Stretch<W>[] {
    const stretches: Stretch<W>[] = [];
    const oldest = Math.max(0, this.frames - RING_FRAMES);
    const centre = FRAME_LENGTH / 2 / FEATURE_SAMPLE_RATE;
    for (const [i, word] of words.entries()) {
      const previous = words[i - 1];
      let stretch = stretches[stretches.length - 1];
      if (
        !stretch ||
        !previous ||
        (word.start - previous.end >= SPLIT_PAUSE && stretch.frames.length >= MIN_STRETCH * FRAME_RATE)
      ) {
        stretch = { words: [], frames: [] };
        stretches.push(stretch);
      }
      stretch.words.push(word);
      const first = Math.max(oldest, Math.ceil((word.start - centre) * FRAME_RATE));
      const end = Math.min(this.frames, Math.ceil((word.end - centre) * FRAME_RATE));
      for (let f = first; f < end; f++) stretch.frames.push(f % RING_FRAMES);
    }
    // A short last stretch is the end of the one before, not a speaker of its own.
    const last = stretches[stretches.length - 1];
    const before = stretches[stretches.length - 2];
    if (last && before && last.frames.length < MIN_STRETCH * FRAME_RATE) {
      before.words.push(...last.words);
      before.frames.push(...last.frames);
      stretches.pop();
    }
    return stretches;
  }

  private decide(slots: number[], final: boolean): SpeakerLabel {
    const d = this.dims;
    const stats = new GaussianStats(d);
    for (const slot of slots) stats.addFrames(this.ring, slot, slot + 1);
    if (stats.count === 0) return { speaker: 0, speaker_confidence: 0 };
    if (!final || stats.count < 2 * d) return this.closest(slots);
    this.remember({ stats, speaker: -1 });
    const { assignment } = clusterByBic(
      this.history.map((r) => clusterOf(r.stats.clone(), this.params.floor, this.scratch)),
      this.params,
      { min: 1, max: this.maxSpeakers },
      this.scratch,
    );
    // Each cluster keeps the number most of its past stretches carry; a cluster of new stretches only is new.
    const clusters = Math.max(...assignment) + 1;
    const votes = Array.from({ length: clusters }, () => new Map<number, number>());
    for (const [i, r] of this.history.entries()) {
      if (r.speaker >= 0)
        votes[assignment[i]!]!.set(r.speaker, (votes[assignment[i]!]!.get(r.speaker) ?? 0) + r.stats.count);
    }
    const numbers = new Int32Array(clusters).fill(-1);
    const taken = new Set<number>();
    const ranked = votes.flatMap((v, c) => [...v].map(([speaker, frames]) => ({ c, speaker, frames })));
    for (const { c, speaker } of ranked.sort((a, b) => b.frames - a.frames)) {
      if (numbers[c] === -1 && !taken.has(speaker)) {
        numbers[c] = speaker;
        taken.add(speaker);
      }
    }
    const latest = this.history.length - 1;
    const cluster = assignment[latest]!;
    if (numbers[cluster] === -1) {
      if (this.speakerCount < this.maxSpeakers) numbers[cluster] = this.speakerCount++;
      else return this.closest(slots, latest);
    }
    this.history[latest]!.speaker = numbers[cluster]!;
    // Past stretches are not relabelled (their words are sent); the next clustering votes with what was said.
    const { speaker_confidence } = this.closest(slots);
    return { speaker: numbers[cluster]!, speaker_confidence };
  }

  /** Keeps a stretch; when full, folds the oldest into the next stretch of the same speaker. */
  private remember(stretch: Remembered): void {
    if (this.history.length >= HISTORY) {
      const oldest = this.history.shift()!;
      const heir = this.history.find((r) => r.speaker === oldest.speaker);
      if (heir) heir.stats.add(oldest.stats);
    }
    this.history.push(stretch);
  }

  /**
   * The speaker whose past stretches explain these frames best (average frame log-likelihood of each speaker's
   * pooled Gaussian), with a confidence from the margin over the runner-up. `labelled` is the newest stretch,
   * left out when it has no number yet.
   */
  private closest(slots: number[], labelled = this.history.length): SpeakerLabel {
    const d = this.dims;
    const pooled = new Map<number, GaussianStats>();
    for (const [i, r] of this.history.entries()) {
      if (r.speaker < 0 || i === labelled) continue;
      const stats = pooled.get(r.speaker) ?? new GaussianStats(d);
      stats.add(r.stats);
      pooled.set(r.speaker, stats);
    }
    if (pooled.size === 0) return { speaker: 0, speaker_confidence: 0.5 };
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    let second = Number.NEGATIVE_INFINITY;
    for (const [speaker, stats] of pooled) {
      const gaussian = frameModel(stats, this.params.floor);
      let sum = 0;
      for (const slot of slots) sum += frameScore(gaussian, this.ring, slot * d, d, this.y);
      const score = sum / Math.max(1, slots.length);
      if (score > bestScore) {
        second = bestScore;
        bestScore = score;
        best = speaker;
      } else if (score > second) {
        second = score;
      }
    }
    const confidence = marginConfidence(bestScore, second);
    return { speaker: best, speaker_confidence: Math.round(confidence * 100) / 100 };
  }
}
