import { describe, expect, it } from "vitest";
import { calibrate } from "../src/pocketsphinx/confidence.js";
import { mergeArgs } from "../src/pocketsphinx/recognizer.js";

describe("mergeArgs", () => {
  it("replaces a flag's value instead of repeating the flag, which sphinxbase rejects", () => {
    expect(mergeArgs(["-remove_silence", "no", "-lw", "6.5"], ["-lw", "8", "-beam", "1e-60"])).toEqual([
      "-remove_silence",
      "no",
      "-lw",
      "8",
      "-beam",
      "1e-60",
    ]);
  });

  it("matches flags only, never a value that happens to look like one", () => {
    expect(mergeArgs(["-a", "-b", "-b", "1"], ["-b", "2"])).toEqual(["-a", "-b", "-b", "2"]);
  });
});

describe("calibrate", () => {
  const map = [
    [0.2, 0.3],
    [0.6, 0.5],
    [1, 0.9],
  ] as const;

  it("interpolates between the map's points and stays flat beyond its ends", () => {
    expect(calibrate(0.4, map)).toBeCloseTo(0.4);
    expect(calibrate(0.8, map)).toBeCloseTo(0.7);
    expect(calibrate(0, map)).toBe(0.3);
    expect(calibrate(1, map)).toBe(0.9);
  });

  it("keeps the order of confidences", () => {
    const raws = Array.from({ length: 101 }, (_, i) => i / 100);
    const mapped = raws.map((r) => calibrate(r, map));
    for (let i = 1; i < mapped.length; i++) expect(mapped[i]).toBeGreaterThanOrEqual(mapped[i - 1]!);
  });

  it("leaves confidences alone without a map", () => {
    expect(calibrate(0.42, [])).toBe(0.42);
  });
});
