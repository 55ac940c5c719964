/**
 * Models `earshot models pull` knows how to fetch: a built-in list, extended or overridden by a user catalog
 * file (`--catalog FILE` or `EARSHOT_MODEL_CATALOG`) — an enterprise mirror lists its own URLs there. The file
 * is JSON, `{"models": [{"name", "engine", "languages", "files": [{"url", "sha256", "size"?}]}]}`; scripts and
 * tests write that form, so it stays accepted as is, and every further field is optional.
 */
import { readFileSync } from "node:fs";
import { posix } from "node:path";
import { z } from "zod";
import { ManifestSchema } from "./registry.js";

const Sha256 = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, "a sha256 is 64 hexadecimal digits")
  .transform((s) => s.toLowerCase());

/** A file path inside the model folder: relative, no `..`. */
const RelativePath = z
  .string()
  .min(1)
  .refine((p) => !posix.isAbsolute(p) && !p.split("/").includes(".."), "a path inside the model folder");

const CatalogFileSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  /** Left out only when no trustworthy digest is published; `pull` then says it cannot verify the file. */
  sha256: Sha256.optional(),
  size: z.number().int().positive().optional(),
  /** Where the file goes in the model folder; default the URL's last segment. */
  path: RelativePath.optional(),
  /** What the engine uses the file as (`model`, `encoder`, `decoder`, `joiner`, `tokens`…); default from the engine. */
  role: z.string().min(1).optional(),
  /** A `.zip`, `.tar` or `.tar.gz` whose contents are the model folder (Vosk publishes its models so). */
  unpack: z.boolean().optional(),
});

export const ENGINES = ["whisper", "vosk", "sherpa-onnx", "pocketsphinx"] as const;
export type EngineName = (typeof ENGINES)[number];

const CatalogEntrySchema = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, '.', '_' and '-', as a folder name and a ?model= value"),
  engine: z.enum(ENGINES),
  languages: z.array(z.string().min(1)).min(1),
  files: z.array(CatalogFileSchema).min(1),
  /** Total download, bytes (for the list; the files' own sizes are what disk space is checked against). */
  size: z.number().int().positive().optional(),
  license: z.string().optional(),
  description: z.string().optional(),
  version: z.string().optional(),
  /** What the model can do, written into its manifest (the engine's defaults otherwise). */
  capabilities: ManifestSchema.shape.capabilities,
  /** Engine-specific settings the recogniser reads, e.g. `{"type": "transducer"}` for sherpa-onnx. */
  engineOptions: z.record(z.string(), z.unknown()).optional(),
});

export const CatalogFileContentSchema = z.object({ models: z.array(CatalogEntrySchema) });

export type CatalogFile = z.infer<typeof CatalogFileSchema>;
export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;

const HF = "https://huggingface.co";
const WHISPER_REPO = `${HF}/ggerganov/whisper.cpp/resolve/main`;
const WHISPER_LICENSE = "MIT";
// biome-ignore format: one list of language codes, read as a block
export const WHISPER_LANGUAGES = [
  "en", "zh", "de", "es", "ru", "ko", "fr", "ja", "pt", "tr", "pl", "ca", "nl", "ar", "sv", "it", "id", "hi", "fi",
  "vi", "he", "uk", "el", "ms", "cs", "ro", "da", "hu", "ta", "no", "th", "ur", "hr", "bg", "lt", "la", "mi", "ml",
  "cy", "sk", "te", "fa", "lv", "bn", "sr", "az", "sl", "kn", "et", "mk", "br", "eu", "is", "hy", "ne", "mn", "bs",
  "kk", "sq", "sw", "gl", "mr", "pa", "si", "km", "sn", "yo", "so", "af", "oc", "ka", "be", "tg", "sd", "gu", "am",
  "yi", "lo", "uz", "fo", "ht", "ps", "tk", "nn", "mt", "sa", "lb", "my", "bo", "tl", "mg", "as", "tt", "haw", "ln",
  "ha", "ba", "jw", "su", "yue",
];

/**
 * A whisper.cpp ggml model from `ggerganov/whisper.cpp` on the hub. Its capabilities are the whisper
 * architecture's defaults (the registry's), so they are not repeated here. The sha256 values are the hub's Git LFS
 * object ids for the files (what `/{repo}/raw/main/{file}` prints), the sizes their byte counts.
 */
function whisper(variant: string, size: number, sha256: string): CatalogEntry {
  const english = /\.en(-|$)/.test(variant);
  const file = `ggml-${variant}.bin`;
  return {
    name: `whisper-${variant}`,
    engine: "whisper",
    // Cantonese (`yue`) came with large-v3.
    languages: english ? ["en"] : WHISPER_LANGUAGES.filter((l) => l !== "yue" || variant.startsWith("large-v3")),
    files: [{ url: `${WHISPER_REPO}/${file}`, sha256, size }],
    size,
    license: WHISPER_LICENSE,
    description: `OpenAI Whisper ${variant} in whisper.cpp's ggml format${variant.includes("-q") ? " (quantised)" : ""}`,
  };
}

