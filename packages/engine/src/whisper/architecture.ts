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

const models = new Map<string, WhisperModel>();

function modelOf(model: InstalledModel): WhisperModel {
  let loaded = models.get(model.name);
  if (!loaded) {
    loaded = loadWhisperModel(model.files.model, model.name);
    models.set(model.name, loaded);
  }
  return loaded;
}

export function createRecognizer(model: InstalledModel, context: Context): Recognizer {
  return createWhisperRecognizer(modelOf(model), resolveWhisperOptions(context.options));
}

export function createLiveDecoder(model: InstalledModel, context: Context): LiveDecoder {
  return createWhisperLiveDecoder(modelOf(model), resolveWhisperOptions(context.options));
}
