/**
 * bench/narrowband: telephone audio (8 kHz) on the default PocketSphinx model, trained on 16 kHz speech.
 *
 * Prints, per shared set, how far below the speech band the band above 4.3 kHz is (min / median / max dB), for
 * the clips as they are and resampled to 8 kHz by ffmpeg then back to 16 kHz by the engine's decoder, and how
 * many of each the engine takes as narrowband (`isNarrowband`).
 *
 * With `--estimate FILE` it also makes the narrowband transform the engine ships: one MLLR transform of the
 * model's means (SphinxTrain's `bw` and `mllr_solve`, as speaker adaptation uses them) estimated on the tune half
 * of multi-dev and ljspeech-dev at 8 kHz, supervised by their reference transcripts (clips with a word the
 * dictionary lacks are left out). The held-out half measures it: `bench:tune --half held-out --config
 * "8k:rate=8000"`.
 *
 *   node bench/dist/narrowband.js [--estimate packages/engine/data/narrowband/pocketsphinx-en-us.mllr]
 *
 * Needs ffmpeg and, for `--estimate`, `apt-get install sphinxtrain sphinxbase-utils pocketsphinx`.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  adaptableModel,
  decodeAudio,
  estimateMllr,
  isNarrowband,
  ModelRegistry,
  toInt16,
  upperBandDb,
} from "@earshot/engine";
import { type Clip, loadClips, wavAtRate } from "./corpus.js";
import { splitClips } from "./halves.js";
import { machine, printTable } from "./table.js";

const { values } = parseArgs({ options: { estimate: { type: "string" } } });

/** `clip` at 8 kHz (ffmpeg), as the 16 kHz samples the engine's decoder makes of it. */
async function telephone(clip: Clip): Promise<Int16Array> {
  return toInt16((await decodeAudio(wavAtRate(clip.path, 8000), { sampleRate: 16_000 })).channels[0]!);
}

async function wideband(clip: Clip): Promise<Int16Array> {
  return toInt16((await decodeAudio(readFileSync(clip.path), { sampleRate: 16_000 })).channels[0]!);
}

const summary = (dbs: number[]): string => {
  const sorted = [...dbs].sort((a, b) => a - b);
  return [sorted[0]!, sorted[Math.floor(sorted.length / 2)]!, sorted.at(-1)!].map((d) => d.toFixed(0)).join(" / ");
};

console.log(`bench/narrowband — ${machine()}\n`);
const rows: string[][] = [];
for (const set of ["ljspeech-dev", "multi-dev", "misc"]) {
  const clips = loadClips(set);
  for (const [name, at16k] of [
    ["as recorded", wideband],
    ["8 kHz", telephone],
  ] as const) {
    const pcms = await Promise.all(clips.map(at16k));
    const dbs = pcms.map((pcm) => upperBandDb(pcm, 16_000));
    const narrow = pcms.filter((pcm) => isNarrowband(pcm, 16_000)).length;
    rows.push([set, name, String(clips.length), summary(dbs), String(narrow)]);
  }
}
printTable(["set", "audio", "clips", "upper band dB (min / median / max)", "taken as narrowband"], rows);

if (values.estimate) {
  const model = new ModelRegistry().resolve(undefined, undefined).model;
  const { hmm, dict } = model.files as { hmm: string; dict: string };
  const known = new Set(
    readFileSync(dict, "utf8")
      .split("\n")
      .map((line) => line.split(" ")[0]!),
  );
  const work = mkdtempSync(join(tmpdir(), "earshot-narrowband-"));
  try {
    const ids: string[] = [];
    const transcripts: string[] = [];
    for (const clip of ["multi-dev", "ljspeech-dev"].flatMap((set) => splitClips(loadClips(set), "tune"))) {
      const words = clip.reference
        .toLowerCase()
        .replace(/[^a-z' ]+/g, " ")
        .split(/\s+/)
        .filter(Boolean);
      if (!words.every((w) => known.has(w))) continue;
      const pcm = await telephone(clip);
      writeFileSync(join(work, `${clip.id}.raw`), pcm);
      execFileSync(
        "sphinx_fe",
        [
          ...["-argfile", join(hmm, "feat.params"), "-samprate", "16000", "-raw", "yes", "-input_endian", "little"],
          ...["-i", join(work, `${clip.id}.raw`), "-o", join(work, `${clip.id}.mfc`)],
        ],
        { stdio: "pipe" },
      );
      ids.push(clip.id);
      transcripts.push(`<s> ${words.join(" ")} </s> (${clip.id})`);
    }
    writeFileSync(join(work, "ctl"), `${ids.join("\n")}\n`);
    writeFileSync(join(work, "lsn"), `${transcripts.join("\n")}\n`);
    mkdirSync(join(work, "acc"));
    const adaptable = await adaptableModel(hmm, join(work, "model"));
    const data = { ctl: join(work, "ctl"), lsn: join(work, "lsn"), cepdir: work };
    await estimateMllr(adaptable, dict, data, join(work, "acc"), values.estimate);
    console.log(`\nnarrowband transform from ${ids.length} clips of the tune half: ${values.estimate}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
