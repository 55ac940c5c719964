/**
 * sherpa-onnx (npm `sherpa-onnx-node`, which already runs the Silero VAD) as an engine architecture: offline
 * transducer, whisper, moonshine and paraformer models decode VAD pieces; online zipformer transducers also
 * stream. The manifest names the family in `engineOptions.type` (see config.ts).
 */
import { createRequire } from "node:module";
import type { ArchitectureContext } from "../architectures.js";
import { toFloat32 } from "../audio/pcm.js";
import type { InstalledModel } from "../models/registry.js";
import { RECOGNIZER_SAMPLE_RATE, type Recognizer } from "../recognizer.js";
import type { LiveDecoder } from "../stream/live-decoder.js";
import { isOnline, sherpaConfig, sherpaModelType } from "./config.js";
import { wordsOfTokens } from "./words.js";

export interface SherpaOptions {
  /** Threads per decode. Default 1. */
  threads?: number;
}

type Context = ArchitectureContext<SherpaOptions | undefined>;

// A CommonJS addon whose exports ESM cannot name statically.
const { OfflineRecognizer, OnlineRecognizer } = createRequire(import.meta.url)(
  "sherpa-onnx-node",
) as typeof import("sherpa-onnx-node");

const wave = (pcm: Int16Array) => ({ samples: toFloat32(pcm), sampleRate: RECOGNIZER_SAMPLE_RATE });

export function createRecognizer(model: InstalledModel, context: Context): Recognizer {
  const config = sherpaConfig(model, context.options?.threads ?? 1);
  if (isOnline(sherpaModelType(model))) {
    const online = new OnlineRecognizer(config);
    return {
      recognize(pcm) {
        const stream = online.createStream();
        stream.acceptWaveform(wave(pcm));
        stream.inputFinished();
        while (online.isReady(stream)) online.decode(stream);
        return { words: wordsOfTokens(online.getResult(stream)) };
      },
      dispose() {},
    };
  }
  const offline = new OfflineRecognizer(config);
  return {
    recognize(pcm) {
      const stream = offline.createStream();
      stream.acceptWaveform(wave(pcm));
      offline.decode(stream);
      return { words: wordsOfTokens(offline.getResult(stream)) };
    },
    dispose() {},
  };
}

/** Online models only; an offline model's manifest should not declare `streaming`. */
export function createLiveDecoder(model: InstalledModel, context: Context): LiveDecoder {
  const config = sherpaConfig(model, context.options?.threads ?? 1);
  if (!isOnline(sherpaModelType(model))) {
    throw new Error(`Model '${model.name}' is an offline sherpa-onnx model and cannot stream.`);
  }
  const online = new OnlineRecognizer(config);
  let stream = online.createStream();
  const decode = (): void => {
    while (online.isReady(stream)) online.decode(stream);
  };
  return {
    start() {
      stream = online.createStream();
    },
    feed(pcm) {
      stream.acceptWaveform(wave(pcm));
      decode();
    },
    partial: () => wordsOfTokens(online.getResult(stream)),
    finish() {
      stream.inputFinished();
      decode();
      const words = wordsOfTokens(online.getResult(stream));
      stream = online.createStream();
      return words;
    },
    dispose() {},
  };
}
