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
 * written `key=value` (`maxPiece=30`; `rmsDb=-20` scales each clip to that RMS level first; `adapt=1` asks for
 * speaker adaptation). RTF (wall time per worker over audio time) compares configurations only within one run:
 * it depends on the load.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { decodeWav, Engine, type EngineOptions } from "@earshot/engine";
import { loadClips, wavAtRate } from "./corpus.js";
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
  },
});

interface Config {
  name: string;
  decoderArgs: string[];
  engine: Pick<EngineOptions, "maxPiece">;
  /** Scale each clip to this RMS level (dBFS) before it reaches the engine: does loudness matter? */
  rmsDb?: number;
  /** `speaker_adaptation`: each piece decoded again after adapting the model to it. */
  adaptSpeaker?: boolean;
  /** Resample each clip to this rate (Hz) by ffmpeg first, as telephone audio (8 kHz) arrives. */
  rate?: number;
}

/** `bytes` (16-bit mono WAV) scaled to an RMS of `db` dBFS, peaks clipped, as a new WAV. */
function atLevel(bytes: Buffer, db: number): Buffer {
  const samples = decodeWav(bytes).channels[0]!;
  const rms = Math.sqrt(samples.reduce((s, x) => s + x * x, 0) / samples.length);
  const gain = 10 ** (db / 20) / rms;
  const out = Buffer.alloc(44 + samples.length * 2);
  out.write("RIFF", 0);
  out.writeUInt32LE(36 + samples.length * 2, 4);
  out.write("WAVEfmt ", 8);
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(16_000, 24);
  out.writeUInt32LE(32_000, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write("data", 36);
  out.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++)
    out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i]! * gain * 32767))), 44 + i * 2);
  return out;
}

function parseConfig(text: string): Config {
  const colon = text.indexOf(":");
  if (colon < 0) throw new Error(`a configuration is "name: args", not ${text}`);
  const decoderArgs: string[] = [];
  const engine: Config["engine"] = {};
  let rmsDb: number | undefined;
  let adaptSpeaker = false;
  let rate: number | undefined;
  for (const token of text
    .slice(colon + 1)
    .trim()
    .split(/\s+/)
    .filter(Boolean)) {
    const [key, value] = token.split("=");
    if (key === "maxPiece" && value) engine.maxPiece = Number(value);
    else if (key === "rmsDb" && value) rmsDb = Number(value);
    else if (key === "adapt" && value) adaptSpeaker = value === "1";
    else if (key === "rate" && value) rate = Number(value);
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
  };
}

const limit = values.clips ? Number(values.clips) : Number.POSITIVE_INFINITY;
const clips = values.sets!.split(",").flatMap((set) => spread(splitClips(loadClips(set), values.half!), limit));
const audio = clips.map((c) => readFileSync(c.path));
const audioSeconds = clips.reduce((s, c) => s + c.duration, 0);
const workers = Number(values.workers);
const groups = groupsOf(clips);

async function run(config: Config): Promise<(string | number)[]> {
  const engine = new Engine({
    workers,
    queueLimit: 10_000,
    ...config.engine,
    pocketsphinx: { decoderArgs: config.decoderArgs },
  });
  const levelled = config.rmsDb === undefined ? audio : audio.map((bytes) => atLevel(bytes, config.rmsDb!));
  const input = config.rate === undefined ? levelled : levelled.map((bytes) => wavAtRate(bytes, config.rate!));
  // Every worker loads its model before the clock starts.
  await Promise.all(Array.from({ length: workers * 2 }, () => engine.transcribe(input[0]!)));
  const started = performance.now();
  const results = await mapLimit(input, workers * 2, (bytes) =>
    engine.transcribe(bytes, { adaptSpeaker: config.adaptSpeaker }),
  );
  const wall = (performance.now() - started) / 1000;
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
    ((wall / audioSeconds) * workers).toFixed(3),
  ];
}

console.log(
  `Earshot tuning — half ${values.half}: ${clips.length} clips of ${values.sets} (${(audioSeconds / 60).toFixed(1)} min), ${workers} workers`,
);
console.log(`machine: ${machine()}\n`);
const rows: (string | number)[][] = [];
for (const text of values.config!) {
  const row = await run(parseConfig(text));
  rows.push(row);
  console.log(`${row.join("\t")}\t${machine()}`);
}
console.log("");
printTable(["config", ...groups.map((g) => `WER ${g} %`), "RTF per worker"], rows);
console.log(`machine after run: ${machine()}`);
