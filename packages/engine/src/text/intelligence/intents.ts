/**
 * `intents`: what a speaker wants, as a verb phrase ("Upgrade phone"), from the sentence patterns English uses
 * to ask for or announce an action: "I want to / would like to / need to / am calling to …", "can you / could I
 * …", "please …", "let's …", "how do I …". The phrase is the verb and the next content words. `custom_intent`
 * phrases match by the share of their content words in a sentence; `custom_intent_mode=strict` returns only them.
 */
import type { IntentSegment } from "@earshot/protocol";
import { contentStems, coverage, round, STOPWORDS, sentencesOf, titleCase } from "./text.js";
import type { CustomOptions } from "./topics.js";

const PATTERNS: Array<[RegExp, number]> = [
  [
    /\b(?:i|we)(?:'m|'re|'d| am| are| would)? (?:really )?(?:want|wanted|need|needed|like|wish|hope|plan|planning|trying|going|calling|looking) to (\w+)(.*)/,
    0.9,
  ],
  [/\b(?:can|could|would|will) (?:you|i|we|someone) (?:please )?(\w+)(.*)/, 0.8],
  [/\bhow (?:do|can|could|should) (?:i|we) (\w+)(.*)/, 0.8],
  [/\bplease (\w+)(.*)/, 0.75],
  [/\blet's (\w+)(.*)/, 0.7],
  [/\b(?:i|we)(?:'d| would) (?:love|prefer) to (\w+)(.*)/, 0.7],
];
const ADVERBS = new Set([
  "instead",
  "please",
  "today",
  "tomorrow",
  "now",
  "again",
  "back",
  "soon",
  "right",
  "away",
  "still",
]);
const NOT_VERBS = new Set(["be", "have", "get", "do", "go", "make", "know", "see", "say", "tell", "help"]);

function intentOf(sentence: string): { intent: string; score: number } | undefined {
  const lower = ` ${sentence.toLowerCase().replace(/[^a-z' ]+/g, " ")} `.replace(/\s+/g, " ");
  for (const [pattern, score] of PATTERNS) {
    const m = pattern.exec(lower);
    if (!m) continue;
    const verb = m[1]!;
    if (STOPWORDS.has(verb) && !NOT_VERBS.has(verb)) continue;
    // The object: after any determiners, the content words up to the next function word ("a refund on my
    // recent purchase" → "refund").
    const object: string[] = [];
    for (const w of (m[2] ?? "").split(" ").filter(Boolean)) {
      const functional = STOPWORDS.has(w) || ADVERBS.has(w);
      if (functional && object.length > 0) break;
      if (!functional) object.push(w);
      if (object.length === 2) break;
    }
    return { intent: titleCase([verb, ...object].join(" ")), score: object.length ? score : score * 0.8 };
  }
  return undefined;
}

export function detectIntents(words: readonly string[], options: CustomOptions = {}): IntentSegment[] {
  const segments: IntentSegment[] = [];
  for (const s of sentencesOf(words)) {
    const intents: IntentSegment["intents"] = [];
    if (options.mode !== "strict") {
      const found = intentOf(s.text);
      if (found) intents.push({ intent: found.intent, confidence_score: round(found.score) });
    }
    const stems = new Set(contentStems(s.text));
    for (const custom of options.custom ?? []) {
      const share = coverage(custom, stems);
      if (share >= 0.5) intents.push({ intent: custom, confidence_score: round(share * 0.95) });
    }
    if (intents.length > 0) segments.push({ text: s.text, start_word: s.start, end_word: s.end, intents });
  }
  return segments;
}
