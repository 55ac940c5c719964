/**
 * The text stage (punctuation, casing, numbers) against the original written text of the dev speech
 * (`written.tsv`: punctuated, cased, numerals as printed), on two inputs:
 * - the spoken reference words (`refs.tsv`, lower-cased; no timings, so no pauses);
 * - PocketSphinx's words for the same clips through `Engine.transcribe` (timings and pauses, recognition errors),
 *   which is what production sees.
 *
 * Printed per set: F1 of comma, full stop and question mark (marks folded as the model folds them: `;` and `!`
 * count as full stops, `:` and dashes as commas), and of full stops once more without each clip's last word —
 * the text stage ends every input on a stop, as Deepgram's transcripts end, while many clips of read speech
 * stop mid-sentence; how often a sentence start is capitalised; a case- and
 * punctuation-sensitive WER of the formatted transcript against the written text, next to the same figure for
 * the unformatted words; how many of the written digit tokens ("1455", "1470") come out as written; and the
 * formatting cost in ms per minute of audio against the recognition time.
 *
 * The punctuation model's pause weights were fitted on `multi-dev` (scripts/train-punctuation.mjs): its
 * PocketSphinx figures are not held out; `ljspeech-dev` is.
 *
 *   node bench/dist/format.js [--sets ljspeech-dev,multi-dev]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  alignWords,
  Engine,
  type FormatOptions,
  formatWords,
  type RecognizedWord,
  tokenizeWritten,
  type WrittenToken,
} from "@earshot/engine";
import { loadWritten } from "./corpus.js";
import { machine, printTable } from "./table.js";

const { values } = parseArgs({ options: { sets: { type: "string", default: "ljspeech-dev,multi-dev" } } });

interface ClipInput {
  written: string;
  words: RecognizedWord[];
  /** Whether the clip before it (in manifest order) ended a sentence, so this one starts one. */
  startsSentence: boolean;
}

interface Tally {
  tp: number[];
  fp: number[];
  fn: number[];
  /** Full stops with each clip's last word left out (clips of read speech often end mid-sentence). */
  innerStops: { tp: number; fp: number; fn: number };
  starts: number;
  startsCased: number;
  digitTokens: number;
  digitsRight: number;
  errors: number;
  refTokens: number;
  plainErrors: number;
}

const newTally = (): Tally => ({
  tp: [0, 0, 0],
  fp: [0, 0, 0],
  fn: [0, 0, 0],
  innerStops: { tp: 0, fp: 0, fn: 0 },
  starts: 0,
  startsCased: 0,
  digitTokens: 0,
  digitsRight: 0,
  errors: 0,
  refTokens: 0,
  plainErrors: 0,
});

/** Edit errors between two lists of whitespace tokens, compared exactly (case and punctuation count). */
function tokenErrors(reference: string[], hypothesis: string[]): number {
  return alignWords(reference, hypothesis).filter(
    ([r, h]) => r === undefined || h === undefined || reference[r] !== hypothesis[h],
  ).length;
}

const rawTokens = (text: string): string[] => text.split(/\s+/).filter(Boolean);

function score(tally: Tally, clip: ClipInput, transcript: string): void {
  const ref = tokenizeWritten(clip.written);
  const hyp: WrittenToken[] = tokenizeWritten(transcript);
  for (const [r, h] of alignWords(
    ref.map((t) => t.word),
    hyp.map((t) => t.word),
  )) {
    const gold = r === undefined ? 0 : ref[r]!.mark;
    const predicted = h === undefined ? 0 : hyp[h]!.mark;
    if (gold !== 0 && gold === predicted) tally.tp[gold - 1]!++;
    else {
      if (predicted !== 0) tally.fp[predicted - 1]!++;
      if (gold !== 0) tally.fn[gold - 1]!++;
    }
    if (r !== ref.length - 1 && h !== hyp.length - 1) {
      const inner = tally.innerStops;
      if (gold === 2 && predicted === 2) inner.tp++;
      else if (predicted === 2) inner.fp++;
      else if (gold === 2) inner.fn++;
    }
    if (r === undefined || h === undefined || ref[r]!.word !== hyp[h]!.word) continue;
    const startsSentence = r === 0 ? clip.startsSentence : ref[r - 1]!.sentenceEnd;
    if (startsSentence && /^\p{Lu}/u.test(ref[r]!.surface)) {
      tally.starts++;
      if (/^\p{Lu}/u.test(hyp[h]!.surface)) tally.startsCased++;
    }
  }
  // Digit tokens: aligned on normalised words, so "1455," and "1455." both count as 1455.
  for (const [r, h] of alignWords(
    ref.map((t) => t.word),
    hyp.map((t) => t.word),
  )) {
    if (r === undefined || !/\d/.test(ref[r]!.word)) continue;
    tally.digitTokens++;
    if (h !== undefined && hyp[h]!.word === ref[r]!.word) tally.digitsRight++;
  }
  const written = rawTokens(clip.written);
  tally.refTokens += written.length;
  tally.errors += tokenErrors(written, rawTokens(transcript));
  tally.plainErrors += tokenErrors(
    written,
    clip.words.map((w) => w.word),
  );
}

