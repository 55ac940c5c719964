/**
 * Unsupervised speaker adaptation of the PocketSphinx model (MLLR): align a piece's audio to the words its first
 * decoding found, estimate one linear transform of the model's Gaussian means that makes that alignment more
 * likely, and decode again with it. bench/mllr measured the choice (a transform per piece did as well as one per
 * speaker, a shift-only transform worse); through the engine both passes cost about 2.5 times one.
 *
 * The estimation is SphinxTrain's (`bw` collects the statistics, `mllr_solve` solves for the transform) and the
 * features are `sphinx_fe`'s, run as child processes: Debian packages them (`sphinxtrain`, `sphinxbase-utils`,
 * `pocketsphinx`), and they are the tools the model was trained with, so the features they align are the ones
 * the decoder computes. The children run while the worker thread serves its other tasks.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UnavailableError } from "@earshot/protocol";

const SPHINXTRAIN = "/usr/lib/sphinxtrain";
const INSTALL = "apt-get install sphinxtrain sphinxbase-utils pocketsphinx";
/**
 * Each tool takes well under a second on a piece of at most tens of seconds; `bw` retries a feature file it
 * cannot read for ever, so a bound is what turns such a fault into a piece that keeps its first words.
 */
const TOOL_TIMEOUT_MS = 60_000;

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const options = { maxBuffer: 64 * 2 ** 20, timeout: TOOL_TIMEOUT_MS, killSignal: "SIGKILL" as const };
    execFile(command, args, options, (err, _stdout, stderr) => {
      if (!err) resolve();
      else if ((err as NodeJS.ErrnoException).code === "ENOENT")
        reject(new UnavailableError(`Speaker adaptation needs ${command}: ${INSTALL}`));
      else reject(new Error(`${command} failed: ${stderr.split("\n").filter(Boolean).slice(-3).join(" / ")}`));
    });
  });
}

/**
 * The model's mixture weights, which it ships quantised for PocketSphinx (`sendump`: per stream and density, one
 * byte per senone, a base-1.0001 log shifted right), as the Sphinx-3 `mixture_weights` file `bw` reads (the
 * reading of SphinxTrain's sendump.py, ported).
 */
export function expandSendump(sendump: Buffer): Buffer {
  const little = sendump.readUInt32LE(0) <= 65_536;
  let at = 0;
  const u32 = (): number => {
    const value = little ? sendump.readUInt32LE(at) : sendump.readUInt32BE(at);
    at += 4;
    return value;
  };
  const header = new Map<string, string>();
  for (let length = u32(); length > 0; length = u32()) {
    const [key = "", value = ""] = sendump.toString("latin1", at, at + length - 1).split(/\s+/);
    header.set(key, value);
    at += length;
  }
  if (Number(header.get("cluster_count") ?? 0) !== 0) throw new Error("clustered sendump files are not read here");
  const shift = Number(header.get("mixw_shift") ?? 10);
  const streams = Number(header.get("feature_count"));
  const densities = u32();
  const senones = u32();
  const weights = new Float32Array(senones * streams * densities);
  for (let f = 0; f < streams; f++)
    for (let d = 0; d < densities; d++, at += senones)
      for (let s = 0; s < senones; s++)
        weights[(s * streams + f) * densities + d] = 1.0001 ** -(sendump[at + s]! << shift);
  for (let sf = 0; sf < senones * streams; sf++) {
    const row = weights.subarray(sf * densities, (sf + 1) * densities);
    const sum = row.reduce((a, b) => a + b, 0);
    for (let d = 0; d < densities; d++) row[d]! /= sum;
  }
  // A Sphinx-3 parameter file: text header ending on a 4-byte boundary, byte-order mark, dimensions, floats.
  const start = "s3\nversion 1.0\n";
  const head = `${start}${" ".repeat((4 - ((start.length + 7) % 4)) % 4)}endhdr\n`;
  const dims = Buffer.alloc(20);
  dims.writeInt32LE(0x11223344, 0);
  for (const [i, n] of [senones, streams, densities, weights.length].entries()) dims.writeUInt32LE(n, 4 + i * 4);
  return Buffer.concat([Buffer.from(head, "latin1"), dims, Buffer.from(weights.buffer)]);
}

/** The acoustic model made adaptable in `dir`: its files, plus the mixture weights and model definition `bw` reads. */
export async function adaptableModel(hmm: string, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(hmm)) symlinkSync(join(hmm, file), join(dir, file));
  writeFileSync(join(dir, "mixture_weights"), expandSendump(readFileSync(join(hmm, "sendump"))));
  await run("pocketsphinx_mdef_convert", ["-text", join(hmm, "mdef"), join(dir, "mdef.txt")]);
  return dir;
}

