/**
 * How far word confidences can be trusted: each hypothesis word marked right or wrong against the reference,
 * and how often words are right by bins of confidence (words at ≥ 0.9 should be right ≥ 90 % of the time).
 */
import { normalizeText } from "@earshot/engine";
import { printTable } from "./table.js";

/**
 * Which hypothesis words are right: a minimum-edit alignment against the reference, a word counting as right
 * when the alignment pairs it with the same reference word.
 */
function rightWords(reference: string[], hypothesis: string[]): boolean[] {
  const cost = Array.from({ length: reference.length + 1 }, (_, r) =>
    Array.from({ length: hypothesis.length + 1 }, (_, h) => (r === 0 ? h : h === 0 ? r : 0)),
  );
  for (let r = 1; r <= reference.length; r++)
    for (let h = 1; h <= hypothesis.length; h++)
      cost[r]![h] = Math.min(
        cost[r - 1]![h - 1]! + (reference[r - 1] === hypothesis[h - 1] ? 0 : 1),
        cost[r - 1]![h]! + 1,
        cost[r]![h - 1]! + 1,
      );
  const right = hypothesis.map(() => false);
  for (let r = reference.length, h = hypothesis.length; r > 0 && h > 0; ) {
    const same = reference[r - 1] === hypothesis[h - 1];
    if (cost[r]![h] === cost[r - 1]![h - 1]! + (same ? 0 : 1)) {
      right[h - 1] = same;
      r--;
      h--;
    } else if (cost[r]![h] === cost[r - 1]![h]! + 1) r--;
    else h--;
  }
  return right;
}

const BINS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0001];

/** Words by bins of confidence, with the fraction of them that are right. */
export function printReliability(name: string, words: Array<{ confidence: number; right: boolean }>): void {
  const rows = BINS.slice(0, -1).map((low, b) => {
    const inBin = words.filter((w) => w.confidence >= low && w.confidence < BINS[b + 1]!);
    const right = inBin.filter((w) => w.right).length;
    return [
      `${low.toFixed(2)}–${Math.min(1, BINS[b + 1]!).toFixed(2)}`,
      inBin.length,
      inBin.length ? (right / inBin.length).toFixed(3) : "–",
    ];
  });
  const high = words.filter((w) => w.confidence >= 0.9);
  console.log(
    `\n${name}: words with confidence ≥ 0.9 right ${((high.filter((w) => w.right).length / high.length) * 100).toFixed(1)} % of ${high.length}`,
  );
  printTable(["confidence", "words", "fraction right"], rows);
  console.log(`monotone map (raw → fraction right), fitted here: ${JSON.stringify(fitMonotone(words))}`);
}

/**
 * Pool-adjacent-violators over the confidence bins: each bin's mean confidence mapped to the fraction of its
 * words that are right, merged with its neighbour until the fractions never fall as confidence rises.
 */
function fitMonotone(words: Array<{ confidence: number; right: boolean }>): Array<[number, number]> {
  type Block = { n: number; sum: number; right: number };
  const blocks: Block[] = [];
  for (let b = 0; b + 1 < BINS.length; b++) {
    const inBin = words.filter((w) => w.confidence >= BINS[b]! && w.confidence < BINS[b + 1]!);
    if (!inBin.length) continue;
    blocks.push({
      n: inBin.length,
      sum: inBin.reduce((s, w) => s + w.confidence, 0),
      right: inBin.filter((w) => w.right).length,
    });
    while (blocks.length > 1 && blocks.at(-2)!.right / blocks.at(-2)!.n > blocks.at(-1)!.right / blocks.at(-1)!.n) {
      const last = blocks.pop()!;
      const before = blocks.at(-1)!;
      before.n += last.n;
      before.sum += last.sum;
      before.right += last.right;
    }
  }
  return blocks.map((b) => [Number((b.sum / b.n).toFixed(3)), Number((b.right / b.n).toFixed(3))]);
}

/**
 * A transcript's words, each with its confidence and whether the alignment against `reference` makes it right.
 * Scored word by word: the normaliser keeps one word per recognised word for PocketSphinx's output.
 */
export function scoredWords(
  reference: string,
  words: ReadonlyArray<{ word: string; confidence: number }>,
): Array<{ confidence: number; right: boolean }> {
  const single = words.filter((w) => normalizeText(w.word).length === 1);
  const right = rightWords(
    normalizeText(reference),
    single.map((w) => normalizeText(w.word)[0]!),
  );
  return single.map((w, j) => ({ confidence: w.confidence, right: right[j]! }));
}
