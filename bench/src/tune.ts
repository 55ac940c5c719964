/**
 * Accuracy tuning of the default engine: the engine's batch path (VAD, pieces, worker pool — what the server
 * runs) over the shared sets, once per configuration, one line per configuration with WER per set, per speaker
 * group of multi-dev, and the real-time factor.
 *
 *   node bench/dist/tune.js --half tune --config "today:" --config "lw8:-lw 8 -wip 0.5"
 *
 * `--half tune` or `--half held-out` picks a half of the dev sets (halves.ts): nothing is reported on the data it
 * was tuned on.
 *
 * `--clips N` takes at most N clips per set, evenly spaced over the half (every speaker group stays in);
 * `--reliability` adds, per configuration, how often words are right by bins of confidence and the monotone
 * map from confidence to fraction right fitted on them.
 *
 * A configuration is `name:` followed by PocketSphinx arguments (`-lw 8 -beam 1e-60`) and engine settings
 * written `key=value` (`maxPiece=30`; `speakerPieces=0` lets pieces run across changes of speaker; `rmsDb=-20`
 * scales each clip to that RMS level first; `adapt=1` asks for speaker adaptation; `rate=8000` resamples each
 * clip first; `hum=-10` adds mains hum 10 dB below it). RTF (wall time per worker over the clips' audio time)
 * compares configurations only within one run: it depends on the load.
 *
 * `--conversations tune|held-out [--every N]` also decodes the multi-speaker conversations of that split
 * (conversations.ts, every Nth): long audio with speaker changes, where how pieces are cut matters (`maxPiece=`).
 * They are scored on their whole turns, each against the words whose middle falls inside it.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { decodeWav, Engine, type EngineOptions, wordErrorRate } from "@earshot/engine";
import {
  type Conversation,
  ConversationBuilder,
  conversationSpecs,
  type Split,
  wholeTurnPairs,
} from "./conversations.js";
import { loadClips, toWav, wavAtRate } from "./corpus.js";
import { groupsOf, splitClips, spread, werByGroup } from "./halves.js";
import { printReliability, scoredWords } from "./reliability.js";
import { machine, mapLimit, printTable } from "./table.js";

const { values } = parseArgs({
  options: {
    half: { type: "string", default: "tune" },
    sets: { type: "string", default: "multi-dev,ljspeech-dev" },
    clips: { type: "string" },
    workers: { type: "string", default: "2" },
    config: { type: "string", multiple: true, default: ["today:"] },
    /** Also print, per configuration, how often words are right by bins of their confidence. */
    reliability: { type: "boolean", default: false },
    /** Also decode the multi-speaker conversations of this split (conversations.ts): long audio, speaker changes. */
    conversations: { type: "string" },
    /** Of those, every Nth. */
    every: { type: "string", default: "1" },
  },
});

interface Config {
  name: string;
  decoderArgs: string[];
  engine: Pick<EngineOptions, "maxPiece" | "speakerPieces">;
  /** Scale each clip to this RMS level (dBFS) before it reaches the engine: does loudness matter? */
  rmsDb?: number;
  /** `speaker_adaptation`: each piece decoded again after adapting the model to it. */
  adaptSpeaker?: boolean;
  /** Resample each clip to this rate (Hz) by ffmpeg first, as telephone audio (8 kHz) arrives. */
  rate?: number;
  /** Add mains hum this many dB below each clip's RMS first: does the front end need a high-pass? */
  humDb?: number;
}

const rmsOf = (samples: Float32Array) => Math.sqrt(samples.reduce((s, x) => s + x * x, 0) / samples.length);

/** `bytes` (16-bit mono WAV) scaled to an RMS of `db` dBFS, peaks clipped, as a new WAV. */
function atLevel(bytes: Buffer, db: number): Buffer {
  const samples = decodeWav(bytes).channels[0]!;
  const gain = 10 ** (db / 20) / rmsOf(samples);
  return toWav(samples.map((x) => x * gain));
}

/**
 * `bytes` (16-bit mono WAV) with mains hum added `db` below the speech's RMS: 50 Hz and its first four harmonics
 * at falling levels, as a poorly grounded microphone picks up.
 */
function withHum(bytes: Buffer, db: number): Buffer {
  const samples = decodeWav(bytes).channels[0]!;
  const harmonics = [1, 0.5, 0.3, 0.2, 0.1];
  const hum = (i: number) =>
    harmonics.reduce((s, a, k) => s + a * Math.sin((2 * Math.PI * 50 * (k + 1) * i) / 16_000), 0);
  const humRms = Math.sqrt(harmonics.reduce((s, a) => s + (a * a) / 2, 0));
  const gain = (10 ** (db / 20) * rmsOf(samples)) / humRms;
  return toWav(samples.map((x, i) => x + gain * hum(i)));
}

