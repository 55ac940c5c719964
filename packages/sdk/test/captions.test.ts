import { describe, expect, it } from "vitest";
import { type ListenResponse, toSRT, toWebVTT, type Utterance, type Word } from "../src/index.js";

function word(text: string, start: number, end: number, extra: Partial<Word> = {}): Word {
  return { word: text.toLowerCase(), start, end, confidence: 0.9, ...extra };
}

function response(channels: Word[][], utterances?: Utterance[]): ListenResponse {
  return {
    metadata: {
      transaction_key: "deprecated",
      request_id: "r",
      sha256: "00",
      created: "2025-01-01T00:00:00.000Z",
      duration: 10,
      channels: channels.length,
      models: [],
      model_info: {},
    },
    results: {
      channels: channels.map((words) => ({
        alternatives: [{ transcript: words.map((w) => w.word).join(" "), confidence: 0.9, words }],
      })),
      ...(utterances === undefined ? {} : { utterances }),
    },
  };
}

function utterance(channel: number, speaker: number, words: Word[]): Utterance {
  return {
    start: words[0]!.start,
    end: words[words.length - 1]!.end,
    confidence: 0.9,
    channel,
    transcript: words.map((w) => w.punctuated_word ?? w.word).join(" "),
    words,
    speaker,
    id: `u-${channel}-${speaker}`,
  };
}

describe("captions from words", () => {
  const spoken = response([
    [
      word("hello", 0.08, 0.4, { punctuated_word: "Hello," }),
      word("world", 0.4, 0.8, { punctuated_word: "world." }),
      // A 0.9 s pause: a new cue although the first has room left.
      word("second", 1.7, 2.0),
      word("cue", 2.0, 2.3),
    ],
  ]);

  it("writes SRT with punctuated words and a cue break at a pause", () => {
    expect(toSRT(spoken)).toBe(
      "1\n00:00:00,080 --> 00:00:00,800\nHello, world.\n\n2\n00:00:01,700 --> 00:00:02,300\nsecond cue\n",
    );
  });

  it("writes WebVTT with its header and dotted timestamps", () => {
    expect(toWebVTT(spoken)).toBe(
      "WEBVTT\n\n00:00:00.080 --> 00:00:00.800\nHello, world.\n\n00:00:01.700 --> 00:00:02.300\nsecond cue\n",
    );
  });

  it("wraps lines, then starts a new cue when the lines are full or the cue is too long", () => {
    const words = response([
      [
        word("aaaa", 0, 0.5),
        word("bbbb", 0.5, 1),
        word("cccc", 1, 1.5),
        word("dddd", 1.5, 2),
        word("eeee", 2, 2.5),
        word("ffff", 2.5, 3.5),
        word("gggg", 3.5, 5.2),
      ],
    ]);
    expect(toSRT(words, { lineLength: 10, maxLines: 2, maxDuration: 3 })).toBe(
      [
        "1\n00:00:00,000 --> 00:00:02,000\naaaa bbbb\ncccc dddd\n",
        "2\n00:00:02,000 --> 00:00:03,500\neeee ffff\n",
        "3\n00:00:03,500 --> 00:00:05,200\ngggg\n",
      ].join("\n"),
    );
  });

  it("uses the requested channel", () => {
    const twoChannels = response([[word("left", 0, 1)], [word("right", 1, 2)]]);
    expect(toSRT(twoChannels, { channel: 1 })).toBe("1\n00:00:01,000 --> 00:00:02,000\nright\n");
  });

  it("produces empty captions for a silent response", () => {
    expect(toSRT(response([[]]))).toBe("");
    expect(toWebVTT(response([[]]))).toBe("WEBVTT\n");
  });
});

describe("captions from utterances", () => {
  const conversation = response(
    [[word("ignored", 0, 1)], [word("ignored", 0, 1)]],
    [
      utterance(0, 0, [
        word("tom", 0.5, 0.9, { punctuated_word: "Tom" }),
        word("and", 0.9, 1.0, { punctuated_word: "&" }),
        word("jerry", 1.0, 1.5, { punctuated_word: "<Jerry>" }),
      ]),
      utterance(1, 2, [word("other", 2, 3)]),
      utterance(0, 1, [word("bye", 3725.5, 3726.25, { punctuated_word: "Bye." })]),
    ],
  );

  it("prefers utterances, with speakers as WebVTT voices and cue text escaped", () => {
    expect(toWebVTT(conversation)).toBe(
      "WEBVTT\n\n" +
        "00:00:00.500 --> 00:00:01.500\n<v Speaker 0>Tom &amp; &lt;Jerry&gt;\n\n" +
        "01:02:05.500 --> 01:02:06.250\n<v Speaker 1>Bye.\n",
    );
  });

  it("writes SRT text as is, hours included, a speaker's line where the speaker changes", () => {
    expect(toSRT(conversation)).toBe(
      "1\n00:00:00,500 --> 00:00:01,500\n[Speaker 0]\nTom & <Jerry>\n\n2\n01:02:05,500 --> 01:02:06,250\n[Speaker 1]\nBye.\n",
    );
  });

  it("keeps to the requested channel's utterances", () => {
    expect(toSRT(conversation, { channel: 1 })).toBe("1\n00:00:02,000 --> 00:00:03,000\n[Speaker 2]\nother\n");
  });
});
