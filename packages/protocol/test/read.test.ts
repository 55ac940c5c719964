/** `/v1/read` options and bodies parse as Deepgram's SDKs send them, and bad values are a 400 naming them. */

import { describe, expect, it } from "vitest";
import { InvalidRequestError, parseReadOptions, ReadRequestSchema } from "../src/index.js";

describe("parseReadOptions", () => {
  it("reads booleans, repeated custom topics and summarize=v2 as the SDKs send them", () => {
    expect(
      parseReadOptions({
        summarize: "v2",
        topics: "true",
        custom_topic: ["refund", "order number"],
        custom_topic_mode: "strict",
        sentiment: "false",
        language: "en",
      }),
    ).toEqual({
      summarize: true,
      topics: true,
      custom_topic: ["refund", "order number"],
      custom_topic_mode: "strict",
      sentiment: false,
      language: "en",
    });
  });

  it("rejects an unknown custom mode with an error naming it", () => {
    expect(() => parseReadOptions({ custom_intent_mode: "loose" })).toThrow(InvalidRequestError);
    expect(() => parseReadOptions({ custom_intent_mode: "loose" })).toThrow(/custom_intent_mode/);
  });
});

describe("ReadRequestSchema", () => {
  it("takes text or a URL, nothing else", () => {
    expect(ReadRequestSchema.safeParse({ text: "Hello." }).success).toBe(true);
    expect(ReadRequestSchema.safeParse({ url: "https://example.com/a.txt" }).success).toBe(true);
    expect(ReadRequestSchema.safeParse({ text: "" }).success).toBe(false);
    expect(ReadRequestSchema.safeParse({ url: "not a url" }).success).toBe(false);
  });
});
