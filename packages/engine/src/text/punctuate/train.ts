/**
 * Training for the punctuation model (see model.ts). `scripts/train-punctuation.mjs` drives it; the code lives
 * here so that training and inference share one feature extractor and one weight layout.
 *
 * - {@link trainTextModel}: multinomial logistic regression with AdaGrad over hashed features, four classes
 *   (nothing, comma, stop, question), trained on chunks of written text; stored as three columns relative to
 *   "nothing", quantised to signed bytes.
 * - {@link chooseBias}: per-class logit offsets that maximise the mean F1 of the three marks on held-out text.
 * - {@link fitPause}: the pause term's six weights, fitted on timed words with the text logits held fixed.
 * - {@link buildCasing}: each word's usual written form mid-sentence.
 */
import { seededRandom } from "../../seeded-random.js";
import { gapFeatures, hashFeatures, type MarkClass } from "./features.js";
import { type PunctuationModel, type PunctuationModelInfo, textLogits, withPause } from "./model.js";
import type { WrittenToken } from "./written.js";

export interface TrainOptions {
  bits: number;
  epochs: number;
  learningRate: number;
  /** Shuffles chunk order between epochs, reproducibly. */
  seed: number;
  log?: (line: string) => void;
}

interface Example {
  rows: Uint32Array;
  label: MarkClass;
}

/** Gap examples of one chunk, with the word counters computed from the gold marks. */
function examplesOf(chunk: readonly WrittenToken[], bits: number): Example[] {
  const words = chunk.map((t) => t.word);
  const out: Example[] = [];
  let sinceMark = 0;
  let sinceStop = 0;
  for (let i = 0; i < chunk.length; i++) {
    sinceMark++;
    sinceStop++;
    const label = chunk[i]!.mark;
    out.push({ rows: hashFeatures(gapFeatures(words, i, sinceMark, sinceStop), bits), label });
    if (label !== 0) sinceMark = 0;
    if (label >= 2) sinceStop = 0;
  }
  return out;
}

export function trainTextModel(chunks: readonly (readonly WrittenToken[])[], options: TrainOptions): PunctuationModel {
  const { bits, epochs, learningRate } = options;
  const rows = 1 << bits;
  const w = new Float32Array(rows * 4);
  const g2 = new Float32Array(rows * 4).fill(1e-6);
  const next = seededRandom(options.seed);
  const order = chunks.map((_, i) => i);
  const logits = new Float64Array(4);
  const probs = new Float64Array(4);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    let loss = 0;
    let count = 0;
    for (const index of order) {
      for (const { rows: feats, label } of examplesOf(chunks[index]!, bits)) {
        logits.fill(0);
        for (const r of feats) for (let c = 0; c < 4; c++) logits[c]! += w[r * 4 + c]!;
        const max = Math.max(...logits);
        let sum = 0;
        for (let c = 0; c < 4; c++) {
          probs[c] = Math.exp(logits[c]! - max);
          sum += probs[c]!;
        }
        for (let c = 0; c < 4; c++) probs[c]! /= sum;
        loss -= Math.log(Math.max(probs[label]!, 1e-12));
        count++;
        for (let c = 0; c < 4; c++) {
          const grad = probs[c]! - (c === label ? 1 : 0);
          if (grad === 0) continue;
          for (const r of feats) {
            const k = r * 4 + c;
            g2[k]! += grad * grad;
            w[k]! -= (learningRate * grad) / Math.sqrt(g2[k]!);
          }
        }
      }
    }
    options.log?.(`epoch ${epoch + 1}: mean loss ${(loss / count).toFixed(4)} over ${count} gaps`);
  }
  // Relative to "nothing": logit_c - logit_0 is all the model needs.
  let largest = 0;
  const relative = new Float32Array(rows * 3);
  for (let r = 0; r < rows; r++) {
    for (let c = 1; c < 4; c++) {
      const v = w[r * 4 + c]! - w[r * 4]!;
      relative[r * 3 + c - 1] = v;
      largest = Math.max(largest, Math.abs(v));
    }
  }
  const scale = largest / 127 || 1;
  const weights = Int8Array.from(relative, (v) => Math.round(v / scale));
  return {
    bits,
    scale,
    bias: [0, 0, 0],
    pause: [0, 0, 0],
    timed: [0, 0, 0],
    endPause: 1,
    casing: {},
    provenance: {},
    weights,
  };
}

