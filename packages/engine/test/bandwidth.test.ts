/** The telephone-bandwidth test on synthetic signals: a tone below 4 kHz alone, and with one above. */
import { describe, expect, it } from "vitest";
import { isNarrowband, upperBandDb } from "../src/audio/bandwidth.js";

const RATE = 16_000;

function tones(hz: readonly number[], amplitude: number): Int16Array {
  return Int16Array.from({ length: RATE }, (_, i) =>
    Math.round(hz.reduce((sum, f) => sum + amplitude * Math.sin((2 * Math.PI * f * i) / RATE), 0)),
  );
}

describe("telephone bandwidth", () => {
  it("takes audio with nothing above 4.3 kHz as narrowband", () => {
    const pcm = tones([440, 1800, 3100], 5000);
    expect(upperBandDb(pcm, RATE)).toBeLessThan(-60);
    expect(isNarrowband(pcm, RATE)).toBe(true);
  });

  it("takes audio with a little energy above 4.3 kHz as wideband", () => {
    // The upper tone 40 dB below each lower one: within what wideband speech measured (bench/narrowband).
    const upper = tones([5500], 50);
    const pcm = Int16Array.from(tones([440, 1800, 3100], 5000), (x, i) => x + upper[i]!);
    expect(upperBandDb(pcm, RATE)).toBeGreaterThan(-52);
    expect(isNarrowband(pcm, RATE)).toBe(false);
  });

  it("takes silence as wideband: nothing to judge by", () => {
    expect(isNarrowband(new Int16Array(RATE), RATE)).toBe(false);
  });
});
