/**
 * The shared speech set (`../shared/audio`, or `EARSHOT_SHARED`): real recordings with reference
 * transcripts. Tests and benchmarks read it only through here, and fail loudly when it is missing —
 * a speech test that cannot find its speech must not pass.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface Clip {
  id: string;
  set: string;
  path: string;
  /** Seconds, from the manifest. */
  duration: number;
  reference: string;
}

const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));

export function sharedDir(): string {
  return resolve(repoRoot, process.env.EARSHOT_SHARED ?? "../shared");
}

export function audioDir(): string {
  const dir = join(sharedDir(), "audio");
  if (!existsSync(join(dir, "MANIFEST.md"))) {
    throw new Error(
      `The shared speech set is missing: expected ${dir}/MANIFEST.md. Put the shared folder beside the checkout or set EARSHOT_SHARED.`,
    );
  }
  return dir;
}

/** Clips of one set (`ljspeech-dev`, `multi-dev`, `misc`), in manifest order. */
export function loadClips(set: string, limit = Number.POSITIVE_INFINITY): Clip[] {
  const dir = join(audioDir(), set);
  const refs = join(dir, "refs.tsv");
  if (!existsSync(refs)) throw new Error(`The shared speech set has no ${set}/refs.tsv at ${dir}.`);
  return readFileSync(refs, "utf8")
    .trim()
    .split("\n")
    .slice(0, limit)
    .map((line) => {
      const [id = "", duration = "0", reference = ""] = line.split("\t");
      return { id, set, path: join(dir, `${id}.wav`), duration: Number(duration), reference };
    });
}

export function clip(set: string, id: string): Clip {
  const found = loadClips(set).find((c) => c.id === id);
  if (!found) throw new Error(`No clip ${id} in the shared set ${set}.`);
  return found;
}

/**
 * The original written text (punctuated, cased, numerals as printed) of the clips of a set that have one,
 * from its `written.tsv` (`id <TAB> text`); in manifest order, with each clip's audio and spoken reference.
 */
export function loadWritten(set: string): Array<Clip & { written: string }> {
  const path = join(audioDir(), set, "written.tsv");
  if (!existsSync(path)) throw new Error(`The shared speech set has no ${set}/written.tsv at ${path}.`);
  const written = new Map(
    readFileSync(path, "utf8")
      .trim()
      .split("\n")
      .map((line) => {
        const tab = line.indexOf("\t");
        return [line.slice(0, tab), line.slice(tab + 1)] as const;
      }),
  );
  return loadClips(set)
    .filter((c) => written.has(c.id))
    .map((c) => ({ ...c, written: written.get(c.id)! }));
}

/**
 * `audio` (a WAV file's path or bytes) resampled by ffmpeg to `rate` Hz, as a WAV file: 8 kHz is how telephone
 * audio arrives.
 */
export function wavAtRate(audio: string | Buffer, rate: number): Buffer {
  const input = typeof audio === "string" ? audio : "-";
  return execFileSync("ffmpeg", ["-v", "error", "-i", input, "-ar", String(rate), "-f", "wav", "-"], {
    ...(typeof audio === "string" ? {} : { input: audio }),
    maxBuffer: 64 * 2 ** 20,
  });
}

/**
 * A WAV file around 16-bit PCM (little-endian samples, `channels` interleaved). The header says what it is told:
 * tests post headers that lie.
 */
export function wavOf(pcm: Buffer, sampleRate = 16_000, channels = 1): Buffer {
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(36 + pcm.byteLength, 4);
  header.write("WAVEfmt ", 8, "ascii");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36, "ascii");
  header.writeUInt32LE(pcm.byteLength, 40);
  return Buffer.concat([header, pcm]);
}

/** 16-bit mono WAV of `samples` (floats in [-1, 1], clipped). */
export function toWav(samples: Float32Array, sampleRate = 16_000): Buffer {
  const pcm = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    pcm.writeInt16LE(Math.round(Math.max(-1, Math.min(1, samples[i]!)) * 32767), i * 2);
  }
  return wavOf(pcm, sampleRate);
}
