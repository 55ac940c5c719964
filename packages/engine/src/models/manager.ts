/**
 * Installing, checking and removing the model folders the registry reads. Every install is built in a hidden
 * folder inside the models directory (`.pull-<name>`, `.import-…`) and renamed into place only once its files
 * are whole and verified, so the registry — which skips hidden folders — never lists half a model. A pull that
 * fails keeps its `.part` files, and the next pull of the same model resumes them.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cp, mkdir, readdir, readFile, rename, rm, stat, statfs, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { archiveKind, extractArchive, packFolder } from "./archive.js";
import {
  type CatalogEntry,
  type CatalogFile,
  ENGINES,
  type EngineName,
  filePath,
  ModelCatalog,
  WHISPER_LANGUAGES,
} from "./catalog.js";
import {
  type DownloadOptions,
  downloadFile,
  type HubSettings,
  hubRequest,
  ModelInstallError,
  sha256File,
} from "./download.js";
import { MANIFEST_FILE } from "./registry.js";

/** Kept free beyond the download itself, so a pull never fills the disk to the last byte. */
const DISK_MARGIN = 64 * 1024 * 1024;

export interface ModelManagerOptions {
  modelsDir: string;
  catalog?: ModelCatalog;
  hub?: HubSettings;
  /** Retry and stall settings for downloads (tests shorten them). */
  download?: Pick<DownloadOptions, "retries" | "stallMs" | "retryDelayMs">;
}

export interface PullProgress {
  /** The file being fetched, as it is named in the model folder. */
  file: string;
  index: number;
  count: number;
  received: number;
  total: number | undefined;
}

export interface PullOptions {
  /** Replace an installed model of the same name. */
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: PullProgress) => void;
  /** Things the user should know that do not stop the pull (a file with no published checksum). */
  onWarning?: (message: string) => void;
}

export interface ImportOptions {
  name?: string | undefined;
  engine?: string | undefined;
  /** Languages of a model the catalog does not know (whisper models say it in their name). */
  languages?: string[] | undefined;
  force?: boolean;
  onWarning?: (message: string) => void;
}

/** An installed model folder, as the manager sees it. */
export interface ModelFolder {
  name: string;
  dir: string;
  manifest: Manifest;
}

export interface VerifyResult {
  name: string;
  ok: boolean;
  /** Files checked, by path in the model folder. */
  checked: string[];
  problems: string[];
}

/** What the manager writes into `earshot-model.json`: the registry's manifest plus what `verify` needs. */
interface Manifest {
  name: string;
  kind?: string;
  architecture: string;
  languages?: string[];
  version?: string;
  capabilities?: Record<string, boolean>;
  engineOptions?: Record<string, unknown>;
  files?: Record<string, string>;
  /** sha256 of every file in the folder at install time, by relative path. */
  checksums?: Record<string, string>;
  /** The catalog entry it was installed from. */
  catalog?: string;
}

export class ModelManager {
  readonly modelsDir: string;
  readonly catalog: ModelCatalog;
  private readonly hub: HubSettings;
  private readonly download: ModelManagerOptions["download"];

  constructor(options: ModelManagerOptions) {
    this.modelsDir = resolve(options.modelsDir);
    this.catalog = options.catalog ?? new ModelCatalog();
    this.hub = options.hub ?? {};
    this.download = options.download;
  }

  /** Installed model folders with a manifest (hidden work folders are not models). */
  installed(): ModelFolder[] {
    if (!existsSync(this.modelsDir)) return [];
    return readdirSync(this.modelsDir, { withFileTypes: true })
      .filter(
        (e) => e.isDirectory() && !e.name.startsWith(".") && existsSync(join(this.modelsDir, e.name, MANIFEST_FILE)),
      )
      .map((e) => {
        const dir = join(this.modelsDir, e.name);
        return { name: readManifest(dir).name, dir, manifest: readManifest(dir) };
      });
  }

  find(name: string): ModelFolder | undefined {
    return this.installed().find((m) => m.name === name);
  }

  private need(name: string): ModelFolder {
    const folder = this.find(name);
    if (!folder) {
      throw new ModelInstallError(
        "NOT_INSTALLED",
        `No model '${name}' is installed in ${this.modelsDir} (built-in models cannot be removed or exported).`,
      );
    }
    return folder;
  }

