import { describe, expect, it } from "vitest";
import { planPieces } from "../src/segment.js";

describe("planPieces", () => {
  it("cuts in the middle of pauses and never inside speech", () => {
    const speech = [
      { start: 1, end: 4 },
      { start: 4.4, end: 9 },
      { start: 30, end: 33 },
    ];
    const pieces = planPieces(speech, 40, { maxPiece: 10, padding: 0.3 });
    expect(pieces).toEqual([
      { start: 0.7, end: 9.3 },
      { start: 29.7, end: 33.3 },
    ]);
  });

  it("starts a new piece when the next span would exceed maxPiece, splitting the pause between them", () => {
    const pieces = planPieces(
      [
        { start: 0, end: 8 },
        { start: 8.2, end: 15 },
      ],
      15,
      { maxPiece: 10, padding: 0.3 },
    );
    expect(pieces).toEqual([
      { start: 0, end: 8.1 },
      { start: 8.1, end: 15 },
    ]);
  });

  it("ends a piece where the speaker changes, even when the next span would fit", () => {
    const speech = [
      { start: 0, end: 3 },
      { start: 3.5, end: 6 },
      { start: 6.5, end: 9 },
    ];
    const turns = [
      { start: 0, end: 3.1, speaker: 0 },
      { start: 3.4, end: 9, speaker: 1 },
    ];
    expect(planPieces(speech, 10, { maxPiece: 20, padding: 0.25, turns })).toEqual([
      { start: 0, end: 3.25 },
      { start: 3.25, end: 9.25 },
    ]);
    expect(planPieces(speech, 10, { maxPiece: 20, padding: 0.25 })).toEqual([{ start: 0, end: 9.25 }]);
  });

  it("plans nothing for silence", () => {
    expect(planPieces([], 12)).toEqual([]);
  });
});
