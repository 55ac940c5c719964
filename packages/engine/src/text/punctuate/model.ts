/**
 * The punctuation and casing model: a multinomial logistic regression over hashed word n-gram features,
 * trained on State of the Union addresses (`scripts/train-punctuation.mjs`), plus a pause term fitted on timed
 * recogniser output. It decides, gap by gap and left to right, whether a word is followed by nothing, a comma,
 * a full stop or a question mark; casing comes from how the training text writes each word mid-sentence.
 *
 * The weights are a dense table of signed bytes (`data/punctuation/weights.bin`, about 1.5 MB) beside a small
 * JSON description; both load once, on first use, so a server that never punctuates never reads them.
 */
import { readFileSync } from "node:fs";
import { gapFeatures, hashFeatures, MARKS, type Mark, type MarkClass } from "./features.js";

/** The JSON half of a trained model. */
export interface PunctuationModelInfo {
  /** log2 of the number of rows in the weight table. */
  bits: number;
  /** Weights are stored as round(w / scale) in [-127, 127]. */
  scale: number;
  /** Added to each class's logit (comma, stop, question), chosen on held-out training text. */
  bias: [number, number, number];
  /**
   * Pause term, used when word timings are known: logit[c] += pause[c] * log(1 + gap / 0.1 s) + timed[c].
   * The end of the input counts as a pause of `endPause` seconds.
   */
  pause: [number, number, number];
  timed: [number, number, number];
  endPause: number;
  /** Words written with capitals mid-sentence in the training text, lower-case → written form. */
  casing: Record<string, string>;
  /** How the model was made, for people reading the file. */
  provenance: Record<string, string | number>;
}

export interface PunctuationModel extends PunctuationModelInfo {
  /** `(1 << bits) * 3` signed bytes: row-major, one column per mark other than "nothing". */
  weights: Int8Array;
}

const dataDir = new URL("../../../data/punctuation/", import.meta.url);

let loaded: PunctuationModel | undefined;