/** A sherpa-onnx model published file by file in one of the project's hub repositories. */
function sherpa(
  name: string,
  repo: string,
  files: Record<string, string>,
  entry: Pick<CatalogEntry, "languages" | "license" | "description" | "capabilities" | "engineOptions">,
): CatalogEntry {
  return {
    name,
    engine: "sherpa-onnx",
    files: Object.entries(files).map(([role, file]) => ({ url: `${HF}/${repo}/resolve/main/${file}`, role })),
    ...entry,
  };
}

/**
 * The built-in catalog, best first within each family (the order `models list` shows). Whisper hashes and
 * sizes come from the hub's LFS metadata; the sherpa-onnx and Vosk projects publish no digests for these
 * files, so they carry none and `pull` says it cannot verify them.
 */
export const BUILT_IN_CATALOG: readonly CatalogEntry[] = [
  whisper("large-v3-turbo", 1_624_555_275, "1fc70f774d38eb169993ac391eea357ef47c88757ef72ee5943879b7e8e2bc69"),
  whisper("large-v3-turbo-q5_0", 574_041_195, "394221709cd5ad1f40c46e6031ca61bce88931e6e088c188294c6d5a55ffa7e2"),
  whisper("large-v3-turbo-q8_0", 874_188_075, "317eb69c11673c9de1e1f0d459b253999804ec71ac4c23c17ecf5fbe24e259a1"),
  whisper("large-v3", 3_095_033_483, "64d182b440b98d5203c4f9bd541544d84c605196c4f7b845dfa11fb23594d1e2"),
  whisper("large-v3-q5_0", 1_081_140_203, "d75795ecff3f83b5faa89d1900604ad8c780abd5739fae406de19f23ecd98ad1"),
  whisper("large-v2", 3_094_623_691, "9a423fe4d40c82774b6af34115b8b935f34152246eb19e80e376071d3f999487"),
  whisper("medium.en", 1_533_774_781, "cc37e93478338ec7700281a7ac30a10128929eb8f427dda2e865faa8f6da4356"),
  whisper("medium.en-q5_0", 539_225_533, "76733e26ad8fe1c7a5bf7531a9d41917b2adc0f20f2e4f5531688a8c6cd88eb0"),
  whisper("medium.en-q8_0", 823_382_461, "43fa2cd084de5a04399a896a9a7a786064e221365c01700cea4666005218f11c"),
  whisper("medium", 1_533_763_059, "6c14d5adee5f86394037b4e4e8b59f1673b6cee10e3cf0b11bbdbee79c156208"),
  whisper("medium-q5_0", 539_212_467, "19fea4b380c3a618ec4723c3eef2eb785ffba0d0538cf43f8f235e7b3b34220f"),
  whisper("medium-q8_0", 823_369_779, "42a1ffcbe4167d224232443396968db4d02d4e8e87e213d3ee2e03095dea6502"),
  whisper("small.en", 487_614_201, "c6138d6d58ecc8322097e0f987c32f1be8bb0a18532a3f88f734d1bbf9c41e5d"),
  whisper("small.en-q5_1", 190_098_681, "bfdff4894dcb76bbf647d56263ea2a96645423f1669176f4844a1bf8e478ad30"),
  whisper("small.en-q8_0", 264_477_561, "67a179f608ea6114bd3fdb9060e762b588a3fb3bd00c4387971be4d177958067"),
  whisper("small", 487_601_967, "1be3a9b2063867b937e64e2ec7483364a79917e157fa98c5d94b5c1fffea987b"),
  whisper("small-q5_1", 190_085_487, "ae85e4a935d7a567bd102fe55afc16bb595bdb618e11b2fc7591bc08120411bb"),
  whisper("small-q8_0", 264_464_607, "49c8fb02b65e6049d5fa6c04f81f53b867b5ec9540406812c643f177317f779f"),
  whisper("base.en", 147_964_211, "a03779c86df3323075f5e796cb2ce5029f00ec8869eee3fdfb897afe36c6d002"),
  whisper("base.en-q5_1", 59_721_011, "4baf70dd0d7c4247ba2b81fafd9c01005ac77c2f9ef064e00dcf195d0e2fdd2f"),
  whisper("base.en-q8_0", 81_781_811, "a4d4a0768075e13cfd7e19df3ae2dbc4a68d37d36a7dad45e8410c9a34f8c87e"),
  whisper("base", 147_951_465, "60ed5bc3dd14eea856493d334349b405782ddcaf0028d4b5df4088345fba2efe"),
  whisper("base-q5_1", 59_707_625, "422f1ae452ade6f30a004d7e5c6a43195e4433bc370bf23fac9cc591f01a8898"),
  whisper("base-q8_0", 81_768_585, "c577b9a86e7e048a0b7eada054f4dd79a56bbfa911fbdacf900ac5b567cbb7d9"),
  whisper("tiny.en", 77_704_715, "921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f"),
  whisper("tiny.en-q5_1", 32_166_155, "c77c5766f1cef09b6b7d47f21b546cbddd4157886b3b5d6d4f709e91e66c7c2b"),
  whisper("tiny.en-q8_0", 43_550_795, "5bc2b3860aa151a4c6e7bb095e1fcce7cf12c7b020ca08dcec0c6d018bb7dd94"),
  whisper("tiny", 77_691_713, "be07e048e1e599ad46341c8d2a135645097a538221678b7acdd1b1919c6e1b21"),
  whisper("tiny-q5_1", 32_152_673, "818710568da3ca15689e31a743197b520007872ff9576237bda97bd1b469c3d7"),
  whisper("tiny-q8_0", 43_537_433, "c2085835d3f50733e2ff6e4b41ae8a2b8d8110461e18821b09a15c40c42d1cca"),
  sherpa(
    "sherpa-onnx-streaming-zipformer-en-20M",
    "csukuangfj/sherpa-onnx-streaming-zipformer-en-20M-2023-02-17",
    {
      encoder: "encoder-epoch-99-avg-1.int8.onnx",
      decoder: "decoder-epoch-99-avg-1.onnx",
      joiner: "joiner-epoch-99-avg-1.int8.onnx",
      tokens: "tokens.txt",
    },
    {
      languages: ["en"],
      license: "Apache-2.0",
      description: "Streaming zipformer transducer trained on LibriSpeech (20M parameters, int8)",
      capabilities: { streaming: true, wordTimings: true },
      engineOptions: { type: "transducer", streaming: true },
    },
  ),
  sherpa(
    "sherpa-onnx-whisper-tiny.en",
    "csukuangfj/sherpa-onnx-whisper-tiny.en",
    { encoder: "tiny.en-encoder.int8.onnx", decoder: "tiny.en-decoder.int8.onnx", tokens: "tiny.en-tokens.txt" },
    {
      languages: ["en"],
      license: "MIT",
      description: "OpenAI Whisper tiny.en exported to ONNX for sherpa-onnx (int8)",
      capabilities: { punctuation: true },
      engineOptions: { type: "whisper" },
    },
  ),
  {
    name: "vosk-model-small-en-us-0.15",
    engine: "vosk",
    languages: ["en", "en-US"],
    files: [{ url: "https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip", unpack: true }],
    license: "Apache-2.0",
    description: "Vosk's small US English model (about 40 MB)",
    capabilities: { streaming: true, wordTimings: true },
  },
  {
    name: "vosk-model-en-us-0.22-lgraph",
    engine: "vosk",
    languages: ["en", "en-US"],
    files: [{ url: "https://alphacephei.com/vosk/models/vosk-model-en-us-0.22-lgraph.zip", unpack: true }],
    license: "Apache-2.0",
    description: "Vosk's US English model with a dynamic graph (about 128 MB)",
    capabilities: { streaming: true, wordTimings: true },
  },
];

