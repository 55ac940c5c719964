/**
 * bench/mllr: what unsupervised speaker adaptation (MLLR) buys the default PocketSphinx model — a lever of the
 * accuracy issue, measured before the engine carries it. Decode (pass 1); align the audio to pass 1's words and
 * estimate one full-matrix MLLR transform of the model's means (SphinxTrain's `bw` and `mllr_solve`); decode again
 * with it (pass 2). Rows: adapting per clip (a short request), per speaker (all of a speaker's clips of the half,
 * 1–3 minutes: a long file or a job), and per clip on the reference words instead of pass 1's (the ceiling of
 * adaptation from so little speech, not something a server can do).
 *
 * Both passes run Debian's `pocketsphinx_batch` on `sphinx_fe`'s features with the default model's files (the same
 * libpocketsphinx the engine loads). Without the engine's VAD pieces pass 1 differs a little from `bench:tune`'s
 * figures, so compare the rows with each other. Costs are wall time over audio time, two processes at a time, as
 * a multiple of pass 1's.
 *
 *   node bench/dist/mllr.js [--half tune|held-out] [--sets multi-dev,ljspeech-dev] [--clips N]
 *
 * Needs `apt-get install pocketsphinx sphinxbase-utils sphinxtrain`.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { adaptableModel, estimateMllr, ModelRegistry } from "@earshot/engine";
import { audioDir, type Clip, loadClips } from "./corpus.js";
import { groupsOf, speakerOf, splitClips, spread, werByGroup } from "./halves.js";
import { machine, mapLimit, printTable } from "./table.js";

const { values } = parseArgs({
  options: {
    half: { type: "string", default: "tune" },
    sets: { type: "string", default: "multi-dev,ljspeech-dev" },
    clips: { type: "string" },
  },
});

const SPHINXTRAIN = "/usr/lib/sphinxtrain";
const PROCESSES = 2;

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 64 * 2 ** 20 }, (err, _stdout, stderr) => {
      if (!err) resolve();
      else if ((err as NodeJS.ErrnoException).code === "ENOENT")
        reject(new Error(`${command} is missing: apt-get install pocketsphinx sphinxbase-utils sphinxtrain`));
      else reject(new Error(`${command} failed: ${stderr.split("\n").filter(Boolean).slice(-3).join(" / ")}`));
    });
  });
}

const limit = values.clips ? Number(values.clips) : Number.POSITIVE_INFINITY;
const clips = values.sets!.split(",").flatMap((set) => spread(splitClips(loadClips(set), values.half!), limit));
const audioSeconds = clips.reduce((s, c) => s + c.duration, 0);
const groups = groupsOf(clips);
const model = new ModelRegistry().defaultModel;
const { hmm, lm, dict } = model.files as { hmm: string; lm: string; dict: string };
const work = mkdtempSync(join(tmpdir(), "earshot-mllr-"));
const ctlOf = (list: Clip[]): string => list.map((c) => `${c.set}/${c.id}\n`).join("");

/** Decodes `list` (split over two processes) with each clip's transform, if any; words by clip id, wall seconds. */
async function decode(
  list: Clip[],
  name: string,
  transforms?: Map<string, string>,
): Promise<[Map<string, string>, number]> {
  const started = performance.now();
  const halves = [list.filter((_, i) => i % 2 === 0), list.filter((_, i) => i % 2 === 1)].filter((h) => h.length);
  const words = new Map<string, string>();
  await Promise.all(
    halves.map(async (part, p) => {
      const ctl = join(work, `${name}-${p}.ctl`);
      const hyp = join(work, `${name}-${p}.hyp`);
      writeFileSync(ctl, ctlOf(part));
      const adapt: string[] = [];
      if (transforms) {
        writeFileSync(`${ctl}.mllr`, part.map((c) => `${transforms.get(c.id)}\n`).join(""));
        adapt.push("-mllrctl", `${ctl}.mllr`);
      }
      await run("pocketsphinx_batch", [
        ...["-hmm", hmm, "-lm", lm, "-dict", dict, "-ctl", ctl, "-cepdir", join(work, "mfc"), "-cepext", ".mfc"],
        ...["-hyp", hyp, ...adapt],
      ]);
      for (const line of readFileSync(hyp, "utf8").split("\n")) {
        const match = /^(.*)\((\S+) -?\d+\)$/.exec(line);
        // The utterance is named by its control-file line, `set/id`.
        if (match) words.set(match[2]!.split("/").pop()!, match[1]!.trim());
      }
    }),
  );
  return [words, (performance.now() - started) / 1000];
}

