import { describe, expect, it } from "vitest";
import { ErrorCode, InvalidRequestError, parseListenOptions, parseLiveListenOptions, toQuery } from "../src/index.js";

describe("listen options", () => {
  it("parses Deepgram's query encoding: booleans, numbers, repeated keys", () => {
    const options = parseListenOptions({
      utterances: "true",
      multichannel: "false",
      utt_split: "1.5",
      sample_rate: "8000",
      encoding: "mulaw",
      search: ["a b", "c"],
      tag: "solo",
      extra: ["k:v", "url:http://x"],
      unknown_option: "ignored",
    });
    expect(options).toEqual({
      utterances: true,
      multichannel: false,
      utt_split: 1.5,
      sample_rate: 8000,
      encoding: "mulaw",
      search: ["a b", "c"],
      tag: ["solo"],
      extra: ["k:v", "url:http://x"],
    });
  });

  it("names every bad option in one 400", () => {
    const error = (() => {
      try {
        parseListenOptions({ utterances: "maybe", utt_split: "x", channels: "0" });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).status).toBe(400);
    for (const name of ["utterances must", "utt_split must", "channels must"]) {
      expect((error as Error).message).toContain(name);
    }
  });

  it("says what a bad value should have been, quoting what was sent", () => {
    expect(() => parseListenOptions({ sample_rate: "abc" })).toThrow("sample_rate must be a number, got 'abc'");
    expect(() => parseListenOptions({ channels: "1.5" })).toThrow("channels must be an integer, got '1.5'");
    expect(() => parseListenOptions({ utterances: "maybe" })).toThrow("utterances must be true or false, got 'maybe'");
    expect(() => parseListenOptions({ extra: ["a:b", "nocolon"] })).toThrow(
      "extra must be key:value pairs, got 'nocolon'",
    );
    expect(() => parseListenOptions({ encoding: "wav49" })).toThrow(
      /encoding must be one of linear16, .*, got 'wav49'/,
    );
  });

  it("requires sample_rate with an encoding, live streams included", () => {
    for (const parse of [parseListenOptions, parseLiveListenOptions]) {
      const error = (() => {
        try {
          parse({ encoding: "mulaw" });
        } catch (e) {
          return e as InvalidRequestError;
        }
        return undefined;
      })();
      expect(error?.code).toBe(ErrorCode.InvalidQuery);
      expect(error?.message).toMatch(/encoding=mulaw requires sample_rate/);
      expect(parse({ encoding: "mulaw", sample_rate: "8000" })).toMatchObject({ encoding: "mulaw", sample_rate: 8000 });
    }
  });

  it("round-trips typed options through a query string", () => {
    const query = toQuery({ utterances: true, utt_split: 0.8, search: ["x", "y z"], model: undefined });
    expect(query.toString()).toBe("utterances=true&utt_split=0.8&search=x&search=y+z");
    expect(parseListenOptions(Object.fromEntries(query))).toMatchObject({ utterances: true, utt_split: 0.8 });
  });
});
