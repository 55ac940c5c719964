/**
 * The text stage on recognised words: punctuation and casing, numbers and other written forms, dictation,
 * fillers, profanity, redaction and entities — on small spoken inputs, and once on real speech.
 */
import { readFileSync } from "node:fs";
import { loadWritten } from "@earshot/bench/corpus";
import { Engine, type FormatOptions, formatWords, type RecognizedWord, unknownRedactions } from "@earshot/engine";
import { afterAll, describe, expect, it } from "vitest";

/** Spoken words, 0.3 s apart, no pauses between them. */
const spoken = (text: string): RecognizedWord[] =>
  text.split(/\s+/).map((word, i) => ({ word, start: i * 0.3, end: i * 0.3 + 0.28, confidence: 0.9 - i / 1000 }));

const transcriptOf = (text: string, options: FormatOptions): string => formatWords(spoken(text), options).transcript;

describe("smart_format numbers", () => {
  const smart = (text: string) => transcriptOf(text, { smart_format: true });

  it("writes ordinals, dates and years as Deepgram's examples do", () => {
    expect(smart("on the fourteenth june eighteen hundred")).toBe("On the 14th June, 1800.");
    expect(smart("it's november second twenty twenty two")).toBe("It's November 2, 2022.");
    expect(smart("in the fifteenth century")).toBe("In the 15th century.");
  });

  it("writes cardinals from ten up as digits and keeps small ones as words", () => {
    expect(smart("one hundred and ninety nine debtors")).toBe("199 debtors.");
    expect(smart("three only")).toBe("Three only.");
    expect(smart("volume two section four")).toBe("Volume 2 section 4.");
    expect(smart("two million three hundred thousand and five people")).toBe("2,300,005 people.");
  });

  it("reads years in pairs and never joins across a mark", () => {
    expect(smart("about fourteen fifty five")).toBe("About 1455.");
    expect(smart("nineteen oh five")).toBe("1905.");
    const { words } = formatWords(spoken("fourteen sixty nine fourteen seventy"), { smart_format: true });
    expect(words.map((w) => w.punctuated_word!.replace(/[,.]$/, ""))).toEqual(["1469", "1470"]);
  });

  it("writes money, percentages, times, phone numbers, e-mail addresses and URLs", () => {
    expect(smart("it costs five dollars and fifty cents")).toBe("It costs $5.50.");
    expect(smart("a million dollars")).toBe("$1,000,000.");
    expect(smart("twenty percent")).toBe("20%.");
    expect(smart("at eight thirty seven pm")).toBe("At 8:37 PM.");
    expect(smart("call five five five two one two four three nine four")).toBe("Call 555-212-4394.");
    expect(smart("write to john dot smith at gmail dot com")).toBe("Write to john.smith@gmail.com.");
    expect(smart("go to w w w dot example dot org")).toBe("Go to www.example.org.");
    expect(smart("look at google dot com")).toBe("Look at google.com.");
  });

  it("keeps each merged token's spoken words, timings and lowest confidence", () => {
    const input = spoken("in eighteen forty four");
    const { words } = formatWords(input, { smart_format: true });
    expect(words).toHaveLength(2);
    expect(words[1]).toEqual({
      word: "eighteen forty four",
      punctuated_word: "1844.",
      start: input[1]!.start,
      end: input[3]!.end,
      confidence: Math.min(input[1]!.confidence, input[2]!.confidence, input[3]!.confidence),
    });
  });

  it("abbreviates units only with measurements", () => {
    expect(transcriptOf("thirty three grams of pasta", { smart_format: true })).toBe("33 grams of pasta.");
    expect(transcriptOf("thirty three grams of pasta", { smart_format: true, measurements: true })).toBe(
      "33 g of pasta.",
    );
  });
});

describe("numerals without punctuation", () => {
  it("writes digits into word, digit runs one digit per word, as Deepgram does", () => {
    const { words, transcript } = formatWords(spoken("account nine two eight four and then twenty three"), {
      numerals: true,
    });
    expect(transcript).toBe("account 9 2 8 4 and then 23");
    expect(words.every((w) => w.punctuated_word === undefined)).toBe(true);
  });
});

describe("punctuation and casing", () => {
  it("capitalises sentence starts, I and proper nouns, and ends on a full stop", () => {
    const { transcript, words, sentences } = formatWords(spoken("i think america is ready"), { punctuate: true });
    expect(transcript).toMatch(/^I think,? America is ready[.?!]$/);
    expect(words.map((w) => w.word)).toEqual(["i", "think", "america", "is", "ready"]);
    expect(sentences).toEqual([{ start: 0, end: 5 }]);
  });

  it("capitalises names and places the training text never saw, from compromise's lexicon", () => {
    expect(transcriptOf("the diary of lady willoughby in edinburgh", { punctuate: true })).toMatch(/Edinburgh\.$/);
  });

  it("turns a question start into a question mark", () => {
    expect(transcriptOf("so what do you think about this", { punctuate: true })).toBe(
      "So what do you think about this?",
    );
  });

  it("splits sentences at a long pause when words are timed", () => {
    const input = [...spoken("the meeting is over"), ...spoken("we will meet again tomorrow")];
    for (const [i, w] of input.slice(4).entries()) {
      w.start = 5 + i * 0.3;
      w.end = w.start + 0.28;
    }
    const { transcript, sentences } = formatWords(input, { punctuate: true });
    expect(transcript).toBe("The meeting is over. We will meet again tomorrow.");
    expect(sentences).toEqual([
      { start: 0, end: 4 },
      { start: 4, end: 9 },
    ]);
  });
});