/**
 * One MLLR transform per unit (a clip, or a speaker's clips), estimated on the words `transcript` gives each clip;
 * the transform's path by clip id (none where the estimation failed), and wall seconds.
 */
async function adapt(
  units: Clip[][],
  name: string,
  adaptable: string,
  transcript: (clip: Clip) => string,
): Promise<[Map<string, string>, number]> {
  const started = performance.now();
  const transforms = new Map<string, string>();
  await mapLimit(units, PROCESSES, async (unit) => {
    const dir = join(work, name, unit[0]!.id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "ctl"), ctlOf(unit));
    writeFileSync(join(dir, "lsn"), unit.map((c) => `<s> ${transcript(c)} </s> (${c.id})\n`).join(""));
    try {
      const out = join(dir, "mllr_matrix");
      const data = { ctl: join(dir, "ctl"), lsn: join(dir, "lsn"), cepdir: join(work, "mfc") };
      await estimateMllr(adaptable, dict, data, dir, out);
      for (const clip of unit) transforms.set(clip.id, out);
    } catch {
      // Too little aligned speech (an empty pass 1, say): these clips keep pass 1's words.
    }
  });
  return [transforms, (performance.now() - started) / 1000];
}

function werRow(name: string, words: Map<string, string>): string[] {
  return [name, ...werByGroup(clips, groups, (c) => words.get(c.id) ?? "")];
}

async function main(): Promise<void> {
  console.log(
    `bench/mllr — half ${values.half}: ${clips.length} clips of ${values.sets} (${(audioSeconds / 60).toFixed(1)} min), model ${model.name}`,
  );
  console.log(`machine: ${machine()}\n`);
  for (const set of new Set(clips.map((c) => c.set))) mkdirSync(join(work, "mfc", set), { recursive: true });
  const features = join(work, "features.ctl");
  writeFileSync(features, ctlOf(clips));
  const feStarted = performance.now();
  await run("sphinx_fe", [
    ...["-argfile", join(hmm, "feat.params"), "-samprate", "16000", "-c", features, "-di", audioDir()],
    ...["-do", join(work, "mfc"), "-ei", "wav", "-eo", "mfc", "-mswav", "yes"],
  ]);
  const feSeconds = (performance.now() - feStarted) / 1000;
  const adaptable = await adaptableModel(hmm, join(work, "model"));

  const [pass1, pass1Seconds] = await decode(clips, "pass1");
  const base = pass1Seconds + feSeconds;
  const rows: string[][] = [[...werRow("pass 1 (today)", pass1), `${clips.length}`, "1.00"]];
  const bySpeaker = [...new Set(clips.map(speakerOf))].map((who) => clips.filter((c) => speakerOf(c) === who));
  const ways: Array<[string, Clip[][], (clip: Clip) => string]> = [
    ["MLLR per clip", clips.map((c) => [c]), (c) => pass1.get(c.id) ?? ""],
    [`MLLR per speaker (${bySpeaker.length})`, bySpeaker, (c) => pass1.get(c.id) ?? ""],
    ["MLLR per clip on the reference (ceiling)", clips.map((c) => [c]), (c) => c.reference.toLowerCase()],
  ];
  for (const [name, units, transcript] of ways) {
    const slug = name.replace(/\W+/g, "-");
    const [transforms, adaptSeconds] = await adapt(units, slug, adaptable, transcript);
    const adapted = clips.filter((c) => transforms.has(c.id));
    const [pass2, pass2Seconds] = await decode(adapted, slug, transforms);
    const words = new Map([...pass1, ...pass2]);
    const cost = (base + adaptSeconds + pass2Seconds) / base;
    rows.push([...werRow(name, words), `${adapted.length}`, cost.toFixed(2)]);
    console.log(`${rows.at(-1)!.join("\t")}\t${machine()}`);
  }
  console.log("");
  printTable(["", ...groups.map((g) => `WER ${g} %`), "clips adapted", "cost × pass 1"], rows);
  console.log(
    `pass 1: ${((base * PROCESSES) / audioSeconds).toFixed(3)} s per audio s per process; machine after run: ${machine()}`,
  );
  rmSync(work, { recursive: true, force: true });
}

if (!existsSync(`${SPHINXTRAIN}/bw`)) throw new Error("SphinxTrain is missing: apt-get install sphinxtrain");
await main();
