/** The text stage as the server runs it: when it runs, what a self-punctuating model keeps, replacements after it. */
import { describe, expect, it } from "vitest";
import { needsTextStage, replaceStaged, runTextStage, sentenceRangesOf } from "../src/text/stage.js";

const timed = (text: string, gapAfter: Record<number, number> = {}) => {
  let t = 0;
  return text.split(" ").map((word, i) => {
    const w = { word, start: t, end: t + 0.3, confidence: 0.9 };
    t += 0.35 + (gapAfter[i] ?? 0);
    return w;
  });
};

describe("runTextStage", () => {
  it("leaves words untouched when no option asks for formatting", () => {
    const words = timed("hello there how are you");
    const staged = runTextStage(words, {});
    expect(staged.words).toEqual(words);
    expect(staged.sentences).toEqual([]);
    expect(needsTextStage({ paragraphs: true } as object)).toBe(false);
  });

  it("keeps a self-punctuating model's words for punctuate alone, and formats them for anything more", () => {
    const words = [
      { word: "low", start: 0, end: 0.5, confidence: 1, punctuated_word: "Low" },
      { word: "high", start: 0.5, end: 1, confidence: 1, punctuated_word: "high." },
    ];
    expect(needsTextStage({ punctuate: true }, true)).toBe(false);
    expect(runTextStage(words, { punctuate: true }, true)).toEqual({ words, sentences: [{ start: 0, end: 2 }] });
    expect(needsTextStage({ punctuate: true, redact: ["numbers"] }, true)).toBe(true);
  });

  it("gives sentences for paragraphs, and recomputes them after a replacement merges words", () => {
    const staged = runTextStage(timed("we met on monday it went well thank you", { 3: 1.5 }), { punctuate: true });
    expect(staged.sentences.length).toBeGreaterThanOrEqual(1);
    expect(staged.sentences.at(-1)!.end).toBe(staged.words.length);
    const replaced = replaceStaged(staged, ["thank you:thanks"]);
    expect(replaced.words.at(-1)).toMatchObject({
      word: "thanks",
      punctuated_word: expect.stringMatching(/^thanks[.?!]?$/),
    });
    expect(replaced.sentences.at(-1)!.end).toBe(replaced.words.length);
    expect(replaceStaged(staged, ["absent:x"])).toBe(staged);
  });
});

describe("sentenceRangesOf", () => {
  it("ends sentences at marks and at the last word", () => {
    const words = ["Yes.", "No?", "Maybe", "so"].map((punctuated_word) => ({ punctuated_word }));
    expect(sentenceRangesOf(words)).toEqual([
      { start: 0, end: 1 },
      { start: 1, end: 2 },
      { start: 2, end: 4 },
    ]);
    expect(sentenceRangesOf([{}, {}])).toEqual([]);
  });
});
