/**
 * The whisper.cpp adapter's own logic on synthetic segments: words from segments, LocalAgreement-2 and the
 * live compute budget (the binding is replaced by a scripted model here; test/e2e/whisper.test.ts runs the
 * real one).
 */
import { describe, expect, it } from "vitest";
import { RECOGNIZER_SAMPLE_RATE } from "../src/recognizer.js";
import { agreedPrefix } from "../src/whisper/agreement.js";
import type { WhisperDecodeOptions, WhisperModel } from "../src/whisper/binding.js";
import { whisperLanguage } from "../src/whisper/language.js";
import { createWhisperLiveDecoder } from "../src/whisper/live-decoder.js";
import { type WhisperSegment, wordsOfSegments } from "../src/whisper/words.js";

const seg = (text: string, start: number, end: number): WhisperSegment => ({ text, start, end });
const word = (w: string) => ({ word: w, start: 0, end: 0, confidence: 1 });

describe("wordsOfSegments", () => {
  it("turns one-word segments into timed words, punctuated and bare", () => {
    expect(wordsOfSegments([seg(" Hello,", 0, 40), seg(" world.", 40, 95)], 2)).toEqual([
      { word: "hello", start: 0, end: 0.4, confidence: 1, punctuated_word: "Hello," },
      { word: "world", start: 0.4, end: 0.95, confidence: 1, punctuated_word: "world." },
    ]);
  });

  it("drops annotations and bare punctuation, keeps times monotonic and inside the audio", () => {
    const words = wordsOfSegments(
      [seg(" [BLANK_AUDIO]", 0, 100), seg(" it's", 100, 130), seg(" -", 130, 131), seg(" fine", 128, 260)],
      2.5,
    );
    expect(words.map((w) => w.word)).toEqual(["it's", "fine"]);
    expect(words[1]).toMatchObject({ start: 1.3, end: 2.5 });
  });
});

describe("agreedPrefix", () => {
  it("counts the leading words two passes agree on", () => {
    const a = ["the", "cat", "sat"].map(word);
    expect(agreedPrefix(a, ["the", "cat", "sits"].map(word))).toBe(2);
    expect(agreedPrefix(a, ["a", "cat", "sat"].map(word))).toBe(0);
    expect(agreedPrefix([], a)).toBe(0);
  });
});

describe("whisperLanguage", () => {
  it("asks an English-only model for English, a multilingual one for the request's language or detection", () => {
    expect(whisperLanguage(false, { language: "de", detectLanguage: true })).toBe("en");
    expect(whisperLanguage(true, { language: "de-DE" })).toBe("de");
    expect(whisperLanguage(true, { language: "de", detectLanguage: true })).toBe("auto");
    expect(whisperLanguage(true)).toBe("auto");
  });
});

/** A model that answers each pass with the next scripted words, one word per 0.5 s of the window. */
function scripted(passes: string[][], cost = 0): { model: WhisperModel; windows: number[] } {
  const windows: number[] = [];
  let pass = 0;
  const model: WhisperModel = {
    multilingual: false,
    async decode(pcm: Float32Array, _options: WhisperDecodeOptions) {
      windows.push(pcm.length / RECOGNIZER_SAMPLE_RATE);
      const until = performance.now() + cost * 1000;
      while (performance.now() < until);
      const words = passes[Math.min(pass++, passes.length - 1)]!;
      return { segments: words.map((w, i) => seg(` ${w}`, i * 50, i * 50 + 40)), language: "en" };
    },
  };
  return { model, windows };
}

const second = () => new Int16Array(RECOGNIZER_SAMPLE_RATE);

describe("the whisper live decoder", () => {
  it("commits the words two passes agree on and decodes only what follows them", async () => {
    const { model, windows } = scripted([["the", "cat"], ["the", "cat", "sat"], ["on"], ["on", "it"]]);
    const live = createWhisperLiveDecoder(model, { threads: 1, audioCtxMargin: false });
    live.start();
    live.feed(second());
    expect((await live.partial()).map((w) => w.word)).toEqual(["the", "cat"]);
    live.feed(second());
    // "the cat" agreed twice: committed; the window now starts where "cat" ended (0.9 s).
    expect((await live.partial()).map((w) => w.word)).toEqual(["the", "cat", "sat"]);
    live.feed(second());
    expect((await live.partial()).map((w) => w.word)).toEqual(["the", "cat", "on"]);
    expect(windows[2]).toBeCloseTo(3 - 0.9, 3);
    const final = await live.finish();
    expect(final.map((w) => w.word)).toEqual(["the", "cat", "on", "it"]);
    expect(final[2]!.start).toBeCloseTo(0.9, 3);
    for (let i = 1; i < final.length; i++) expect(final[i]!.start).toBeGreaterThanOrEqual(final[i - 1]!.start);
  });

  it("skips interim passes that would take more than half of real time, never the final one", async () => {
    const { model, windows } = scripted([["a"]], 0.8);
    const live = createWhisperLiveDecoder(model, { threads: 1, audioCtxMargin: false });
    live.start();
    live.feed(second());
    await live.partial();
    // The pass took 0.8 s, so the next may start only after 1.6 s of new audio.
    live.feed(second());
    await live.partial();
    expect(windows).toHaveLength(1);
    live.feed(new Int16Array(RECOGNIZER_SAMPLE_RATE * 1.5));
    await live.partial();
    expect(windows).toHaveLength(2);
    await live.finish();
    expect(windows).toHaveLength(3);
  });
});