describe("dictation, fillers and profanity", () => {
  it("turns spoken commands into marks when punctuating", () => {
    expect(
      transcriptOf("a headache comma nausea comma and vomiting period they started two days ago period", {
        punctuate: true,
        dictation: true,
      }),
    ).toBe("A headache, nausea, and vomiting. They started two days ago.");
    expect(transcriptOf("hello comma world", { dictation: true })).toBe("hello comma world");
  });

  it("drops uh and um unless filler_words", () => {
    expect(transcriptOf("uh so um yes", {})).toBe("so yes");
    expect(transcriptOf("uh so um yes", { filler_words: true })).toBe("uh so um yes");
  });

  it("masks profanity letter for letter", () => {
    const { words } = formatWords(spoken("what a shitty day"), { punctuate: true, profanity_filter: true });
    expect(words[2]).toMatchObject({ word: "******", punctuated_word: "******" });
  });
});

describe("redaction", () => {
  it("replaces social security numbers with counted labels, leaving no digit or spoken digit", () => {
    const { transcript, words } = formatWords(
      spoken(
        "my social security number is five five five two two one one one one and his is six six six two two one three three three",
      ),
      { punctuate: true, redact: ["ssn"] },
    );
    expect(transcript).toBe("My social security number is [SSN_1] and his is [SSN_2].");
    expect(words.find((w) => w.word === "[SSN_1]")?.punctuated_word).toBe("[SSN_1]");
    const texts = words
      .flatMap((w) => [w.word, w.punctuated_word])
      .join(" ")
      .replace(/\[SSN_\d\]/g, "");
    expect(texts).not.toMatch(/five|six|one|two|three|\d/);
  });

  it("redacts card numbers, CVVs, names and places for pci and pii", () => {
    const { transcript } = formatWords(
      spoken(
        "my credit card number is four four four four nine nine nine nine three three three three two two two two and the cvv is one one one my name is john smith",
      ),
      { redact: ["pci", "pii"] },
    );
    expect(transcript).toBe("my credit card number is [CREDIT_CARD_1] and the cvv is [CVV_1] my name is [NAME_1]");
  });

  it("redacts runs of three or more numerals for numbers, all of them for aggressive_numbers", () => {
    expect(transcriptOf("room four hundred and five on floor two", { redact: ["numbers"] })).toBe(
      "room [NUMBER_1] on floor two",
    );
    expect(transcriptOf("room four hundred and five on floor two", { redact: ["aggressive_numbers"] })).toBe(
      "room [NUMBER_1] on floor [NUMBER_2]",
    );
  });

  it("names the redact values it does not know", () => {
    expect(unknownRedactions(["pci", "SSN", "blood_type"])).toEqual(["blood_type"]);
  });
});

describe("entities", () => {
  it("labels numbers, dates and names with word indices into the output", () => {
    const { entities, words } = formatWords(spoken("barack obama paid five dollars on june fourteenth"), {
      smart_format: true,
      detect_entities: true,
    });
    expect(entities).toContainEqual(
      expect.objectContaining({ label: "MONEY", value: "$5", raw_value: "five dollars" }),
    );
    const date = entities!.find((e) => e.label === "DATE")!;
    expect(words.slice(date.start_word, date.end_word).map((w) => w.punctuated_word)).toEqual(["June 14."]);
    expect(entities!.some((e) => e.label === "NAME" && e.start_word === 0 && e.end_word === 2)).toBe(true);
  });
});

describe("on real speech", () => {
  const engine = new Engine({ workers: 1 });
  afterAll(() => engine.close());

  it("punctuates and formats PocketSphinx's words for a written clip, keeping their timings", async () => {
    const clip = loadWritten("ljspeech-dev").find((c) => c.id === "LJ001-0092")!;
    const recognised = (await engine.transcribe(readFileSync(clip.path))).channels[0]!;
    const { words, transcript } = formatWords(recognised, { smart_format: true });
    expect(transcript).toMatch(/^[A-Z].*[.?!]$/);
    expect(transcript).toMatch(/\b18\d\d\b/);
    expect(words[0]!.start).toBe(recognised[0]!.start);
    expect(words[words.length - 1]!.end).toBe(recognised[recognised.length - 1]!.end);
    expect(words.flatMap((w) => w.word.split(" "))).toEqual(recognised.map((w) => w.word));
  });
});

describe("speakers", () => {
  it("a formatted token keeps the speaker of the words it came from", () => {
    const input = spoken("she paid twenty five dollars").map((w, i) => ({
      ...w,
      speaker: i < 1 ? 0 : 1,
      speaker_confidence: 0.9,
    }));
    const { words } = formatWords(input, { smart_format: true });
    expect(words.map((w) => [w.punctuated_word, w.speaker])).toEqual([
      ["She", 0],
      ["paid", 1],
      ["$25.", 1],
    ]);
    expect(words.every((w) => w.speaker_confidence === 0.9)).toBe(true);
  });
});
