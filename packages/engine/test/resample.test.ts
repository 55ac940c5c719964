import { describe, expect, it } from "vitest";
import { resample } from "../src/audio/resample.js";

const tone = (hz: number, rate: number, seconds: number) =>
  Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => Math.sin((2 * Math.PI * hz * i) / rate));

const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);

describe("resample", () => {
  it("keeps a tone inside the new band and its length in time", async () => {
    const out = await resample({ sampleRate: 44100, channels: [tone(440, 44100, 1)] }, 16000);
    expect(out.sampleRate).toBe(16000);
    expect(Math.abs(out.channels[0]!.length - 16000)).toBeLessThanOrEqual(2);
    expect(rms(out.channels[0]!.subarray(1000, 15000))).toBeCloseTo(Math.SQRT1_2, 2);
  });

  it("removes what lies above the new Nyquist frequency instead of aliasing it", async () => {
    const out = await resample({ sampleRate: 48000, channels: [tone(12000, 48000, 1)] }, 16000);
    expect(rms(out.channels[0]!.subarray(1000, 15000))).toBeLessThan(0.01);
  });

  it("passes audio already at the rate through untouched", async () => {
    const audio = { sampleRate: 16000, channels: [tone(100, 16000, 0.1)] };
    expect(await resample(audio, 16000)).toBe(audio);
  });
});
