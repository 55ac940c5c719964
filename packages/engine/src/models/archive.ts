/**
 * Model archives for hosts without a network: `.tar`, `.tar.gz`/`.tgz` through node-tar (npm's own tar code,
 * streaming, and it refuses entries that would land outside the target) and `.zip` through yauzl (streaming
 * reads of the central directory, so a multi-gigabyte zip is never held in memory, and it rejects absolute and
 * `..` entry names). Exports are `.tar.gz`: one format that every host can unpack without us.
 */
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { basename, dirname, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import * as tar from "tar";
import yauzl from "yauzl";

export type ArchiveKind = "tar" | "tar.gz" | "zip";

/** The archive format a file name says, or undefined for anything else. */
export function archiveKind(path: string): ArchiveKind | undefined {
  const name = path.toLowerCase();
  if (name.endsWith(".tar.gz") || name.endsWith(".tgz")) return "tar.gz";
  if (name.endsWith(".tar")) return "tar";
  if (name.endsWith(".zip")) return "zip";
  return undefined;
}

/** Unpacks `archive` into the existing folder `dest`. */
export async function extractArchive(archive: string, dest: string, kind = archiveKind(archive)): Promise<void> {
  if (!kind) throw new Error(`${archive} is not a .tar, .tar.gz or .zip archive.`);
  if (kind === "zip") return extractZip(archive, dest);
  // strict: a corrupt or truncated archive is an error, not a warning and a partial folder.
  await tar.x({ file: archive, cwd: dest, strict: true, gzip: kind === "tar.gz" });
}

async function extractZip(archive: string, dest: string): Promise<void> {
  const zip = await yauzl.openPromise(archive, { lazyEntries: true, autoClose: false });
  const root = resolve(dest);
  // yauzl 3's entry iterator, which @types/yauzl does not declare yet.
  const entries = (zip as yauzl.ZipFile & { eachEntry(): AsyncIterable<yauzl.Entry> }).eachEntry();
  try {
    for await (const entry of entries) {
      const target = resolve(root, entry.fileName);
      if (target !== root && !target.startsWith(root + sep)) throw new Error(`${entry.fileName} leaves the folder`);
      if (entry.fileName.endsWith("/")) {
        await mkdir(target, { recursive: true });
        continue;
      }
      await mkdir(dirname(target), { recursive: true });
      await pipeline(await zip.openReadStreamPromise(entry), createWriteStream(target));
    }
  } finally {
    zip.close();
  }
}

/** Packs the folder `dir` as `<basename>/…` into the `.tar.gz` file `out`. */
export async function packFolder(dir: string, out: string): Promise<void> {
  await tar.c({ file: out, gzip: true, cwd: dirname(resolve(dir)), portable: true }, [basename(resolve(dir))]);
}
