/**
 * PocketSphinx as an engine architecture (see architectures.ts): the module a pool worker imports for models
 * whose architecture is `pocketsphinx`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ArchitectureContext } from "../architectures.js";
import { NARROWBAND_RATE } from "../audio/bandwidth.js";
import { downmix, toInt16 } from "../audio/pcm.js";
import { StreamResampler } from "../audio/stream-resampler.js";
import { decodeWav } from "../audio/wav.js";
import type { InstalledModel } from "../models/registry.js";
import { type Keyterm, RECOGNIZER_SAMPLE_RATE, type Recognizer } from "../recognizer.js";
import type { LiveDecoder } from "../stream/live-decoder.js";
import { loadPocketSphinx } from "./binding.js";
import { createPocketSphinxLiveDecoder } from "./live-decoder.js";
import type { PocketSphinxOptions } from "./options.js";
import { createPocketSphinxRecognizer } from "./recognizer.js";

type Context = ArchitectureContext<PocketSphinxOptions | undefined>;

const lib = ({ options }: Context) => loadPocketSphinx(options?.library, options?.sphinxbase);

export function createRecognizer(model: InstalledModel, context: Context): Recognizer {
  return createPocketSphinxRecognizer(model, lib(context), context.options?.decoderArgs);
}

/**
 * This worker's warm-up speech, loaded with its first live decoder (undefined inside: none to be had), and the
 * same through a telephone's bandwidth for narrowband decoders: their streams start from the mean it leaves.
 */
let warmup: Warmup | undefined;

interface Warmup {
  pcm: Int16Array | undefined;
  narrowband: Int16Array | undefined;
}

/** Live decoders take keyterms into their dictionary, as the batch recogniser does. */
export const liveKeyterms = true;

export function createLiveDecoder(
  model: InstalledModel,
  context: Context,
  keyterms: readonly Keyterm[],
  narrowband: boolean,
): Promise<LiveDecoder> {
  warmup ??= loadWarmup(context.options?.warmupSample);
  return createPocketSphinxLiveDecoder(
    model,
    lib(context),
    context.options?.livePasses ?? "fast",
    narrowband ? warmup.narrowband : warmup.pcm,
    keyterms,
    narrowband,
  );
}

/** What flite says to warm decoders up; also the text of the repository's Quick start sample. */
const WARMUP_TEXT = "Earshot turns speech into text on your own computer. The quick brown fox jumps over the lazy dog.";

/**
 * Three seconds of speech that prime a new decoder as well as a whole sentence and cost half as much. Made by
 * flite rather than shipped, like every audio file of the project: flite is deterministic, so every worker
 * and every machine warms up on the same samples.
 */
function loadWarmup(path: string | undefined): Warmup {
  const wav = path ? (existsSync(path) ? readFileSync(path) : undefined) : synthesize(WARMUP_TEXT);
  const audio = wav && decodeWav(wav);
  if (!audio || audio.sampleRate !== RECOGNIZER_SAMPLE_RATE) return { pcm: undefined, narrowband: undefined };
  const samples = downmix(audio).subarray(0, 3 * RECOGNIZER_SAMPLE_RATE);
  const down = new StreamResampler(RECOGNIZER_SAMPLE_RATE, NARROWBAND_RATE).push(samples);
  const narrowband = new StreamResampler(NARROWBAND_RATE, RECOGNIZER_SAMPLE_RATE).push(down);
  return { pcm: toInt16(samples), narrowband: toInt16(narrowband) };
}

function synthesize(text: string): Buffer | undefined {
  const dir = mkdtempSync(join(tmpdir(), "earshot-warmup-"));
  try {
    // flite writes WAV to a file only (it cannot open a pipe as its output); `slt` speaks at 16 kHz.
    execFileSync("flite", ["-voice", "slt", "-t", text, "-o", join(dir, "warmup.wav")], { timeout: 10_000 });
    return readFileSync(join(dir, "warmup.wav"));
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
