/**
 * Libraries that are slow to load (compromise parses its lexicon on import, about a second; obscenity builds its
 * pattern set) are required on first use, synchronously, so a server that never asks for names or profanity
 * never pays for them and the formatting functions stay synchronous.
 */
import { createRequire } from "node:module";
import type nlpType from "compromise";
import type * as obscenityType from "obscenity";

const require = createRequire(import.meta.url);

let nlp: typeof nlpType | undefined;
/** compromise (MIT): a rule-and-lexicon English tagger, used for names, places, organisations and phrases. */
export function compromise(): typeof nlpType {
  nlp ??= require("compromise") as typeof nlpType;
  return nlp;
}

let matcher: obscenityType.RegExpMatcher | undefined;
/** obscenity (MIT): an English profanity list with the variant spellings that go with it. */
export function profanityMatcher(): obscenityType.RegExpMatcher {
  if (!matcher) {
    const { RegExpMatcher, englishDataset, englishRecommendedTransformers } =
      require("obscenity") as typeof obscenityType;
    matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
  }
  return matcher;
}