/** The shipped model, read from disk on first call. */
export function punctuationModel(): PunctuationModel {
  if (!loaded) {
    const info = JSON.parse(readFileSync(new URL("model.json", dataDir), "utf8")) as PunctuationModelInfo;
    const bytes = readFileSync(new URL("weights.bin", dataDir));
    loaded = { ...info, weights: new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  }
  return loaded;
}

/** Seconds of silence that end a sentence on their own. */
const SENTENCE_PAUSE = 1;

/** A gap's duration in seconds, or `undefined` when the words carry no timing. */
export type Pauses = readonly (number | undefined)[];

const pauseFeature = (seconds: number): number => Math.log1p(Math.max(0, seconds) / 0.1);

/**
 * Text-only logits of the three marks for one gap. Exposed for training the pause term, which holds these
 * fixed and fits only its own few weights.
 */
export function textLogits(model: PunctuationModel, features: readonly string[]): [number, number, number] {
  const rows = hashFeatures(features, model.bits);
  const logits: [number, number, number] = [...model.bias];
  for (const row of rows) {
    const base = row * 3;
    logits[0] += model.weights[base]! * model.scale;
    logits[1] += model.weights[base + 1]! * model.scale;
    logits[2] += model.weights[base + 2]! * model.scale;
  }
  return logits;
}

/** Adds the pause term for a gap of `pause` seconds (the end of the input when `last`). */
export function withPause(
  model: PunctuationModelInfo,
  logits: [number, number, number],
  pause: number | undefined,
  last: boolean,
): [number, number, number] {
  const seconds = last ? model.endPause : pause;
  if (seconds === undefined) return logits;
  const f = pauseFeature(seconds);
  return [
    logits[0] + model.pause[0] * f + model.timed[0],
    logits[1] + model.pause[1] * f + model.timed[1],
    logits[2] + model.pause[2] * f + model.timed[2],
  ];
}

function argmax(logits: readonly number[]): MarkClass {
  let best: MarkClass = 0;
  let bestValue = 0;
  for (let c = 0; c < 3; c++) {
    if (logits[c]! > bestValue) {
      bestValue = logits[c]!;
      best = (c + 1) as MarkClass;
    }
  }
  return best;
}

/**
 * The mark after each word. `pauses[i]` is the silence between word i and word i + 1 in seconds; leave it
 * out (or `undefined`) for text without timings. The end of the input is a pause when timings are known.
 */
export function predictMarks(words: readonly string[], pauses?: Pauses, model = punctuationModel()): MarkClass[] {
  const marks: MarkClass[] = [];
  const timed = pauses?.some((p) => p !== undefined) ?? false;
  let sinceMark = 0;
  let sinceStop = 0;
  for (let i = 0; i < words.length; i++) {
    sinceMark++;
    sinceStop++;
    let logits = textLogits(model, gapFeatures(words, i, sinceMark, sinceStop));
    const last = i === words.length - 1;
    if (timed) logits = withPause(model, logits, pauses?.[i], last);
    let mark = argmax(logits);
    // A silence this long ends a sentence whatever the words say. The fitting set (one sentence per clip) cannot
    // teach that, so it is set a priori: a little above Deepgram's default utterance split, 0.8 s.
    const pause = pauses?.[i];
    if (pause !== undefined && pause >= SENTENCE_PAUSE && mark < 2) mark = 2;
    // The input ends a sentence: a transcript never ends on a comma or on nothing, as Deepgram's do not.
    if (last && mark < 2) mark = logits[2] > logits[1] ? 3 : 2;
    if (mark === 2 && asksQuestion(words, i - sinceStop + 1)) mark = 3;
    marks.push(mark);
    if (mark !== 0) sinceMark = 0;
    if (mark >= 2) sinceStop = 0;
  }
  return marks;
}

const AUXILIARIES = new Set(
  "is are was were do does did can could would will should shall have has may might isn't aren't wasn't weren't don't doesn't didn't can't couldn't wouldn't won't shouldn't haven't hasn't".split(
    " ",
  ),
);
const SUBJECTS = new Set(
  "i you we they he she it there this that these those the a an my your our their his her".split(" "),
);
const LEAD_INS = new Set(["so", "and", "but", "well", "okay", "now", "then", "oh"]);
const WH = new Set("what why where who which how whose".split(" "));

/**
 * Questions are rare in the training text (a few hundred in 1.4 million words), so the model seldom predicts
 * them; English marks them at the start instead: an auxiliary before its subject ("do you", "is there") or a
 * question word before an auxiliary ("what do", "where is"). A full stop after such a start becomes "?".
 */
function asksQuestion(words: readonly string[], sentenceStart: number): boolean {
  const start = LEAD_INS.has(words[sentenceStart] ?? "") ? sentenceStart + 1 : sentenceStart;
  const first = words[start];
  const second = words[start + 1];
  if (first === undefined || second === undefined) return false;
  return (AUXILIARIES.has(first) && SUBJECTS.has(second)) || (WH.has(first) && AUXILIARIES.has(second));
}

export const markText = (mark: MarkClass): Mark => MARKS[mark];

const PRONOUN_I = /^i(?:'(?:m|ll|ve|d|s))?$/;

/** Always capitalised in English whatever the training text saw ("may" and "march" are also ordinary words). */
const PROPER = new Set(
  "monday tuesday wednesday thursday friday saturday sunday january february april june july august september october november december".split(
    " ",
  ),
);

/** A word as written: "I" and its contractions, proper nouns from the model's casing list, else as given. */
export function caseWord(word: string, sentenceStart: boolean, model = punctuationModel()): string {
  let out = model.casing[word] ?? (PROPER.has(word) ? word[0]!.toUpperCase() + word.slice(1) : word);
  if (PRONOUN_I.test(word)) out = `I${word.slice(1)}`;
  if (sentenceStart && out.length > 0) out = out[0]!.toUpperCase() + out.slice(1);
  return out;
}