/** Where a catalog file goes inside the model folder. */
export function filePath(file: CatalogFile): string {
  return file.path ?? decodeURIComponent(new URL(file.url).pathname.split("/").pop() ?? "model");
}

/** The built-in catalog with a user catalog's entries on top (same name: the user's wins). */
export class ModelCatalog {
  readonly entries: readonly CatalogEntry[];

  constructor(extra: readonly CatalogEntry[] = []) {
    const names = new Set(extra.map((e) => e.name));
    this.entries = [...extra, ...BUILT_IN_CATALOG.filter((e) => !names.has(e.name))];
  }

  /** The built-in catalog plus the user catalog file at `path`, if given; a bad file throws naming the problem. */
  static load(path?: string): ModelCatalog {
    return new ModelCatalog(path ? readCatalogFile(path) : []);
  }

  get(name: string): CatalogEntry | undefined {
    return this.entries.find((e) => e.name === name);
  }

  /** The entry whose files are exactly these (by sha256), for telling what an imported folder holds. */
  findByDigests(digests: ReadonlySet<string>): CatalogEntry | undefined {
    return this.entries.find((e) => e.files.every((f) => f.sha256 !== undefined && digests.has(f.sha256)));
  }
}

/** Reads and checks a user catalog file. */
export function readCatalogFile(path: string): CatalogEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`Cannot read the model catalog ${path}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = CatalogFileContentSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`Invalid model catalog ${path}:\n${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  }
  const seen = new Set<string>();
  for (const entry of parsed.data.models) {
    if (seen.has(entry.name)) throw new Error(`Invalid model catalog ${path}: '${entry.name}' is listed twice.`);
    seen.add(entry.name);
  }
  return parsed.data.models;
}
