/** Words from sherpa-onnx tokens (synthetic results in the shape `getResult` answers). */
import { describe, expect, it } from "vitest";
import { wordsOfTokens } from "../src/sherpa/words.js";

describe("wordsOfTokens", () => {
  it("joins sentencepiece pieces into words timed from their first token to the next word", () => {
    const words = wordsOfTokens({
      text: "hello world",
      tokens: ["▁HEL", "LO", "▁WOR", "LD"],
      timestamps: [0.2, 0.4, 0.8, 1.0],
    });
    expect(words.map((w) => [w.word, w.start, w.end])).toEqual([
      ["hello", 0.2, 0.8],
      ["world", 0.8, 1.2],
    ]);
  });

  it("uses durations when the model gives them, and whisper's leading spaces", () => {
    const words = wordsOfTokens({
      text: " Hi there",
      tokens: [" Hi", " there"],
      timestamps: [0, 0.5],
      durations: [0.3, 0.4],
    });
    expect(words.map((w) => [w.word, w.start, w.end])).toEqual([
      ["hi", 0, 0.3],
      ["there", 0.5, 0.9],
    ]);
  });
});
