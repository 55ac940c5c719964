/**
 * What the fan-out's job owner reads back from the results hash: this version's pieces, and those a worker from
 * before keyterms reached the fan-out stored as a bare word list (a rolling upgrade, or a job rerun over them).
 */
import { describe, expect, it } from "vitest";
import { pieceResultOf } from "../src/jobs/fanout.js";

const words = [{ word: "printing", start: 0.1, end: 0.5, confidence: 0.93 }];

describe("fan-out piece results", () => {
  it("reads a piece stored with whether its keyterms were applied", () => {
    expect(pieceResultOf(JSON.stringify({ words, keyterms: true }))).toEqual({ words, keyterms: true });
  });

  it("keeps the words of a piece an older worker stored as a bare list, whose keyterms were never applied", () => {
    expect(pieceResultOf(JSON.stringify(words))).toEqual({ words, keyterms: false });
  });
});