export interface MarkScores {
  /** Per mark (comma, stop, question): precision, recall, F1. */
  perMark: { precision: number; recall: number; f1: number }[];
  meanF1: number;
}

/** F1 of each mark from paired gold and predicted marks. */
export function scoreMarks(pairs: Iterable<[MarkClass, MarkClass]>): MarkScores {
  const tp = [0, 0, 0];
  const fp = [0, 0, 0];
  const fn = [0, 0, 0];
  for (const [gold, predicted] of pairs) {
    if (gold === predicted) {
      if (gold !== 0) tp[gold - 1]!++;
      continue;
    }
    if (predicted !== 0) fp[predicted - 1]!++;
    if (gold !== 0) fn[gold - 1]!++;
  }
  const perMark = tp.map((t, c) => {
    const precision = t + fp[c]! === 0 ? 0 : t / (t + fp[c]!);
    const recall = t + fn[c]! === 0 ? 0 : t / (t + fn[c]!);
    return { precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
  });
  return { perMark, meanF1: perMark.reduce((s, m) => s + m.f1, 0) / 3 };
}

/** Text logits of every gap of every chunk, decoded greedily left to right as inference does. */
function decodeLogits(
  model: PunctuationModel,
  chunk: readonly string[],
  bias: readonly number[],
): [number, number, number][] {
  const out: [number, number, number][] = [];
  let sinceMark = 0;
  let sinceStop = 0;
  for (let i = 0; i < chunk.length; i++) {
    sinceMark++;
    sinceStop++;
    const l = textLogits(model, gapFeatures(chunk, i, sinceMark, sinceStop));
    out.push(l);
    const adjusted = l.map((v, c) => v + bias[c]!);
    const best = adjusted.reduce((b, v, c) => (v > (adjusted[b] ?? 0) ? c : b), -1);
    const mark = best < 0 || adjusted[best]! <= 0 ? 0 : best + 1;
    if (mark !== 0) sinceMark = 0;
    if (mark >= 2) sinceStop = 0;
  }
  return out;
}

/** Per-class offsets on a coarse grid, one class at a time, maximising mean F1 on `chunks`. */
export function chooseBias(
  model: PunctuationModel,
  chunks: readonly (readonly WrittenToken[])[],
): [number, number, number] {
  const bias: [number, number, number] = [0, 0, 0];
  const evaluate = (b: readonly number[]): number => {
    const pairs: [MarkClass, MarkClass][] = [];
    for (const chunk of chunks) {
      const withBias = { ...model, bias: [b[0]!, b[1]!, b[2]!] as [number, number, number] };
      const logits = decodeLogits(
        withBias,
        chunk.map((t) => t.word),
        [0, 0, 0],
      );
      chunk.forEach((t, i) => {
        const l = logits[i]!;
        const best = l.reduce((bi, v, c) => (v > (l[bi] ?? 0) ? c : bi), -1);
        pairs.push([t.mark, (best < 0 || l[best]! <= 0 ? 0 : best + 1) as MarkClass]);
      });
    }
    return scoreMarks(pairs).meanF1;
  };
  let best = evaluate(bias);
  for (let round = 0; round < 2; round++) {
    for (let c = 0; c < 3; c++) {
      for (const step of [-1, -0.5, -0.25, 0.25, 0.5, 1, 1.5]) {
        const trial: [number, number, number] = [...bias];
        trial[c] = bias[c]! + step;
        const score = evaluate(trial);
        if (score > best) {
          best = score;
          bias[c] = trial[c]!;
        }
      }
    }
  }
  return bias;
}

/** One timed gap for fitting the pause term: the word sequence, the gap's position, its pause and gold mark. */
export interface TimedExample {
  words: readonly string[];
  pauses: readonly (number | undefined)[];
  gold: readonly MarkClass[];
}

/**
 * Fits `pause` and `timed` (two numbers per mark) by gradient descent on the cross-entropy of the gold marks, with the
 * text logits fixed and L2 regularisation so that a small fitting set cannot push them far.
 */
export function fitPause(
  model: PunctuationModel,
  examples: readonly TimedExample[],
  /** `classes`: which marks' pause weights to fit (0 comma, 1 stop, 2 question); the others stay 0. */
  options: { iterations: number; l2: number; classes: readonly number[] },
): Pick<PunctuationModelInfo, "pause" | "timed"> {
  const gaps: { text: [number, number, number]; seconds: number | undefined; last: boolean; gold: MarkClass }[] = [];
  for (const ex of examples) {
    const logits = decodeLogits(model, ex.words, [0, 0, 0]);
    // The last gap is left out: inference ends every input on a stop whatever the pause says.
    logits.slice(0, -1).forEach((text, i) => {
      gaps.push({ text, seconds: ex.pauses[i], last: false, gold: ex.gold[i]! });
    });
  }
  const params = { pause: [0, 0, 0] as [number, number, number], timed: [0, 0, 0] as [number, number, number] };
  const rate = 0.5;
  for (let it = 0; it < options.iterations; it++) {
    const gPause = [0, 0, 0];
    const gTimed = [0, 0, 0];
    for (const gap of gaps) {
      const info = { ...model, ...params };
      const l = withPause(info, gap.text, gap.seconds, gap.last);
      const seconds = gap.last ? model.endPause : gap.seconds;
      const f = seconds === undefined ? 0 : Math.log1p(Math.max(0, seconds) / 0.1);
      const max = Math.max(0, ...l);
      const e = [Math.exp(-max), ...l.map((v) => Math.exp(v - max))];
      const sum = e.reduce((a, b) => a + b, 0);
      for (let c = 0; c < 3; c++) {
        const grad = e[c + 1]! / sum - (gap.gold === c + 1 ? 1 : 0);
        gPause[c]! += grad * f;
        gTimed[c]! += grad;
      }
    }
    for (const c of options.classes) {
      params.pause[c]! -= rate * (gPause[c]! / gaps.length + options.l2 * params.pause[c]!);
      params.timed[c]! -= rate * (gTimed[c]! / gaps.length + options.l2 * params.timed[c]!);
    }
  }
  return params;
}

/**
 * Words whose written form mid-sentence is nearly always (nine times in ten) capitalised ("congress", "america",
 * "january"), mapped to that form, plus `properNames` (a lexicon's people and places) that the text does not
 * mostly write in lower case. Sentence-initial occurrences say nothing about a word's own casing and are skipped.
 */
export function buildCasing(
  chunks: Iterable<readonly WrittenToken[]>,
  minCount: number,
  properNames: Iterable<string> = [],
): Record<string, string> {
  const counts = new Map<string, Map<string, number>>();
  for (const chunk of chunks) {
    chunk.forEach((t, i) => {
      if (i === 0 || chunk[i - 1]!.sentenceEnd || /\d/.test(t.word)) return;
      const forms = counts.get(t.word) ?? new Map<string, number>();
      forms.set(t.surface, (forms.get(t.surface) ?? 0) + 1);
      counts.set(t.word, forms);
    });
  }
  const casing: Record<string, string> = {};
  for (const [word, forms] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    let total = 0;
    let best = "";
    let bestCount = 0;
    for (const [form, n] of forms) {
      total += n;
      if (n > bestCount) {
        best = form;
        bestCount = n;
      }
    }
    if (total >= minCount && best !== word && bestCount >= 0.9 * total && best.toLowerCase() === word)
      casing[word] = best;
  }
  // Names from a lexicon, unless the training text mostly writes them in lower case ("will", "hope", "bill").
  for (const name of properNames) {
    if (name in casing || !/^[a-z]+$/.test(name)) continue;
    const forms = counts.get(name);
    const lower = forms?.get(name) ?? 0;
    const total = forms ? [...forms.values()].reduce((a, b) => a + b, 0) : 0;
    if (lower * 2 <= total) casing[name] = name[0]!.toUpperCase() + name.slice(1);
  }
  return Object.fromEntries(Object.entries(casing).sort(([a], [b]) => (a < b ? -1 : 1)));
}
