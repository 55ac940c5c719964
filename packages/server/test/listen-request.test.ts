/** What the text stage and the recogniser are handed from a request's options. */
import { parseListenOptions } from "@earshot/protocol";
import { describe, expect, it } from "vitest";
import { checkTextOptions, keytermsOf, transcribeOptionsOf } from "../src/listen/request.js";

describe("keytermsOf", () => {
  it("takes keyterms literally and reads a keyword's intensifier", () => {
    const options = parseListenOptions({
      keyterm: ["Earshot", "term:0.15"],
      keywords: ["woodcuts:2", "caxton", "x:-1"],
    });
    expect(keytermsOf(options)).toEqual([
      { text: "Earshot", boost: 1 },
      { text: "term:0.15", boost: 1 },
      { text: "woodcuts", boost: 2 },
      { text: "caxton", boost: 1 },
      { text: "x", boost: -1 },
    ]);
    expect(transcribeOptionsOf({ options: parseListenOptions({}), raw: undefined })).not.toHaveProperty("keyterms");
  });
});

describe("checkTextOptions", () => {
  it("refuses a redact value the text stage does not know, naming it", () => {
    expect(() => checkTextOptions(parseListenOptions({ redact: ["pci", "shoe_size"] }))).toThrow(/'shoe_size'/);
    expect(checkTextOptions(parseListenOptions({ redact: ["PCI", "ssn", "phone_number"] })).redact).toHaveLength(3);
  });
});
