/**
 * The live streaming resampler: chunking never changes its output, and it agrees with libsamplerate (what batch
 * audio goes through) on tones and real speech. Stated floors: 80 dB on tones inside the band; on speech, 45 dB
 * for 8 kHz → 16 kHz and 35 dB for 48 kHz → 16 kHz, where the two filters' transition bands (7.3–8 kHz) differ.
 */
import { readFileSync } from "node:fs";
import { clip } from "@earshot/bench/corpus";
import { describe, expect, it } from "vitest";
import { resample } from "../src/audio/resample.js";
import { StreamResampler } from "../src/audio/stream-resampler.js";
import { decodeWav } from "../src/audio/wav.js";

const tone = (hz: number, rate: number, seconds: number) =>
  Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / rate));

/** Signal-to-difference ratio of `actual` against `expected`, dB, away from the edges. */
function snr(expected: Float32Array, actual: Float32Array): number {
  let signal = 0;
  let noise = 0;
  for (let i = 200; i < Math.min(expected.length, actual.length) - 200; i++) {
    signal += expected[i]! ** 2;
    noise += (expected[i]! - actual[i]!) ** 2;
  }
  return 10 * Math.log10(signal / noise);
}

const libsamplerate = async (samples: Float32Array, from: number, to: number) =>
  (await resample({ sampleRate: from, channels: [samples] }, to)).channels[0]!;

/** Pushes `samples` in chunks of irregular sizes (a seeded sequence) and joins the output. */
function chunked(resampler: StreamResampler, samples: Float32Array): Float32Array {
  const out: number[] = [];
  let seed = 7;
  for (let i = 0; i < samples.length; ) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const n = 1 + (seed % 1500);
    out.push(...resampler.push(samples.subarray(i, i + n)));
    i += n;
  }
  return Float32Array.from(out);
}

const speech = decodeWav(readFileSync(clip("ljspeech-dev", "LJ001-0001").path)).channels[0]!;

describe("StreamResampler", () => {
  it.each([8000, 44_100, 48_000])("gives the same samples whatever the chunking (%i Hz → 16 kHz)", (rate) => {
    const input = tone(440, rate, 1.3);
    const whole = new StreamResampler(rate, 16_000).push(input);
    expect(chunked(new StreamResampler(rate, 16_000), input)).toEqual(whole);
    // All but the filter's lookahead (3.3 ms from 8 kHz, 1.7 ms from higher rates) comes out at once.
    expect(whole.length).toBeGreaterThan(16_000 * (1.3 - 0.0035));
    expect(whole.length).toBeLessThanOrEqual(16_000 * 1.3);
  });

  it.each([
    [8000, 440],
    [8000, 3000],
    [48_000, 440],
    [48_000, 6000],
  ])("matches libsamplerate on a tone (%i Hz input, %i Hz tone)", async (rate, hz) => {
    const input = tone(hz, rate, 1);
    const expected = await libsamplerate(input, rate, 16_000);
    expect(snr(expected, new StreamResampler(rate, 16_000).push(input))).toBeGreaterThan(80);
  });

  it("matches libsamplerate on speech, 8 kHz → 16 kHz and 48 kHz → 16 kHz", async () => {
    for (const [rate, floor] of [
      [8000, 45],
      [48_000, 35],
    ] as const) {
      const input = await libsamplerate(speech, 16_000, rate);
      const expected = await libsamplerate(input, rate, 16_000);
      expect(snr(expected, new StreamResampler(rate, 16_000).push(input)), `${rate} Hz`).toBeGreaterThan(floor);
    }
  });

  it("removes what lies above the new Nyquist frequency instead of aliasing it", () => {
    const out = new StreamResampler(48_000, 16_000).push(tone(12_000, 48_000, 1));
    const rms = Math.sqrt(out.subarray(1000, 15_000).reduce((s, v) => s + v * v, 0) / 14_000);
    expect(rms).toBeLessThan(1e-3);
  });
});
