import type { Word } from "@earshot/protocol";
import { describe, expect, it } from "vitest";
import { buildSpeakerParagraphs, splitUtterancesBySpeaker } from "../src/diarize/transcript.js";
import { channelLanguage } from "../src/language.js";
import { ModelRegistry } from "../src/models/registry.js";
import { buildUtterances } from "../src/text/words.js";

const word = (text: string, start: number, speaker: number): Word => ({
  word: text,
  start,
  end: start + 0.4,
  confidence: 0.9,
  speaker,
  speaker_confidence: 0.8,
});

// Two speakers without a pause between them, then speaker 0 again after one.
const words = [word("hello", 0, 0), word("there", 0.5, 0), word("hi", 1, 1), word("again", 1.5, 1), word("so", 4, 0)];

describe("speaker-aware utterances and paragraphs", () => {
  it("splits utterances where the speaker changes, each with its speaker", () => {
    const utterances = splitUtterancesBySpeaker(buildUtterances([words]));
    expect(utterances.map((u) => [u.speaker, u.transcript])).toEqual([
      [0, "hello there"],
      [1, "hi again"],
      [0, "so"],
    ]);
    expect(new Set(utterances.map((u) => u.id)).size).toBe(3);
    expect(utterances[1]).toMatchObject({ start: 1, end: 1.9, channel: 0 });
  });

  it("groups paragraphs by speaker with Deepgram's 'Speaker N:' transcript", () => {
    const paragraphs = buildSpeakerParagraphs(words);
    expect(paragraphs.paragraphs.map((p) => [p.speaker, p.num_words])).toEqual([
      [0, 2],
      [1, 2],
      [0, 1],
    ]);
    expect(paragraphs.transcript).toBe("\nSpeaker 0: hello there\n\nSpeaker 1: hi again\n\nSpeaker 0: so");
  });

  it("keeps punctuated sentences, clipped to each speaker's run", () => {
    const paragraphs = buildSpeakerParagraphs(words, [
      { start: 0, end: 3 },
      { start: 3, end: 5 },
    ]);
    expect(paragraphs.paragraphs.map((p) => p.sentences.map((s) => s.text))).toEqual([
      ["hello there"],
      ["hi", "again"],
      ["so"],
    ]);
  });
});

describe("the spoken language of a channel", () => {
  const model = new ModelRegistry().defaultModel;

  it("is the model's own language, as sure as its words, when the recogniser does not identify languages", () => {
    const language = channelLanguage(
      model,
      [
        { word: "a", start: 0, end: 1, confidence: 0.9 },
        { word: "b", start: 1, end: 1.5, confidence: 0.3 },
      ],
      [{ language: undefined, seconds: 2 }],
    );
    expect(language).toEqual({ language: "en", confidence: 0.7, identified: false });
    expect(channelLanguage(model, [], []).confidence).toBe(0);
  });

  it("is the recogniser's own identification when it has one, weighted by the pieces' length", () => {
    const language = channelLanguage(
      model,
      [],
      [
        { language: { language: "fr", confidence: 0.9 }, seconds: 10 },
        { language: { language: "en", confidence: 0.8 }, seconds: 2 },
      ],
    );
    expect(language).toEqual({ language: "fr", confidence: 0.75, identified: true });
  });
});
