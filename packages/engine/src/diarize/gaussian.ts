import { FRAME_RATE } from "./features.js";

/**
 * Sufficient statistics of a full-covariance Gaussian over feature frames (count, sum, sum of outer products):
 * they add when segments merge, so a speaker model is a fixed-size object however long the speaker talks.
 */
export class GaussianStats {
  count = 0;
  readonly sum: Float64Array;
  /** Upper triangle, row-major, of Σ x xᵀ. */
  readonly squares: Float64Array;

  constructor(readonly dims: number) {
    this.sum = new Float64Array(dims);
    this.squares = new Float64Array((dims * (dims + 1)) / 2);
  }

  /** Adds frames [from, to) of row-major `data`. */
  addFrames(data: Float32Array, from: number, to: number): void {
    const d = this.dims;
    for (let f = from; f < to; f++) {
      const row = f * d;
      let k = 0;
      for (let i = 0; i < d; i++) {
        const x = data[row + i]!;
        this.sum[i]! += x;
        for (let j = i; j < d; j++) this.squares[k++]! += x * data[row + j]!;
      }
    }
    this.count += Math.max(0, to - from);
  }

  add(other: GaussianStats): void {
    this.count += other.count;
    for (let i = 0; i < this.sum.length; i++) this.sum[i]! += other.sum[i]!;
    for (let i = 0; i < this.squares.length; i++) this.squares[i]! += other.squares[i]!;
  }

  /** Decays the statistics so that older frames weigh less (online speaker models). */
  scale(factor: number): void {
    this.count *= factor;
    for (let i = 0; i < this.sum.length; i++) this.sum[i]! *= factor;
    for (let i = 0; i < this.squares.length; i++) this.squares[i]! *= factor;
  }

  clone(): GaussianStats {
    const out = new GaussianStats(this.dims);
    out.add(this);
    return out;
  }

  mean(out: Float64Array = new Float64Array(this.dims)): Float64Array {
    for (let i = 0; i < this.dims; i++) out[i] = this.sum[i]! / Math.max(this.count, 1e-9);
    return out;
  }

  /**
   * Covariance (full matrix, row-major) with `floor` added to the diagonal, which keeps short segments'
   * estimates invertible.
   */
  covariance(floor: number, out: Float64Array = new Float64Array(this.dims * this.dims)): Float64Array {
    const d = this.dims;
    const n = Math.max(this.count, 1e-9);
    let k = 0;
    for (let i = 0; i < d; i++) {
      const mi = this.sum[i]! / n;
      for (let j = i; j < d; j++) {
        const c = this.squares[k++]! / n - mi * (this.sum[j]! / n);
        out[i * d + j] = c;
        out[j * d + i] = c;
      }
      out[i * d + i]! += floor;
    }
    return out;
  }

  /** log |Σ| of the covariance. */
  logDet(floor: number, scratch?: Float64Array): number {
    return choleskyLogDet(this.covariance(floor, scratch), this.dims);
  }
}

/** In-place Cholesky of a symmetric positive-definite matrix; returns log |A|. */
export function choleskyLogDet(a: Float64Array, d: number): number {
  let logDet = 0;
  for (let j = 0; j < d; j++) {
    let diag = a[j * d + j]!;
    for (let k = 0; k < j; k++) diag -= a[j * d + k]! * a[j * d + k]!;
    if (diag <= 1e-12) diag = 1e-12;
    const l = Math.sqrt(diag);
    a[j * d + j] = l;
    logDet += 2 * Math.log(l);
    for (let i = j + 1; i < d; i++) {
      let s = a[i * d + j]!;
      for (let k = 0; k < j; k++) s -= a[i * d + k]! * a[j * d + k]!;
      a[i * d + j] = s / l;
    }
  }
  return logDet;
}

/** A group of frames believed to be one speaker's, with its Gaussian's log-determinant cached. */
export interface Cluster {
  stats: GaussianStats;
  logDet: number;
}

export function clusterOf(stats: GaussianStats, floor: number, scratch?: Float64Array): Cluster {
  return { stats, logDet: stats.logDet(floor, scratch) };
}

/** Penalty-free half of ΔBIC: how much worse one Gaussian explains both clusters than one each (nats). */
export function mergeCost(a: Cluster, b: Cluster, floor: number, scratch: Float64Array): number {
  const both = a.stats.clone();
  both.add(b.stats);
  return 0.5 * (both.count * both.logDet(floor, scratch) - a.stats.count * a.logDet - b.stats.count * b.logDet);
}

export interface MergeWeight {
  /** The BIC penalty weight at which merging the two stops paying. */
  weight: number;
  /** The same with the evidence capped at `evidence` seconds of frames. */
  capped: number;
}

/**
 * How strongly BIC says two clusters are different speakers, as the penalty weight λ at which ΔBIC = 0. BIC's
 * evidence grows with the number of frames, so in a long recording it would also tell apart what one speaker says
 * in different minutes; `capped` weighs at most `evidence` seconds, which keeps the decision the same whatever the
 * length.
 */
export function mergeWeight(
  a: Cluster,
  b: Cluster,
  p: { floor: number; evidence: number },
  scratch: Float64Array,
): MergeWeight {
  const d = a.stats.dims;
  const parameters = d + (d * (d + 1)) / 2;
  const frames = a.stats.count + b.stats.count;
  const cost = mergeCost(a, b, p.floor, scratch);
  const evidence = Math.min(frames, p.evidence * FRAME_RATE);
  return {
    weight: cost / (0.5 * parameters * Math.log(frames)),
    capped: ((cost / frames) * evidence) / (0.5 * parameters * Math.log(evidence)),
  };
}

/** A speaker's Gaussian ready to score frames: mean, Cholesky factor of the covariance, log-determinant. */
export interface FrameModel {
  mean: Float64Array;
  chol: Float64Array;
  logDet: number;
}

export function frameModel(stats: GaussianStats, floor: number): FrameModel {
  const chol = stats.covariance(floor);
  const logDet = choleskyLogDet(chol, stats.dims);
  return { mean: stats.mean(), chol, logDet };
}

/** Log-likelihood of the frame at `row` of `data` (up to a constant shared by all models); `y` is scratch. */
export function frameScore(model: FrameModel, data: Float32Array, row: number, d: number, y: Float64Array): number {
  // Solve L y = x − μ; the Mahalanobis distance is |y|².
  let distance = 0;
  for (let i = 0; i < d; i++) {
    let s = data[row + i]! - model.mean[i]!;
    for (let k = 0; k < i; k++) s -= model.chol[i * d + k]! * y[k]!;
    const v = s / model.chol[i * d + i]!;
    y[i] = v;
    distance += v * v;
  }
  return -0.5 * (distance + model.logDet);
}

/**
 * Confidence from the margin between the best and the runner-up speaker's average frame log-likelihood: a margin
 * of a nat per frame, sustained over a stretch, is near-certain.
 */
export function marginConfidence(best: number, second: number): number {
  return second === Number.NEGATIVE_INFINITY ? 1 : 1 / (1 + Math.exp(-4 * (best - second)));
}