  /** Downloads a catalog model, verifies it and installs it; resolves with its folder. */
  async pull(name: string, options: PullOptions = {}): Promise<ModelFolder> {
    const entry = this.catalog.get(name);
    if (!entry) {
      throw new ModelInstallError(
        "UNKNOWN_MODEL",
        `'${name}' is not in the model catalog. \`earshot models list --available\` shows what can be pulled; a catalog file (--catalog or EARSHOT_MODEL_CATALOG) adds more.`,
      );
    }
    const target = this.checkTarget(name, options.force);
    const work = join(this.modelsDir, `.pull-${name}`);
    await mkdir(work, { recursive: true });
    const unlock = await lockPull(`${work}.lock`, name);
    try {
      await this.checkSpace(entry, work);
      const checksums: Record<string, string> = {};
      for (const [index, file] of entry.files.entries()) {
        checksums[filePath(file)] = await this.fetchFile(entry, index, work, options);
      }
      for (const file of entry.files.filter((f) => f.unpack)) {
        const archive = join(work, filePath(file));
        await extractArchive(archive, work);
        await rm(archive);
        delete checksums[filePath(file)];
        await hoistSingleFolder(work);
      }
      const manifest = manifestFor(entry, entry.engine, await this.checksumsOf(work, checksums), entry.files);
      await writeManifest(work, manifest);
      return await this.install(work, target, name);
    } finally {
      await unlock();
    }
  }

  /**
   * One file of a pull into the work folder, verified; resolves with its sha256. A file a failed pull already
   * fetched and verified is kept, a partial one resumed.
   */
  private async fetchFile(entry: CatalogEntry, index: number, work: string, options: PullOptions): Promise<string> {
    const file = entry.files[index]!;
    const path = filePath(file);
    const done = join(work, path);
    if (existsSync(done)) {
      const digest = await sha256File(done);
      if (file.sha256 === undefined || digest === file.sha256) return digest;
      await rm(done);
    }
    const part = `${done}.part`;
    await mkdir(dirname(part), { recursive: true });
    const request = hubRequest(file.url, this.hub);
    await downloadFile(request.url, part, {
      ...this.download,
      headers: request.headers,
      size: file.size,
      signal: options.signal,
      onProgress: (received, total) =>
        options.onProgress?.({ file: path, index, count: entry.files.length, received, total }),
      onLength: (remaining) => this.checkFree(entry.name, remaining),
    });
    const size = (await stat(part)).size;
    if (file.size !== undefined && size !== file.size) {
      await rm(part, { force: true });
      throw new ModelInstallError("SIZE_MISMATCH", `${path} is ${size} bytes, the catalog says ${file.size}.`);
    }
    const digest = await sha256File(part);
    if (file.sha256 === undefined) {
      options.onWarning?.(
        `${path}: the catalog publishes no sha256 for this file, so it cannot be verified (sha256 ${digest}).`,
      );
    } else if (digest !== file.sha256) {
      // A wrong file must not be resumed next time: start it over.
      await rm(part, { force: true });
      throw new ModelInstallError(
        "CHECKSUM_MISMATCH",
        `${path} from ${request.url} has sha256 ${digest}, but the catalog says ${file.sha256}. Nothing was installed.`,
      );
    }
    await rename(part, done);
    return digest;
  }

  /**
   * Installs a model copied in by hand: a folder, a single model file, or a `.tar`/`.tar.gz`/`.zip` of either
   * (an `earshot models export` archive included). A model the catalog knows — by `name`, or by the digests of
   * its files — must match the catalog's checksums.
   */
  async import(source: string, options: ImportOptions = {}): Promise<ModelFolder> {
    const info = await stat(source).catch(() => undefined);
    if (!info) throw new ModelInstallError("NOT_FOUND", `${source} does not exist.`);
    await mkdir(this.modelsDir, { recursive: true });
    // An archive's contents are about its size: model weights hardly compress.
    await this.checkFree(basename(source), info.isDirectory() ? await folderSize(source) : info.size);
    const work = join(this.modelsDir, `.import-${randomUUID()}`);
    await mkdir(work);
    try {
      const kind = info.isFile() ? archiveKind(source) : undefined;
      const sourceDigest = kind ? await sha256File(source) : undefined;
      if (info.isDirectory()) await cp(source, work, { recursive: true });
      else if (kind) await extractArchive(source, work, kind);
      else await cp(source, join(work, basename(source)));
      await hoistSingleFolder(work);
      const manifest = existsSync(join(work, MANIFEST_FILE))
        ? await this.checkExported(work, options)
        : await this.describeImport(work, source, sourceDigest, options);
      await writeManifest(work, manifest);
      const target = this.checkTarget(manifest.name, options.force);
      return await this.install(work, target, manifest.name);
    } catch (err) {
      await rm(work, { recursive: true, force: true });
      throw err;
    }
  }

