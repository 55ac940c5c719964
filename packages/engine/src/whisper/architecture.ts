/**
 * whisper.cpp as an engine architecture (see architectures.ts): the module a pool worker imports for models
 * whose architecture is `whisper`. A model's manifest names its ggml file as `files.model`. Each worker loads
 * a model once and shares it between its recogniser and its live decoders (the weights are read-only; every
 * `full()` call gets its own state).
 */
import type { ArchitectureContext } from "../architectures.js";
import type { InstalledModel } from "../models/registry.js";
import type { Recognizer } from "../recognizer.js";
import type { LiveDecoder } from "../stream/live-decoder.js";
import { loadWhisperModel, type WhisperModel } from "./binding.js";
import { createWhisperLiveDecoder } from "./live-decoder.js";
import { resolveWhisperOptions, type WhisperOptions } from "./options.js";
import { createWhisperRecognizer } from "./recognizer.js";

type Context = ArchitectureContext<WhisperOptions | undefined>;

/** Models loaded on this worker, with how many recognisers and decoders hold each. */
const models = new Map<string, { whisper: WhisperModel; holders: number }>();

/**
 * The worker's copy of `model`, and the function that lets go of it. The binding frees a model when nothing
 * references it, so the last holder's release is what unloads it (the pool's idle unload disposes holders).
 */
function acquire(model: InstalledModel): { whisper: WhisperModel; release: () => void } {
  let entry = models.get(model.name);
  if (!entry) {
    entry = { whisper: loadWhisperModel(model.files.model, model.name), holders: 0 };
    models.set(model.name, entry);
  }
  entry.holders++;
  const held = entry;
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    if (--held.holders === 0 && models.get(model.name) === held) models.delete(model.name);
  };
  return { whisper: held.whisper, release };
}

export function createRecognizer(model: InstalledModel, context: Context): Recognizer {
  const { whisper, release } = acquire(model);
  return { ...createWhisperRecognizer(whisper, resolveWhisperOptions(context.options)), dispose: release };
}

export function createLiveDecoder(model: InstalledModel, context: Context): LiveDecoder {
  const { whisper, release } = acquire(model);
  return { ...createWhisperLiveDecoder(whisper, resolveWhisperOptions(context.options)), dispose: release };
}