const f1 = (t: Tally, c: number): string => f1Of(t.tp[c]!, t.fp[c]!, t.fn[c]!);
const f1Of = (tp: number, fp: number, fn: number): string => {
  const support = tp + fn;
  if (support === 0) return `n/a (0 written, ${fp} predicted)`;
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp / support;
  const f = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return `${f.toFixed(3)} (P ${precision.toFixed(2)} R ${recall.toFixed(2)}, n=${support})`;
};
const pct = (a: number, b: number): string => (b === 0 ? "n/a" : `${((100 * a) / b).toFixed(1)} %`);

function run(clips: ClipInput[], options: FormatOptions): { tally: Tally; ms: number } {
  const tally = newTally();
  let ms = 0;
  for (const clip of clips) {
    const started = performance.now();
    const { transcript } = formatWords(clip.words, options);
    ms += performance.now() - started;
    score(tally, clip, transcript);
  }
  return { tally, ms };
}

const row = (input: string, options: string, t: Tally): string[] => [
  input,
  options,
  f1(t, 0),
  f1(t, 1),
  f1Of(t.innerStops.tp, t.innerStops.fp, t.innerStops.fn),
  f1(t, 2),
  pct(t.startsCased, t.starts),
  pct(t.errors, t.refTokens),
  pct(t.plainErrors, t.refTokens),
  `${t.digitsRight}/${t.digitTokens}`,
];

const engine = new Engine({ workers: 1 });
// The first call loads the punctuation model; keep it out of the timings.
formatWords([{ word: "warm", start: 0, end: 0.2, confidence: 1 }], { smart_format: true });
const costRows: string[][] = [];
for (const set of values.sets!.split(",")) {
  const written = loadWritten(set);
  const endsSentence = (text: string): boolean => /[.!?]["')]*\s*$/.test(text);
  const startsSentence = (i: number): boolean => i === 0 || endsSentence(written[i - 1]!.written);
  const fromReference: ClipInput[] = written.map((c, i) => ({
    written: c.written,
    startsSentence: startsSentence(i),
    words: c.reference
      .toLowerCase()
      .split(/\s+/)
      .filter(Boolean)
      .map((word) => ({ word, start: 0, end: 0, confidence: 1 })),
  }));
  await engine.transcribe(readFileSync(written[0]!.path));
  const recognitionStarted = performance.now();
  const fromRecogniser: ClipInput[] = [];
  for (const [i, c] of written.entries()) {
    const transcript = await engine.transcribe(readFileSync(c.path));
    fromRecogniser.push({ written: c.written, startsSentence: startsSentence(i), words: transcript.channels[0] ?? [] });
  }
  const recognitionMs = performance.now() - recognitionStarted;
  const minutes = written.reduce((s, c) => s + c.duration, 0) / 60;

  console.log(`\n## ${set}: ${written.length} clips with written text, ${minutes.toFixed(1)} min of audio\n`);
  const rows: string[][] = [];
  for (const [name, clips] of [
    ["reference words", fromReference],
    ["PocketSphinx words", fromRecogniser],
  ] as const) {
    rows.push(row(name, "punctuate", run(clips, { punctuate: true }).tally));
    const smart = run(clips, { smart_format: true });
    rows.push(row(name, "smart_format", smart.tally));
    if (clips === fromRecogniser) {
      const msPerMinute = smart.ms / minutes;
      const recognitionPerMinute = recognitionMs / minutes;
      costRows.push([
        set,
        msPerMinute.toFixed(1),
        recognitionPerMinute.toFixed(0),
        `${((100 * msPerMinute) / recognitionPerMinute).toFixed(2)} %`,
      ]);
    }
  }
  printTable(
    [
      "input",
      "options",
      "comma F1",
      "full stop F1",
      "full stop F1, clip ends left out",
      "question F1",
      "sentence starts capitalised",
      "WER vs written (formatted)",
      "WER vs written (unformatted words)",
      "digit tokens as written",
    ],
    rows,
  );
}
await engine.close();

console.log("\n## Cost of the text stage (smart_format on PocketSphinx words, one thread)\n");
printTable(["set", "formatting ms per audio minute", "recognition ms per audio minute", "share"], costRows);
console.log(`\n${machine()}`);