  /** A folder carrying a manifest (an export): its recorded checksums must still hold. */
  private async checkExported(work: string, options: ImportOptions): Promise<Manifest> {
    const manifest = readManifest(work);
    const named = options.name ? { ...manifest, name: options.name } : manifest;
    if (!manifest.checksums) {
      options.onWarning?.(`${manifest.name} records no checksums (installed by hand): its files were not verified.`);
      return { ...named, checksums: await this.checksumsOf(work, {}) };
    }
    const result = await verifyFolder(
      work,
      manifest,
      manifest.catalog ? this.catalog.get(manifest.catalog) : undefined,
    );
    if (!result.ok) {
      throw new ModelInstallError(
        "CHECKSUM_MISMATCH",
        `The imported model does not check out: ${result.problems.join("; ")}`,
      );
    }
    return named;
  }

  /** A folder without a manifest: which model it is, from the catalog when it knows it, else from the files. */
  private async describeImport(
    work: string,
    source: string,
    sourceDigest: string | undefined,
    options: ImportOptions,
  ): Promise<Manifest> {
    const checksums = await this.checksumsOf(work, {});
    const digests = new Set(Object.values(checksums));
    if (sourceDigest) digests.add(sourceDigest);
    const entry = (options.name ? this.catalog.get(options.name) : undefined) ?? this.catalog.findByDigests(digests);
    if (entry) {
      // An archive the catalog publishes can only be checked when it is what was imported, not its contents.
      const checkable = entry.files.filter((f) => f.sha256 !== undefined && !(f.unpack && !sourceDigest));
      if (checkable.length < entry.files.filter((f) => f.sha256).length) {
        options.onWarning?.(
          `The catalog has checksums for ${entry.name}'s archive only: import the archive to verify it.`,
        );
      }
      const wrong = checkable.filter((f) => !digests.has(f.sha256 ?? ""));
      if (wrong.length > 0) {
        throw new ModelInstallError(
          "CHECKSUM_MISMATCH",
          `${source} is not the catalog's '${entry.name}': ${wrong.map((f) => filePath(f)).join(", ")} missing or with another sha256. Nothing was installed.`,
        );
      }
      const files = entry.files
        .filter((f) => !f.unpack)
        .map((f) => ({ ...f, path: pathWithDigest(checksums, f) ?? filePath(f) }));
      const name = options.name ?? entry.name;
      return { ...manifestFor(entry, entry.engine, checksums, files), name };
    }
    const engine = (options.engine ?? guessEngine(checksums)) as EngineName | undefined;
    if (!engine || !ENGINES.includes(engine)) {
      throw new ModelInstallError(
        "UNKNOWN_ENGINE",
        `Cannot tell which engine ${source} is for${options.engine ? ` ('${options.engine}' is not one of ${ENGINES.join(", ")})` : ""}: pass --engine (${ENGINES.join(", ")}).`,
      );
    }
    const name = options.name ?? defaultName(source, engine);
    if (this.catalog.get(name)) {
      throw new ModelInstallError(
        "CHECKSUM_MISMATCH",
        `${source} is named like the catalog's '${name}' but its files do not match the catalog's checksums; pass --name to install it under another name. Nothing was installed.`,
      );
    }
    const whisperFile = Object.keys(checksums).find((p) => p.endsWith(".bin"));
    const languages =
      options.languages ?? (engine === "whisper" && whisperFile ? whisperLanguages(whisperFile) : undefined);
    if (!languages) {
      throw new ModelInstallError("NO_LANGUAGES", `The catalog does not know ${source}: pass --language (e.g. en).`);
    }
    const files = Object.keys(checksums).map((path) => ({ url: `file:///${path}`, path }));
    const manifest = manifestFor(
      { name, engine, languages, files } as CatalogEntry,
      engine,
      checksums,
      files.filter((f) => engine !== "whisper" || f.path === whisperFile),
    );
    options.onWarning?.(`${name} is not in the catalog: its files were recorded as they are, not verified.`);
    return manifest;
  }

  /** Deletes an installed model. */
  async remove(name: string): Promise<string> {
    const folder = this.need(name);
    // Renamed first, so a half-deleted folder is never seen as a model.
    const doomed = join(this.modelsDir, `.remove-${randomUUID()}`);
    await rename(folder.dir, doomed);
    await rm(doomed, { recursive: true, force: true });
    return folder.dir;
  }

