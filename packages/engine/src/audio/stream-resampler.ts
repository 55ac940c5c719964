/**
 * Streaming sample-rate conversion for live audio: a polyphase windowed-sinc filter whose state (the last few
 * dozen input samples and the output clock) carries from one chunk to the next, so any chunking of a stream
 * gives the same output sample for sample.
 *
 * Batch audio keeps libsamplerate (resample.ts). Live streams do not: every libsamplerate-js converter is its
 * own WebAssembly instance of about 26 MB, one per channel of every 8 kHz or 48 kHz stream, where this filter
 * holds a few KB of coefficients and history. The recogniser only needs the band below ~7 kHz (PocketSphinx
 * analyses up to 6.8 kHz), so a Kaiser-windowed sinc with the passband at 91 % of the lower Nyquist frequency
 * and ~90 dB stopband is enough; resample.test.ts measures it against libsamplerate.
 */

/** Zero crossings of the sinc on each side of its centre: sets the transition band (and the cost per sample). */
const ZERO_CROSSINGS = 24;
/** Passband edge as a fraction of the lower of the two Nyquist frequencies. */
const ROLLOFF = 0.91;
/** Kaiser window shape: ~90 dB stopband. */
const KAISER_BETA = 8.6;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Modified Bessel function of the first kind, order 0 (its series converges fast for the window's range). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

export class StreamResampler {
  /** The rates as a reduced fraction: output sample n sits at input position n·down/up. */
  private readonly up: number;
  private readonly down: number;
  /** Input samples the filter reaches on each side of an output's position. */
  private readonly half: number;
  /** One filter per output phase (n·down mod up), over inputs [i − half + 1, i + half]. */
  private readonly phases: Float32Array[];
  /** Input not yet consumed, starting at absolute input index `first` (the stream starts after silence). */
  private pending: Float32Array;
  private first: number;
  /** The next output sample's index. */
  private next = 0;

  constructor(inputRate: number, outputRate: number) {
    const divisor = gcd(inputRate, outputRate);
    this.up = outputRate / divisor;
    this.down = inputRate / divisor;
    const cutoff = Math.min(1, this.up / this.down) * ROLLOFF;
    this.half = Math.ceil(ZERO_CROSSINGS / cutoff);
    const norm = besselI0(KAISER_BETA);
    this.phases = Array.from({ length: this.up }, (_, p) => {
      const taps = new Float32Array(2 * this.half);
      let sum = 0;
      for (let k = 0; k < taps.length; k++) {
        // Distance in input samples from the output's position (i + p/up) to input i − half + 1 + k.
        const x = k - this.half + 1 - p / this.up;
        const u = x / this.half;
        const window = Math.abs(u) >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - u * u)) / norm;
        const sinc = x === 0 ? 1 : Math.sin(Math.PI * cutoff * x) / (Math.PI * cutoff * x);
        taps[k] = cutoff * sinc * window;
        sum += taps[k]!;
      }
      // Each phase passes DC at exactly unit gain, so no phase adds a ripple of its own.
      for (let k = 0; k < taps.length; k++) taps[k]! /= sum;
      return taps;
    });
    this.pending = new Float32Array(this.half - 1);
    this.first = -(this.half - 1);
  }

  /**
   * Converts the next chunk of the stream. Returns the output samples the input so far determines; the last
   * `half` input samples wait for the lookahead the filter needs (3.3 ms of 8 kHz audio, 1.7 ms of faster rates).
   */
  push(input: Float32Array): Float32Array {
    const buffer = new Float32Array(this.pending.length + input.length);
    buffer.set(this.pending);
    buffer.set(input, this.pending.length);
    const end = this.first + buffer.length;
    // Output n is ready once its last input, floor(n·down/up) + half, has arrived.
    const ready = Math.max(0, Math.floor(((end - this.half) * this.up + this.down - 1) / this.down) - this.next);
    const out = new Float32Array(ready);
    for (let o = 0; o < ready; o++) {
      const position = this.next * this.down;
      const i = Math.floor(position / this.up);
      const taps = this.phases[position - i * this.up]!;
      const from = i - this.half + 1 - this.first;
      let acc = 0;
      for (let k = 0; k < taps.length; k++) acc += taps[k]! * buffer[from + k]!;
      out[o] = acc;
      this.next++;
    }
    const keep = Math.floor((this.next * this.down) / this.up) - this.half + 1;
    this.pending = buffer.slice(keep - this.first);
    this.first = keep;
    return out;
  }
}
