/**
 * sherpa-onnx model configurations from an installed model's manifest: `engineOptions.type` names the model
 * family, `files` its ONNX files and `tokens.txt`. Every file a family needs is checked before sherpa-onnx
 * sees the configuration: onnxruntime answers a file it cannot parse by aborting the whole process
 * (`terminate called after throwing Ort::Exception`), so what would take the server down must be refused here.
 */
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { UnavailableError } from "@earshot/protocol";
import type { InstalledModel } from "../models/registry.js";
import { RECOGNIZER_SAMPLE_RATE } from "../recognizer.js";

/** Offline (whole utterance) families, and the files each needs besides `tokens`. */
const OFFLINE = {
  transducer: ["encoder", "decoder", "joiner"],
  whisper: ["encoder", "decoder"],
  moonshine: ["preprocessor", "encoder", "uncachedDecoder", "cachedDecoder"],
  paraformer: ["model"],
} as const;

/** Streaming families (zipformer transducers). */
const ONLINE = { "online-transducer": ["encoder", "decoder", "joiner"] } as const;

export type SherpaModelType = keyof typeof OFFLINE | keyof typeof ONLINE;

export const isOnline = (type: SherpaModelType): type is keyof typeof ONLINE => type in ONLINE;

export function sherpaModelType(model: InstalledModel): SherpaModelType {
  const type = model.engineOptions?.type;
  if (typeof type === "string" && (type in OFFLINE || type in ONLINE)) return type as SherpaModelType;
  throw new UnavailableError(
    `Model '${model.name}' cannot be loaded: its manifest must say which sherpa-onnx model it is in engineOptions.type (one of ${[...Object.keys(OFFLINE), ...Object.keys(ONLINE)].join(", ")}).`,
  );
}

/**
 * Whether `path` starts like an ONNX model: a protobuf `ModelProto` whose first field is `ir_version` (field 1,
 * varint: byte 0x08). This refuses empty, truncated-to-nothing and non-ONNX files (an HTML error page saved as
 * `encoder.onnx`); damage further in is for the model manager's checksum to catch.
 */
function looksLikeOnnx(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(1);
    return readSync(fd, head, 0, 1, 0) === 1 && head[0] === 0x08;
  } finally {
    closeSync(fd);
  }
}

/** The files `type` needs, checked to exist and, for ONNX files, to look like ONNX. */
function filesOf(model: InstalledModel, type: SherpaModelType): Record<string, string> {
  const needed = ["tokens", ...(isOnline(type) ? ONLINE[type] : OFFLINE[type])];
  const missing = needed.filter((key) => !model.files[key] || !existsSync(model.files[key]!));
  if (missing.length > 0) {
    throw new UnavailableError(
      `Model '${model.name}' cannot be loaded: the ${type} model lacks ${missing
        .map((key) => (model.files[key] ? `${key} (${model.files[key]})` : key))
        .join(", ")}. Install the model again.`,
    );
  }
  const damaged = needed.filter((key) => key !== "tokens" && !looksLikeOnnx(model.files[key]!));
  if (damaged.length > 0) {
    throw new UnavailableError(
      `Model '${model.name}' cannot be loaded: ${damaged.map((key) => model.files[key]).join(", ")} ${damaged.length > 1 ? "are" : "is"} not ONNX or damaged. Install the model again.`,
    );
  }
  return model.files;
}

/** The configuration sherpa-onnx's `OfflineRecognizer` or `OnlineRecognizer` takes for `model`. */
export function sherpaConfig(model: InstalledModel, threads: number): object {
  const type = sherpaModelType(model);
  const f = filesOf(model, type);
  const common = { tokens: f.tokens, numThreads: threads, provider: "cpu", debug: 0 };
  const featConfig = { sampleRate: RECOGNIZER_SAMPLE_RATE, featureDim: 80 };
  switch (type) {
    case "transducer":
      return {
        featConfig,
        modelConfig: { ...common, transducer: { encoder: f.encoder, decoder: f.decoder, joiner: f.joiner } },
      };
    case "whisper":
      return { featConfig, modelConfig: { ...common, whisper: { encoder: f.encoder, decoder: f.decoder } } };
    case "moonshine":
      return {
        featConfig,
        modelConfig: {
          ...common,
          moonshine: {
            preprocessor: f.preprocessor,
            encoder: f.encoder,
            uncachedDecoder: f.uncachedDecoder,
            cachedDecoder: f.cachedDecoder,
          },
        },
      };
    case "paraformer":
      return { featConfig, modelConfig: { ...common, paraformer: { model: f.model } } };
    case "online-transducer":
      return {
        featConfig,
        modelConfig: { ...common, transducer: { encoder: f.encoder, decoder: f.decoder, joiner: f.joiner } },
        decodingMethod: "greedy_search",
        // The stream's VAD ends utterances; the model's own endpointer is left on so a long utterance with
        // no pause the VAD sees is still cut where the model hears one.
        enableEndpoint: 1,
      };
  }
}
