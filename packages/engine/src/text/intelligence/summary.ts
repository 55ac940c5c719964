/**
 * `summarize`: extractive, TextRank (Mihalcea & Tarau 2004). Sentences are nodes, edges weigh shared content-word
 * stems normalised by sentence length, PageRank ranks them, and the best fifth of the words (one to five
 * sentences) comes back in reading order. Like Deepgram's v2, a text under 50 words is returned as it is.
 */
import { contentStems, sentencesOf } from "./text.js";

export function summarize(words: readonly string[]): string {
  const text = words.join(" ");
  if (words.length < 50) return text;
  const sentences = sentencesOf(words);
  if (sentences.length < 3) return text;
  const stems = sentences.map((s) => new Set(contentStems(s.text)));
  const n = sentences.length;
  const weight = (a: number, b: number): number => {
    let shared = 0;
    for (const s of stems[a]!) if (stems[b]!.has(s)) shared++;
    const norm = Math.log(stems[a]!.size + 1) + Math.log(stems[b]!.size + 1);
    return shared === 0 || norm === 0 ? 0 : shared / norm;
  };
  const edges = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => (a === b ? 0 : weight(a, b))));
  const out = edges.map((row) => row.reduce((x, y) => x + y, 0));
  let rank = new Array<number>(n).fill(1 / n);
  for (let it = 0; it < 30; it++) {
    rank = rank.map((_, b) => {
      let incoming = 0;
      for (let a = 0; a < n; a++) if (out[a]! > 0) incoming += (edges[a]![b]! / out[a]!) * rank[a]!;
      return 0.15 / n + 0.85 * incoming;
    });
  }
  const budget = Math.max(words.length / 5, 1);
  const chosen: number[] = [];
  let used = 0;
  for (const i of rank
    .map((r, i) => [r, i] as const)
    .sort((a, b) => b[0] - a[0])
    .map(([, i]) => i)) {
    if (chosen.length >= 5 || (chosen.length > 0 && used >= budget)) break;
    chosen.push(i);
    used += sentences[i]!.end - sentences[i]!.start;
  }
  return chosen
    .sort((a, b) => a - b)
    .map((i) => sentences[i]!.text)
    .join(" ");
}