/**
 * An MLLR transform that changes nothing, in `mllr_solve`'s format (classes, streams, then per stream its
 * length, the matrix A, the offset b and the variance scale h): decoding with it restores the model's means,
 * since the decoder transforms the means it loads from file, not the ones it holds.
 */
export function identityTransform(streamLengths: readonly number[]): string {
  const lines = ["1", String(streamLengths.length)];
  for (const n of streamLengths) {
    lines.push(String(n));
    for (let i = 0; i < n; i++)
      lines.push(Array.from({ length: n }, (_, j) => (i === j ? "1.000" : "0.000")).join(" "));
    lines.push(Array(n).fill("0.000").join(" "), Array(n).fill("1.000").join(" "));
  }
  return `${lines.join("\n")}\n`;
}

/** The feature streams of the default model's `-svspec 0-12/13-25/26-38`. */
export const MODEL_STREAMS = [13, 13, 13];

/** Utterances to estimate one transform from, laid out as SphinxTrain reads them. */
export interface AdaptationData {
  /** Control file: one utterance per line, its feature file's path under `cepdir` without the `.mfc`. */
  ctl: string;
  /** Transcripts, a line per utterance of `ctl`: `<s> words </s> (id)`. */
  lsn: string;
  /** Where the utterances' `.mfc` feature files are (sphinx_fe's output). */
  cepdir: string;
}

/**
 * Estimates one MLLR transform for the utterances of `data` into `out`: `bw` aligns their features to their
 * words with the adaptable `model` (from {@link adaptableModel}) and `dict`, leaving its statistics in `dir`;
 * `mllr_solve` solves for the transform. Rejects when too little speech aligned to estimate one.
 */
export async function estimateMllr(
  model: string,
  dict: string,
  data: AdaptationData,
  dir: string,
  out: string,
): Promise<void> {
  await run(`${SPHINXTRAIN}/bw`, [
    ...["-hmmdir", model, "-moddeffn", join(model, "mdef.txt"), "-ts2cbfn", ".ptm."],
    ...["-feat", "1s_c_d_dd", "-svspec", "0-12/13-25/26-38", "-cmn", "current", "-agc", "none"],
    ...["-dictfn", dict, "-fdictfn", join(model, "noisedict"), "-ctlfn", data.ctl, "-lsnfn", data.lsn],
    // The extension without its dot: with one, bw looks for `piece..mfc` and retries the missing file for ever.
    ...["-cepdir", data.cepdir, "-cepext", "mfc", "-accumdir", dir],
  ]);
  await run(`${SPHINXTRAIN}/mllr_solve`, [
    ...["-meanfn", join(model, "means"), "-varfn", join(model, "variances")],
    ...["-outmllrfn", out, "-accumdir", dir],
  ]);
}

export interface Adapter {
  /**
   * Estimates a transform for `pcm` (16 kHz) from `words`, its first decoding's words, and hands its file to
   * `use` (the decoder reads it there); undefined when there is too little aligned speech to estimate one.
   */
  adapt<T>(pcm: Int16Array, words: readonly string[], use: (transform: string) => T): Promise<T | undefined>;
  dispose(): void;
}

/** An adapter for the model in `hmm` with dictionary `dict`, working in a temporary folder of its own. */
export async function createAdapter(hmm: string, dict: string): Promise<Adapter> {
  const work = mkdtempSync(join(tmpdir(), "earshot-mllr-"));
  const model = await adaptableModel(hmm, join(work, "model"));
  let next = 0;
  return {
    async adapt(pcm, words, use) {
      if (words.length === 0) return undefined;
      const dir = join(work, String(next++));
      mkdirSync(dir);
      try {
        try {
          writeFileSync(join(dir, "piece.raw"), pcm);
          await run("sphinx_fe", [
            ...["-argfile", join(hmm, "feat.params"), "-samprate", "16000", "-raw", "yes", "-input_endian", "little"],
            ...["-i", join(dir, "piece.raw"), "-o", join(dir, "piece.mfc")],
          ]);
          writeFileSync(join(dir, "ctl"), "piece\n");
          writeFileSync(join(dir, "lsn"), `<s> ${words.join(" ")} </s> (piece)\n`);
          const data = { ctl: join(dir, "ctl"), lsn: join(dir, "lsn"), cepdir: dir };
          await estimateMllr(model, dict, data, dir, join(dir, "transform"));
        } catch (err) {
          if (err instanceof UnavailableError) throw err;
          // Too little speech aligned to the words (a word or two of noise), or a word the dictionary lacks (a
          // keyterm spelled by letter-to-sound): the piece keeps its first words.
          return undefined;
        }
        return use(join(dir, "transform"));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    dispose: () => rmSync(work, { recursive: true, force: true }),
  };
}