  /** Re-hashes an installed model's files against what was recorded at install and what the catalog says. */
  async verify(name: string): Promise<VerifyResult> {
    const folder = this.need(name);
    const entry = folder.manifest.catalog ? this.catalog.get(folder.manifest.catalog) : undefined;
    return verifyFolder(folder.dir, folder.manifest, entry);
  }

  /** Packs an installed model as a `.tar.gz` that `import` on another host accepts. */
  async export(name: string, out: string): Promise<string> {
    const folder = this.need(name);
    const file = resolve(out);
    if (existsSync(file)) throw new ModelInstallError("EXISTS", `${file} already exists.`);
    const partial = `${file}.part`;
    await packFolder(folder.dir, partial);
    await rename(partial, file);
    return file;
  }

  private checkTarget(name: string, force: boolean | undefined): string {
    if (name.startsWith(".") || name.includes("/") || name.includes(sep)) {
      throw new ModelInstallError("BAD_NAME", `'${name}' cannot name a model folder.`);
    }
    const target = join(this.modelsDir, name);
    if (!force && (existsSync(target) || this.find(name))) {
      throw new ModelInstallError("EXISTS", `'${name}' is already installed (${target}); pass --force to replace it.`);
    }
    return target;
  }

  private async install(work: string, target: string, name: string): Promise<ModelFolder> {
    if (existsSync(target)) {
      const old = join(this.modelsDir, `.remove-${randomUUID()}`);
      await rename(target, old);
      await rename(work, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(work, target);
    }
    return { name, dir: target, manifest: readManifest(target) };
  }

  private async freeBytes(): Promise<number> {
    const fs = await statfs(this.modelsDir);
    return fs.bavail * fs.bsize;
  }

  /** Refuses a pull the disk cannot hold (what is already downloaded counts as done). */
  private async checkSpace(entry: CatalogEntry, work: string): Promise<void> {
    let needed = 0;
    for (const file of entry.files) {
      if (file.size === undefined) continue;
      const have = await stat(join(work, `${filePath(file)}.part`)).then(
        (s) => s.size,
        () => 0,
      );
      // An archive is unpacked beside itself before it is deleted: count it twice.
      needed += (file.size - Math.min(have, file.size)) * (file.unpack ? 2 : 1);
    }
    await this.checkFree(entry.name, needed);
  }

  private async checkFree(name: string, needed: number): Promise<void> {
    const free = await this.freeBytes();
    if (needed + DISK_MARGIN > free) {
      throw new ModelInstallError(
        "INSUFFICIENT_SPACE",
        `${name} needs ${formatBytes(needed)} more on ${this.modelsDir}, which has ${formatBytes(free)} free (keeping ${formatBytes(DISK_MARGIN)} spare). Free some space or set EARSHOT_MODELS_DIR to a larger disk.`,
      );
    }
  }

  /** sha256 of every file in `dir`, reusing digests already known. */
  private async checksumsOf(dir: string, known: Record<string, string>): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const path of await listFiles(dir)) {
      if (path === MANIFEST_FILE) continue;
      out[path] = known[path] ?? (await sha256File(join(dir, path)));
    }
    return out;
  }
}

/**
 * One pull of a model at a time: a lock file holding the puller's pid. A lock whose process is gone (a pull
 * killed outright) is taken over; resolves with the function that releases it.
 */
