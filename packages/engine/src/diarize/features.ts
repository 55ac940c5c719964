/**
 * Mel-frequency cepstral coefficients, the spectral-envelope features classic speaker diarization is built on:
 * 25 ms Hamming frames every 10 ms, pre-emphasis, a 512-point FFT (npm `fft.js`: small, dependency-free and the
 * fastest plain-JavaScript FFT), 40 mel bands from 60 Hz to 7.6 kHz, log, DCT. c0 (loudness) is left out of the
 * coefficients — a speaker's level says little about who they are — and returned apart as the frame's log energy.
 * One extractor per thread; it allocates nothing per frame.
 */
import FFT from "fft.js";

export const FEATURE_SAMPLE_RATE = 16_000;
/** Frames per second (10 ms hop). */
export const FRAME_RATE = 100;
export const HOP = FEATURE_SAMPLE_RATE / FRAME_RATE;
/** 25 ms analysis window. */
export const FRAME_LENGTH = 400;
const FFT_SIZE = 512;
const BINS = FFT_SIZE / 2 + 1;
const MEL_BANDS = 40;
const LOW_HZ = 60;
const HIGH_HZ = 7600;
const PRE_EMPHASIS = 0.97;

const mel = (hz: number): number => 1127 * Math.log(1 + hz / 700);
const hzOfMel = (m: number): number => 700 * (Math.exp(m / 1127) - 1);

export class MfccExtractor {
  /** Cepstral coefficients per frame (c1…cN). */
  readonly dims: number;
  private readonly fft = new FFT(FFT_SIZE);
  private readonly frame = new Float64Array(FFT_SIZE);
  private readonly spectrum = new Float64Array(2 * FFT_SIZE);
  private readonly window = new Float64Array(FRAME_LENGTH);
  private readonly bandEnergy = new Float64Array(MEL_BANDS);
  /** Triangular filters as (first bin, weights). */
  private readonly filters: { first: number; weights: Float64Array }[] = [];
  /** DCT-II rows 1…dims over the log mel energies. */
  private readonly dct: Float64Array;

  constructor(dims = 19) {
    this.dims = dims;
    for (let i = 0; i < FRAME_LENGTH; i++)
      this.window[i] = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (FRAME_LENGTH - 1));
    const low = mel(LOW_HZ);
    const high = mel(HIGH_HZ);
    const edges = Array.from({ length: MEL_BANDS + 2 }, (_, i) => hzOfMel(low + ((high - low) * i) / (MEL_BANDS + 1)));
    const binHz = FEATURE_SAMPLE_RATE / FFT_SIZE;
    for (let b = 0; b < MEL_BANDS; b++) {
      const [left, centre, right] = [edges[b]!, edges[b + 1]!, edges[b + 2]!];
      const first = Math.ceil(left / binHz);
      const last = Math.min(BINS - 1, Math.floor(right / binHz));
      const weights = new Float64Array(Math.max(0, last - first + 1));
      for (let k = first; k <= last; k++) {
        const hz = k * binHz;
        weights[k - first] = hz <= centre ? (hz - left) / (centre - left) : (right - hz) / (right - centre);
      }
      this.filters.push({ first, weights });
    }
    this.dct = new Float64Array(dims * MEL_BANDS);
    for (let c = 0; c < dims; c++) {
      for (let b = 0; b < MEL_BANDS; b++) {
        this.dct[c * MEL_BANDS + b] = Math.sqrt(2 / MEL_BANDS) * Math.cos((Math.PI * (c + 1) * (b + 0.5)) / MEL_BANDS);
      }
    }
  }

  /**
   * Features of the frame starting at `offset` (needs `FRAME_LENGTH` samples from there) into `out` at `outOffset`;
   * returns the frame's log energy.
   */
  compute(samples: Float32Array, offset: number, out: Float32Array, outOffset: number): number {
    const { frame, window } = this;
    let previous = offset > 0 ? samples[offset - 1]! : samples[offset]!;
    let mean = 0;
    for (let i = 0; i < FRAME_LENGTH; i++) mean += samples[offset + i]!;
    mean /= FRAME_LENGTH;
    previous -= mean;
    for (let i = 0; i < FRAME_LENGTH; i++) {
      const x = samples[offset + i]! - mean;
      frame[i] = (x - PRE_EMPHASIS * previous) * window[i]!;
      previous = x;
    }
    frame.fill(0, FRAME_LENGTH);
    this.fft.realTransform(this.spectrum, frame);
    const { spectrum, bandEnergy } = this;
    let energy = 0;
    for (let b = 0; b < MEL_BANDS; b++) {
      const { first, weights } = this.filters[b]!;
      let sum = 0;
      for (let k = 0; k < weights.length; k++) {
        const re = spectrum[2 * (first + k)]!;
        const im = spectrum[2 * (first + k) + 1]!;
        sum += weights[k]! * (re * re + im * im);
      }
      energy += sum;
      bandEnergy[b] = Math.log(sum + 1e-10);
    }
    for (let c = 0; c < this.dims; c++) {
      let sum = 0;
      const row = c * MEL_BANDS;
      for (let b = 0; b < MEL_BANDS; b++) sum += this.dct[row + b]! * bandEnergy[b]!;
      out[outOffset + c] = sum;
    }
    return Math.log(energy + 1e-10);
  }
}

/** Features of every 10 ms frame of a stretch of audio. Frame `i` starts at sample `i * HOP`. */
export interface FeatureFrames {
  dims: number;
  count: number;
  /** `count × dims`, row-major. */
  data: Float32Array;
  /** Log energy per frame. */
  energy: Float32Array;
}

/** Every whole frame of `samples`. */
export function computeFrames(extractor: MfccExtractor, samples: Float32Array): FeatureFrames {
  const count = Math.max(0, Math.floor((samples.length - FRAME_LENGTH) / HOP) + 1);
  const { dims } = extractor;
  const data = new Float32Array(count * dims);
  const energy = new Float32Array(count);
  for (let i = 0; i < count; i++) energy[i] = extractor.compute(samples, i * HOP, data, i * dims);
  return { dims, count, data, energy };
}
