/**
 * Vosk as an engine architecture (see architectures.ts): a model is an unpacked Vosk model folder
 * (`files.model`, usually `.`). Vosk streams natively, so batch and live share one recogniser shape: feed
 * 16 kHz samples, read words with times.
 */
import { existsSync } from "node:fs";
import { UnavailableError } from "@earshot/protocol";
import type { ArchitectureContext } from "../architectures.js";
import type { InstalledModel } from "../models/registry.js";
import { RECOGNIZER_SAMPLE_RATE, type RecognizedWord, type Recognizer } from "../recognizer.js";
import type { LiveDecoder } from "../stream/live-decoder.js";
import { loadVosk, type VoskLib, type VoskWord } from "./binding.js";

export interface VoskOptions {
  /** `libvosk.so` to load. Default: the one in npm `vosk`. */
  library?: string;
}

type Context = ArchitectureContext<VoskOptions | undefined>;

/** Models loaded on this worker (a Vosk model is shared by any number of recognisers). */
const models = new Map<string, unknown>();

function modelOf(lib: VoskLib, model: InstalledModel): unknown {
  const path = model.files.model;
  let handle = models.get(model.name);
  if (handle) return handle;
  if (!path || !existsSync(path)) {
    throw new UnavailableError(
      `Model '${model.name}' cannot be loaded: its folder ${path ?? "(files.model)"} does not exist.`,
    );
  }
  handle = lib.modelNew(path);
  if (!handle) {
    throw new UnavailableError(
      `Model '${model.name}' cannot be loaded: Vosk rejected ${path}, which is not an unpacked Vosk model or is damaged. Install the model again.`,
    );
  }
  models.set(model.name, handle);
  return handle;
}

export const wordsOf = (words: VoskWord[] | undefined, offset = 0): RecognizedWord[] =>
  (words ?? []).map((w) => ({
    word: w.word,
    start: w.start - offset,
    end: w.end - offset,
    confidence: Math.min(1, Math.max(0, w.conf)),
  }));

/**
 * Vosk times words from the first sample its recogniser was ever fed (a reset does not restart the clock), so
 * each user counts what it fed and subtracts.
 */
export function createRecognizer(model: InstalledModel, context: Context): Recognizer {
  const lib = loadVosk(context.options?.library);
  const recognizer = lib.recognizerNew(modelOf(lib, model), RECOGNIZER_SAMPLE_RATE);
  let fed = 0;
  return {
    recognize(pcm) {
      const offset = fed / RECOGNIZER_SAMPLE_RATE;
      fed += pcm.length;
      // Vosk cuts at its own endpoints inside a piece; every cut's words are kept.
      const words: RecognizedWord[] = [];
      if (lib.acceptWaveform(recognizer, pcm)) words.push(...wordsOf(lib.result(recognizer).result, offset));
      words.push(...wordsOf(lib.finalResult(recognizer).result, offset));
      lib.reset(recognizer);
      return { words };
    },
    dispose: () => lib.recognizerFree(recognizer),
  };
}

/** Live: words timed from the utterance start, which is where the stream's VAD began feeding. */
export function createLiveDecoder(model: InstalledModel, context: Context): LiveDecoder {
  const lib = loadVosk(context.options?.library);
  const recognizer = lib.recognizerNew(modelOf(lib, model), RECOGNIZER_SAMPLE_RATE);
  let fed = 0;
  let offset = 0;
  let done: RecognizedWord[] = [];
  const restart = (): void => {
    lib.reset(recognizer);
    offset = fed / RECOGNIZER_SAMPLE_RATE;
    done = [];
  };
  return {
    start: restart,
    feed(pcm) {
      fed += pcm.length;
      if (lib.acceptWaveform(recognizer, pcm)) done.push(...wordsOf(lib.result(recognizer).result, offset));
    },
    partial: () => [...done, ...wordsOf(lib.partialResult(recognizer).partial_result, offset)],
    finish() {
      const words = [...done, ...wordsOf(lib.finalResult(recognizer).result, offset)];
      restart();
      return words;
    },
    dispose: () => lib.recognizerFree(recognizer),
  };
}