async function lockPull(lock: string, name: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lock, String(process.pid), { flag: "wx" });
      return () => rm(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number(await readFile(lock, "utf8").catch(() => ""));
      if (pid > 0 && isAlive(pid)) {
        throw new ModelInstallError("BUSY", `Another pull of '${name}' is running (process ${pid}).`);
      }
      await rm(lock, { force: true });
    }
  }
  throw new ModelInstallError("BUSY", `Cannot lock ${lock}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function readManifest(dir: string): Manifest {
  const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), "utf8")) as Manifest;
  if (typeof manifest.name !== "string" || typeof manifest.architecture !== "string") {
    throw new ModelInstallError("BAD_MANIFEST", `${join(dir, MANIFEST_FILE)} has no name or architecture.`);
  }
  return manifest;
}

async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/"))
    .sort();
}

async function folderSize(dir: string): Promise<number> {
  let total = 0;
  for (const path of await listFiles(dir)) total += (await stat(join(dir, path))).size;
  return total;
}

/** An archive holding one folder unpacks as that folder: its contents move up to `dir`. */
async function hoistSingleFolder(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  const only = entries[0];
  if (entries.length !== 1 || !only?.isDirectory()) return;
  const inner = join(dir, only.name);
  const moved = join(dir, `.hoist-${randomUUID()}`);
  await rename(inner, moved);
  for (const name of await readdir(moved)) await rename(join(moved, name), join(dir, name));
  await rm(moved, { recursive: true });
}

const pathWithDigest = (checksums: Record<string, string>, file: CatalogFile): string | undefined =>
  Object.entries(checksums).find(([, digest]) => digest === file.sha256)?.[0];

/** The engine a folder of files is for, when its files leave no doubt. */
function guessEngine(checksums: Record<string, string>): EngineName | undefined {
  const paths = Object.keys(checksums);
  if (paths.some((p) => p === "conf/model.conf" || p === "am/final.mdl")) return "vosk";
  if (paths.some((p) => p.endsWith(".onnx")) && paths.some((p) => p.endsWith("tokens.txt"))) return "sherpa-onnx";
  if (paths.filter((p) => p.endsWith(".bin")).length === 1) return "whisper";
  return undefined;
}

/** `ggml-tiny.en.bin` → `whisper-tiny.en`; anything else by its file or folder name. */
function defaultName(source: string, engine: EngineName): string {
  const base = basename(source).replace(/\.(tar\.gz|tgz|tar|zip)$/i, "");
  const ggml = /^ggml-(.+)\.bin$/.exec(base);
  if (engine === "whisper" && ggml) return `whisper-${ggml[1]}`;
  return base.replace(/\.(bin|onnx)$/, "");
}

/** An English-only whisper model says so in its file name (`ggml-base.en.bin`); the others know them all. */
const whisperLanguages = (file: string): string[] => (/\.en[-.]/.test(basename(file)) ? ["en"] : WHISPER_LANGUAGES);

/** The file roles an engine's recogniser reads, from the catalog's `role`s or the files' names. */
function engineFiles(engine: string, files: readonly CatalogFile[]): Record<string, string> {
  if (engine === "vosk") return { model: "." };
  if (engine === "whisper") {
    const model = files.find((f) => f.role === "model") ?? files.find((f) => filePath(f).endsWith(".bin")) ?? files[0];
    return model ? { model: filePath(model) } : {};
  }
  const roles: Record<string, string> = {};
  for (const file of files) {
    const path = filePath(file);
    const role =
      file.role ?? ["encoder", "decoder", "joiner", "tokens"].find((r) => basename(path).includes(r)) ?? basename(path);
    roles[role] = path;
  }
  return roles;
}

function manifestFor(
  entry: CatalogEntry,
  engine: string,
  checksums: Record<string, string>,
  files: readonly CatalogFile[],
): Manifest {
  return {
    name: entry.name,
    kind: "stt",
    architecture: engine,
    languages: entry.languages,
    version: entry.version ?? "unknown",
    ...(entry.capabilities ? { capabilities: entry.capabilities } : {}),
    ...(entry.engineOptions ? { engineOptions: entry.engineOptions } : {}),
    files: engineFiles(engine, files),
    checksums,
    ...(fromCatalog(entry) ? { catalog: entry.name } : {}),
  };
}

/** Catalog entries have URLs; entries made up for an unknown import point at `file:` paths. */
const fromCatalog = (entry: CatalogEntry): boolean => entry.files.every((f) => !f.url.startsWith("file:"));

async function verifyFolder(dir: string, manifest: Manifest, entry: CatalogEntry | undefined): Promise<VerifyResult> {
  const problems: string[] = [];
  const checked: string[] = [];
  const actual: Record<string, string> = {};
  for (const [path, expected] of Object.entries(manifest.checksums ?? {})) {
    const full = join(dir, path);
    if (!existsSync(full)) {
      problems.push(`${path} is missing`);
      continue;
    }
    const digest = await sha256File(full);
    actual[path] = digest;
    checked.push(path);
    if (digest !== expected) problems.push(`${path} has sha256 ${digest}, ${expected} when installed`);
  }
  for (const file of entry?.files ?? []) {
    if (file.unpack || file.sha256 === undefined) continue;
    if (!Object.values(actual).includes(file.sha256)) {
      problems.push(`no file matches the catalog's ${filePath(file)} (sha256 ${file.sha256})`);
    }
  }
  if (!manifest.checksums) problems.push("the manifest records no checksums (installed by hand): nothing to verify");
  for (const path of Object.values(manifest.files ?? {})) {
    if (!existsSync(join(dir, path))) problems.push(`${path}, named in the manifest, is missing`);
  }
  return { name: manifest.name, ok: problems.length === 0, checked, problems };
}