function parseConfig(text: string): Config {
  const colon = text.indexOf(":");
  if (colon < 0) throw new Error(`a configuration is "name: args", not ${text}`);
  const decoderArgs: string[] = [];
  const engine: Config["engine"] = {};
  let rmsDb: number | undefined;
  let adaptSpeaker = false;
  let rate: number | undefined;
  let humDb: number | undefined;
  for (const token of text
    .slice(colon + 1)
    .trim()
    .split(/\s+/)
    .filter(Boolean)) {
    const [key, value] = token.split("=");
    if (key === "maxPiece" && value) engine.maxPiece = Number(value);
    else if (key === "speakerPieces" && value) engine.speakerPieces = value === "1";
    else if (key === "rmsDb" && value) rmsDb = Number(value);
    else if (key === "adapt" && value) adaptSpeaker = value === "1";
    else if (key === "rate" && value) rate = Number(value);
    else if (key === "hum" && value) humDb = Number(value);
    else if (value !== undefined) throw new Error(`unknown engine setting ${key}`);
    else decoderArgs.push(token);
  }
  return {
    name: text.slice(0, colon),
    decoderArgs,
    engine,
    adaptSpeaker,
    ...(rmsDb === undefined ? {} : { rmsDb }),
    ...(rate === undefined ? {} : { rate }),
    ...(humDb === undefined ? {} : { humDb }),
  };
}

const limit = values.clips ? Number(values.clips) : Number.POSITIVE_INFINITY;
const clips = values.sets!.split(",").flatMap((set) => spread(splitClips(loadClips(set), values.half!), limit));
const audio = clips.map((c) => readFileSync(c.path));
const audioSeconds = clips.reduce((s, c) => s + c.duration, 0);
const workers = Number(values.workers);
const groups = groupsOf(clips);

/** The multi-speaker conversations `--conversations` asks for (every `--every`th of the split), built in memory. */
function loadConversations(): Conversation[] {
  if (!values.conversations) return [];
  const specs = conversationSpecs(values.conversations as Split).filter((_, i) => i % Number(values.every) === 0);
  const builder = new ConversationBuilder([...new Set(specs.flatMap((spec) => spec.speakers.map((p) => p.id)))]);
  return specs.map((spec) => builder.build(spec));
}
const conversations = loadConversations();
const conversationAudio = conversations.map((c) => toWav(c.samples));

async function run(config: Config): Promise<(string | number)[]> {
  const engine = new Engine({
    workers,
    queueLimit: 10_000,
    ...config.engine,
    pocketsphinx: { decoderArgs: config.decoderArgs },
  });
  const levelled = config.rmsDb === undefined ? audio : audio.map((bytes) => atLevel(bytes, config.rmsDb!));
  const hummed = config.humDb === undefined ? levelled : levelled.map((bytes) => withHum(bytes, config.humDb!));
  const input = config.rate === undefined ? hummed : hummed.map((bytes) => wavAtRate(bytes, config.rate!));
  // Every worker loads its model before the clock starts.
  await Promise.all(Array.from({ length: workers * 2 }, () => engine.transcribe(input[0]!)));
  const started = performance.now();
  const results = await mapLimit(input, workers * 2, (bytes) =>
    engine.transcribe(bytes, { adaptSpeaker: config.adaptSpeaker }),
  );
  const wall = (performance.now() - started) / 1000;
  const spoken = await mapLimit(conversationAudio, workers * 2, (bytes) => engine.transcribe(bytes));
  await engine.close();
  const hypotheses = results.map((t) => t.channels[0]!.map((w) => w.word).join(" "));
  if (values.reliability) {
    printReliability(
      config.name,
      results.flatMap((t, i) => scoredWords(clips[i]!.reference, t.channels[0]!)),
    );
  }
  return [
    config.name,
    ...werByGroup(clips, groups, (_, i) => hypotheses[i]!),
    ...(conversations.length
      ? [(wordErrorRate(conversations.flatMap((c, i) => wholeTurnPairs(c, spoken[i]!.channels[0]!))) * 100).toFixed(2)]
      : []),
    ((wall / audioSeconds) * workers).toFixed(3),
  ];
}

console.log(
  `Earshot tuning — half ${values.half}: ${clips.length} clips of ${values.sets} (${(audioSeconds / 60).toFixed(1)} min), ${workers} workers`,
);
if (conversations.length) {
  const minutes = conversations.reduce((sum, c) => sum + c.duration, 0) / 60;
  console.log(
    `and ${conversations.length} ${values.conversations} conversations (${minutes.toFixed(1)} min): WER of their whole turns`,
  );
}
console.log(`machine: ${machine()}\n`);
const rows: (string | number)[][] = [];
for (const text of values.config!) {
  const row = await run(parseConfig(text));
  rows.push(row);
  console.log(`${row.join("\t")}\t${machine()}`);
}
console.log("");
printTable(
  [
    "config",
    ...groups.map((g) => `WER ${g} %`),
    ...(conversations.length ? [`WER conversations (${values.conversations}) %`] : []),
    "RTF per worker",
  ],
  rows,
);
console.log(`machine after run: ${machine()}`);
