/**
 * Text features computed from timed words: Deepgram's `replace`, `search`, `utterances` and `paragraphs`.
 * They work on any recogniser's output, so a new engine gets them for free.
 */
import { randomUUID } from "node:crypto";
import type { Paragraphs, SearchResult, Utterance, Word } from "@earshot/protocol";
import type { SentenceRange } from "./format.js";

const mean = (values: number[]): number => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);
const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/** The words' text joined by spaces; a dictated line break (a word ending `\n`) is not followed by one. */
export const transcriptOf = (words: Word[]): string =>
  words.reduce((out, w) => {
    const text = w.punctuated_word ?? w.word;
    return out === "" || out.endsWith("\n") ? out + text : `${out} ${text}`;
  }, "");
export const confidenceOf = (words: Word[]): number => round3(mean(words.map((w) => w.confidence)));

/**
 * What a word made of several recognised words keeps of the first of them besides text and times: its speaker
 * (`diarize`) and language (`language=multi`), so formatting and replacement never lose who said it.
 */
export function carriedLabels(covered: readonly Pick<Word, "speaker" | "speaker_confidence" | "language">[]) {
  const first = covered[0];
  return {
    ...(first?.speaker !== undefined ? { speaker: first.speaker } : {}),
    ...(first?.speaker_confidence !== undefined
      ? { speaker_confidence: Math.min(...covered.map((w) => w.speaker_confidence ?? 1)) }
      : {}),
    ...(first?.language !== undefined ? { language: first.language } : {}),
  };
}

/**
 * `replace=find:replacement`: whole-word (as spoken), case-insensitive; `find` may be several words. The matched words
 * become one word carrying the replacement, spanning their times, with the lowest of their confidences.
 */
export function applyReplacements(words: Word[], pairs: string[]): Word[] {
  let out = words;
  for (const pair of pairs) {
    const colon = pair.indexOf(":");
    const find = pair.slice(0, colon).toLowerCase().split(/\s+/).filter(Boolean);
    const replacement = pair.slice(colon + 1);
    if (find.length === 0) continue;
    const next: Word[] = [];
    for (let i = 0; i < out.length; ) {
      const window = out.slice(i, i + find.length);
      if (window.length === find.length && window.every((w, k) => w.word.toLowerCase() === find[k])) {
        if (replacement) {
          const last = window[window.length - 1]!;
          const replaced: Word = {
            word: replacement,
            start: window[0]!.start,
            end: last.end,
            confidence: Math.min(...window.map((w) => w.confidence)),
            ...carriedLabels(window),
          };
          // Punctuated words keep the mark after the last one they replace, so sentences still end there.
          if (last.punctuated_word !== undefined) {
            replaced.punctuated_word = replacement + (last.punctuated_word.match(/[.,?!:;]+$/)?.[0] ?? "");
          }
          next.push(replaced);
        }
        i += find.length;
      } else {
        next.push(out[i]!);
        i++;
      }
    }
    out = next;
  }
  return out;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * `search=term`: every window of as many words as the query, scored by spelling similarity and the words'
 * confidence, best first. Deepgram's search is phonetic; spelling similarity is the honest approximation a
 * word-level recogniser allows, and it still finds misrecognised near-misses ("mater" for "modern").
 */
export function searchWords(
  words: Word[],
  queries: string[],
  options: { minConfidence?: number; maxHits?: number } = {},
): SearchResult[] {
  const minConfidence = options.minConfidence ?? 0.5;
  const maxHits = options.maxHits ?? 10;
  return queries.map((query) => {
    const target = query.toLowerCase().split(/\s+/).filter(Boolean);
    const needle = target.join(" ");
    const hits = [];
    for (let i = 0; target.length > 0 && i + target.length <= words.length; i++) {
      const window = words.slice(i, i + target.length);
      const text = window.map((w) => w.word.toLowerCase()).join(" ");
      const similarity = 1 - editDistance(needle, text) / Math.max(needle.length, text.length);
      const confidence = round3(similarity * (0.5 + 0.5 * mean(window.map((w) => w.confidence))));
      if (confidence >= minConfidence) {
        hits.push({
          confidence,
          start: window[0]!.start,
          end: window[window.length - 1]!.end,
          snippet: transcriptOf(window),
        });
      }
    }
    hits.sort((a, b) => b.confidence - a.confidence);
    return { query, hits: hits.slice(0, maxHits) };
  });
}

/** Runs of words separated by pauses longer than `gap` seconds. */
function splitAtPauses(words: Word[], gap: number, maxWords = Number.POSITIVE_INFINITY): Word[][] {
  const runs: Word[][] = [];
  for (const word of words) {
    const run = runs[runs.length - 1];
    const last = run?.[run.length - 1];
    if (run && last && word.start - last.end <= gap && run.length < maxWords) run.push(word);
    else runs.push([word]);
  }
  return runs;
}

/** `utterances=true`: per channel, split where the speaker pauses longer than `utt_split` (default 0.8 s). */
export function buildUtterances(channels: Word[][], uttSplit = 0.8): Utterance[] {
  const utterances = channels.flatMap((words, channel) =>
    splitAtPauses(words, uttSplit).map((run) => ({
      start: run[0]!.start,
      end: run[run.length - 1]!.end,
      confidence: confidenceOf(run),
      channel,
      transcript: transcriptOf(run),
      words: run,
      id: randomUUID(),
    })),
  );
  return utterances.sort((a, b) => a.start - b.start || a.channel - b.channel);
}

/**
 * `paragraphs=true`. Sentences are the punctuated ones when the text stage gives them (`formatWords`'s
 * `sentences`); without punctuation they end at pauses (0.5 s, or 30 words). Paragraphs end at longer pauses
 * (1.5 s, or 5 sentences) — the cues a listener hears.
 */
export function buildParagraphs(words: Word[], sentenceRanges?: readonly SentenceRange[]): Paragraphs {
  const sentences =
    sentenceRanges && sentenceRanges.length > 0
      ? sentenceRanges.map((r) => words.slice(r.start, r.end))
      : splitAtPauses(words, 0.5, 30);
  const paragraphs: Paragraphs["paragraphs"] = [];
  let group: Word[][] = [];
  const flush = (): void => {
    if (group.length === 0) return;
    const all = group.flat();
    paragraphs.push({
      sentences: group.map((s) => ({ text: transcriptOf(s), start: s[0]!.start, end: s[s.length - 1]!.end })),
      num_words: all.length,
      start: all[0]!.start,
      end: all[all.length - 1]!.end,
    });
    group = [];
  };
  for (const sentence of sentences) {
    const previous = group[group.length - 1];
    const pause = previous ? sentence[0]!.start - previous[previous.length - 1]!.end : 0;
    if (previous && (pause > 1.5 || group.length >= 5)) flush();
    group.push(sentence);
  }
  flush();
  const transcript = paragraphs.map((p) => `\n${p.sentences.map((s) => s.text).join(" ")}`).join("\n");
  return { transcript, paragraphs };
}
