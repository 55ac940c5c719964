/**
 * Word error rate with one text normaliser for every engine and every reference: lower-case, apostrophes
 * kept inside words, all other punctuation gone. The shared speech set's references are upper case without
 * punctuation, so the same normaliser applies to both sides.
 */
export function normalizeText(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, " ")
    .replace(/(^|\s)'+|'+(?=\s|$)/g, " ")
    .split(/\s+/)
    .filter(Boolean);
}

export interface ErrorCounts {
  substitutions: number;
  deletions: number;
  insertions: number;
  /** Reference words. */
  words: number;
}

/** Levenshtein alignment over words. */
export function countErrors(reference: string, hypothesis: string): ErrorCounts {
  const ref = normalizeText(reference);
  const hyp = normalizeText(hypothesis);
  // cost[j], sub[j], del[j], ins[j] for the previous and current row.
  type Cell = { cost: number; s: number; d: number; i: number };
  let prev: Cell[] = Array.from({ length: hyp.length + 1 }, (_, j) => ({ cost: j, s: 0, d: 0, i: j }));
  for (let r = 1; r <= ref.length; r++) {
    const row: Cell[] = [{ cost: r, s: 0, d: r, i: 0 }];
    for (let h = 1; h <= hyp.length; h++) {
      const diag = prev[h - 1]!;
      const up = prev[h]!;
      const left = row[h - 1]!;
      const same = ref[r - 1] === hyp[h - 1];
      const options: Cell[] = [
        { cost: diag.cost + (same ? 0 : 1), s: diag.s + (same ? 0 : 1), d: diag.d, i: diag.i },
        { cost: up.cost + 1, s: up.s, d: up.d + 1, i: up.i },
        { cost: left.cost + 1, s: left.s, d: left.d, i: left.i + 1 },
      ];
      row.push(options.reduce((best, c) => (c.cost < best.cost ? c : best)));
    }
    prev = row;
  }
  const last = prev[hyp.length]!;
  return { substitutions: last.s, deletions: last.d, insertions: last.i, words: ref.length };
}

/** Corpus WER: total errors over total reference words. */
export function wordErrorRate(pairs: Array<{ reference: string; hypothesis: string }>): number {
  let errors = 0;
  let words = 0;
  for (const { reference, hypothesis } of pairs) {
    const c = countErrors(reference, hypothesis);
    errors += c.substitutions + c.deletions + c.insertions;
    words += c.words;
  }
  return words === 0 ? 0 : errors / words;
}
