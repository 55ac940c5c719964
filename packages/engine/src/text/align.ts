/**
 * Word alignment by edit distance, for scoring formatted output against written text: which hypothesis word
 * stands for which reference word. Matches are preferred to substitutions when costs tie, so a misrecognised
 * word does not pull its neighbours out of line.
 */

/** Index pairs in order; `undefined` on one side marks an insertion or a deletion. */
export type Alignment = Array<[reference: number | undefined, hypothesis: number | undefined]>;

export function alignWords(reference: readonly string[], hypothesis: readonly string[]): Alignment {
  const n = reference.length;
  const m = hypothesis.length;
  const cost = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number): number => i * (m + 1) + j;
  for (let i = 0; i <= n; i++) cost[at(i, 0)] = i;
  for (let j = 0; j <= m; j++) cost[at(0, j)] = j;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const same = reference[i - 1] === hypothesis[j - 1] ? 0 : 1;
      cost[at(i, j)] = Math.min(cost[at(i - 1, j - 1)]! + same, cost[at(i - 1, j)]! + 1, cost[at(i, j - 1)]! + 1);
    }
  }
  const pairs: Alignment = [];
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const here = cost[at(i, j)]!;
    if (i > 0 && j > 0 && here === cost[at(i - 1, j - 1)]! + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1)) {
      pairs.push([--i, --j]);
    } else if (i > 0 && here === cost[at(i - 1, j)]! + 1) {
      pairs.push([--i, undefined]);
    } else {
      pairs.push([undefined, --j]);
    }
  }
  return pairs.reverse();
}
