import {
  applyReplacements,
  buildParagraphs,
  buildUtterances,
  countErrors,
  normalizeText,
  searchWords,
  wordErrorRate,
} from "@earshot/engine";
import type { Word } from "@earshot/protocol";
import { describe, expect, it } from "vitest";

const words = (spec: string): Word[] =>
  spec.split(" ").map((token) => {
    const [word = "", start = "0", end = "0"] = token.split(/[@-]/);
    return { word, start: Number(start), end: Number(end), confidence: 0.9 };
  });

describe("word error rate", () => {
  it("normalises case and punctuation on both sides", () => {
    expect(normalizeText("Hello, World! It's 'quoted'.")).toEqual(["hello", "world", "it's", "quoted"]);
  });

  it("counts substitutions, deletions and insertions", () => {
    expect(countErrors("the cat sat on the mat", "the cat sat on mat")).toEqual({
      substitutions: 0,
      deletions: 1,
      insertions: 0,
      words: 6,
    });
    expect(countErrors("a b c", "a x c d")).toEqual({ substitutions: 1, deletions: 0, insertions: 1, words: 3 });
    expect(
      wordErrorRate([
        { reference: "a b", hypothesis: "a b" },
        { reference: "c d", hypothesis: "c" },
      ]),
    ).toBe(0.25);
  });
});

describe("replace", () => {
  it("replaces single and multi-word terms case-insensitively, or removes them", () => {
    const ws = words("ask@0-1 not@1-2 what@2-3 your@3-4 country@4-5");
    expect(applyReplacements(ws, ["country:nation"]).map((w) => w.word)).toEqual([
      "ask",
      "not",
      "what",
      "your",
      "nation",
    ]);
    const merged = applyReplacements(ws, ["YOUR COUNTRY:the state"]);
    expect(merged.at(-1)).toMatchObject({ word: "the state", start: 3, end: 5 });
    expect(applyReplacements(ws, ["not:"]).map((w) => w.word)).toEqual(["ask", "what", "your", "country"]);
  });
});

describe("search", () => {
  it("finds exact and near matches, best first", () => {
    const ws = words("the@0-1 modern@1-2 mater@2-3 printer@3-4");
    const [result] = searchWords(ws, ["modern"]);
    expect(result!.query).toBe("modern");
    expect(result!.hits[0]).toMatchObject({ start: 1, end: 2, snippet: "modern" });
    expect(result!.hits.every((h, i, all) => i === 0 || all[i - 1]!.confidence >= h.confidence)).toBe(true);
    expect(searchWords(ws, ["zebra"])[0]!.hits).toEqual([]);
  });
});

describe("utterances and paragraphs", () => {
  const ws = words("one@0-0.5 two@0.6-1 three@2-2.5 four@2.6-3 five@5-5.5");

  it("splits utterances at pauses longer than utt_split, per channel", () => {
    const u = buildUtterances([ws], 0.8);
    expect(u.map((x) => x.transcript)).toEqual(["one two", "three four", "five"]);
    expect(u[1]).toMatchObject({ start: 2, end: 3, channel: 0, confidence: 0.9 });
    expect(buildUtterances([ws], 2.5).map((x) => x.transcript)).toEqual(["one two three four five"]);
    const two = buildUtterances([words("a@0-1"), words("b@0.5-1.5")]);
    expect(two.map((x) => [x.channel, x.transcript])).toEqual([
      [0, "a"],
      [1, "b"],
    ]);
  });

  it("groups sentences into paragraphs at long pauses", () => {
    const p = buildParagraphs(ws);
    expect(p.paragraphs.map((x) => x.sentences.map((s) => s.text))).toEqual([["one two", "three four"], ["five"]]);
    expect(p.paragraphs.map((x) => x.num_words)).toEqual([4, 1]);
    expect(p.transcript).toBe("\none two three four\n\nfive");
  });
});
