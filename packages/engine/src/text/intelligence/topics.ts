/**
 * `topics`: keyphrases per segment. Candidates are the runs of content words between stop words and
 * punctuation (RAKE: Rose et al., "Automatic keyword extraction from individual documents", 2010); a word scores
 * its degree over its frequency in the whole text, a phrase the sum of its words, and repetition counts. Segments
 * are groups of up to five sentences. `custom_topic` phrases are matched by the share of their content words
 * present in a segment; `custom_topic_mode=strict` returns only those.
 */
import type { TopicSegment } from "@earshot/protocol";
import { contentStems, coverage, round, type Sentence, STOPWORDS, sentencesOf, titleCase } from "./text.js";

export interface CustomOptions {
  custom?: readonly string[] | undefined;
  mode?: "strict" | "extended" | undefined;
}

/** Segments of up to five sentences, or about 120 words. */
export function segmentsOf(words: readonly string[]): Sentence[] {
  const out: Sentence[] = [];
  let group: Sentence[] = [];
  const flush = (): void => {
    if (group.length === 0) return;
    out.push({ text: group.map((s) => s.text).join(" "), start: group[0]!.start, end: group[group.length - 1]!.end });
    group = [];
  };
  for (const s of sentencesOf(words)) {
    group.push(s);
    if (group.length >= 5 || s.end - group[0]!.start >= 120) flush();
  }
  flush();
  return out;
}

/** RAKE candidate phrases (lower case, at most three words) of a text. */
function candidates(text: string): string[] {
  const phrases: string[] = [];
  for (const clause of text.toLowerCase().split(/[.,;:!?()"\-–—]+|\s-\s/)) {
    let run: string[] = [];
    for (const raw of clause.split(/\s+/)) {
      const w = raw.replace(/^[^a-z0-9]+|[^a-z0-9']+$/g, "");
      if (!w || STOPWORDS.has(w) || /^\d+$/.test(w) || w.length < 3) {
        if (run.length) phrases.push(run.slice(-3).join(" "));
        run = [];
      } else run.push(w);
    }
    if (run.length) phrases.push(run.slice(-3).join(" "));
  }
  return phrases;
}

export function detectTopics(words: readonly string[], options: CustomOptions = {}): TopicSegment[] {
  const text = words.join(" ");
  const all = candidates(text);
  const frequency = new Map<string, number>();
  const degree = new Map<string, number>();
  for (const phrase of all) {
    const parts = phrase.split(" ");
    for (const w of parts) {
      frequency.set(w, (frequency.get(w) ?? 0) + 1);
      degree.set(w, (degree.get(w) ?? 0) + parts.length);
    }
  }
  const phraseCount = new Map<string, number>();
  for (const p of all) phraseCount.set(p, (phraseCount.get(p) ?? 0) + 1);
  const scoreOf = (phrase: string): number =>
    phrase.split(" ").reduce((s, w) => s + degree.get(w)! / frequency.get(w)!, 0) * Math.sqrt(phraseCount.get(phrase)!);
  const best = Math.max(1, ...[...phraseCount.keys()].map(scoreOf));

  const segments: TopicSegment[] = [];
  for (const segment of segmentsOf(words)) {
    const topics: TopicSegment["topics"] = [];
    if (options.mode !== "strict") {
      const seen = new Set<string>();
      const ranked = candidates(segment.text)
        .filter((p) => !seen.has(p) && seen.add(p))
        .map((p) => ({ p, score: scoreOf(p) / best }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 3);
      for (const { p, score } of ranked) {
        if (score >= 0.2) topics.push({ topic: titleCase(p), confidence_score: round(Math.min(1, 0.5 + score / 2)) });
      }
    }
    const stems = new Set(contentStems(segment.text));
    for (const custom of options.custom ?? []) {
      const share = coverage(custom, stems);
      if (share >= 0.5) topics.push({ topic: custom, confidence_score: round(share * 0.95) });
    }
    if (topics.length > 0) {
      segments.push({ text: segment.text, start_word: segment.start, end_word: segment.end, topics });
    }
  }
  return segments;
}
