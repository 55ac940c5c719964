/**
 * Whether audio at 16 kHz carries anything above telephone bandwidth. Telephone audio (8 kHz, G.711) reaches
 * the recogniser upsampled, with nothing above 4 kHz, and a wideband acoustic model hears such audio very
 * differently: the mel filters it was trained with run up to 6.8 kHz. The speech band's power is compared with
 * the band the telephone cuts (4.3–7 kHz). On the shared sets (bench/narrowband) every clip as recorded kept the
 * upper band within 45 dB of the lower; resampled to 8 kHz and back, every clip left 58 dB or more between them
 * (the resampler's stopband), so the line is drawn halfway.
 */
import FFT from "fft.js";

/** Audio sampled at this rate or below carries nothing above telephone bandwidth. */
export const NARROWBAND_RATE = 8000;

const FRAME = 512;
/** Upper band at most this far below the speech band (dB) and the audio is taken as band-limited. */
const NARROWBAND_DB = -52;

/** Power above telephone bandwidth relative to the speech band, in dB, of 16-bit `pcm` at `sampleRate`. */
export function upperBandDb(pcm: Int16Array, sampleRate: number): number {
  const fft = new FFT(FRAME);
  const frame = new Array<number>(FRAME);
  const spectrum = fft.createComplexArray() as number[];
  const bin = (hz: number): number => Math.round((hz * FRAME) / sampleRate);
  const [lowFrom, lowTo, highFrom, highTo] = [bin(300), bin(3400), bin(4300), bin(7000)];
  let low = 0;
  let high = 0;
  for (let at = 0; at + FRAME <= pcm.length; at += FRAME) {
    for (let i = 0; i < FRAME; i++) frame[i] = pcm[at + i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FRAME));
    fft.realTransform(spectrum, frame);
    for (let k = lowFrom; k < highTo; k++) {
      const power = spectrum[2 * k]! ** 2 + spectrum[2 * k + 1]! ** 2;
      if (k < lowTo) low += power;
      else if (k >= highFrom) high += power;
    }
  }
  return low > 0 ? 10 * Math.log10(high / low + 1e-12) : 0;
}

/** Whether `pcm` (16-bit, at `sampleRate`) looks like telephone audio: nothing above 4.3 kHz. */
export function isNarrowband(pcm: Int16Array, sampleRate: number): boolean {
  return upperBandDb(pcm, sampleRate) < NARROWBAND_DB;
}
