/**
 * `earshot models`: what is installed and what can be, pulling from the model hub, importing and exporting
 * model folders for hosts without a network, verifying and removing them. The work is the engine's
 * `ModelManager`; this file parses and prints.
 */
import { cpSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { formatBytes, hubFromEnv, MANIFEST_FILE, ModelCatalog, ModelManager } from "@earshot/engine";
import { createModelRegistry, loadConfig } from "@earshot/server";
import type { Command } from "commander";
import { transferDisplay } from "../progress.js";

interface CatalogFlags {
  catalog?: string;
}

const CATALOG_OPTION = [
  "--catalog <file>",
  "model catalog JSON on top of the built-in one (EARSHOT_MODEL_CATALOG)",
] as const;

/** The models folder and catalog the server would use, `--catalog` winning over `EARSHOT_MODEL_CATALOG`. */
function settings(flags: CatalogFlags) {
  const engine = loadConfig().engine;
  const catalogFile = flags.catalog ?? engine.modelCatalog;
  return { engine: { ...engine, modelCatalog: catalogFile }, catalog: ModelCatalog.load(catalogFile) };
}

function manager(flags: CatalogFlags): ModelManager {
  const { engine, catalog } = settings(flags);
  return new ModelManager({ modelsDir: engine.modelsDir, catalog, hub: hubFromEnv() });
}

const warn = (message: string) => process.stderr.write(`earshot: warning: ${message}\n`);

export function registerModels(program: Command): void {
  const models = program.command("models").description("List, pull, import, verify, export and remove models.");

  models
    .command("list", { isDefault: true })
    .description("List installed models (what GET /v1/models serves) and the catalog's models not installed yet.")
    .option("--installed", "installed models only")
    .option("--available", "models that can be pulled only")
    .option("--json", "print JSON: {installed, available}")
    .option(...CATALOG_OPTION)
    .action((flags: CatalogFlags & { json?: boolean; installed?: boolean; available?: boolean }) => {
      const { engine, catalog } = settings(flags);
      const registry = createModelRegistry(engine);
      const installedNames = new Set(registry.models.map((m) => m.name));
      const installed = flags.available ? [] : registry.models;
      const available = flags.installed ? [] : catalog.entries.filter((e) => !installedNames.has(e.name));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ installed, available }, null, 2)}\n`);
        return;
      }
      if (installed.length > 0) process.stdout.write("Installed (* default):\n");
      for (const m of installed) {
        const mark = m.name === registry.defaultModel.name ? "*" : " ";
        process.stdout.write(
          `${mark} ${m.kind.padEnd(4)} ${m.name.padEnd(40)} ${m.architecture.padEnd(13)} ${m.languages.slice(0, 3).join(",").padEnd(9)} ${m.source}\n`,
        );
      }
      if (available.length > 0)
        process.stdout.write(`${installed.length > 0 ? "\n" : ""}Available (earshot models pull NAME):\n`);
      for (const e of available) {
        const size = e.size ?? e.files.reduce((sum, f) => sum + (f.size ?? 0), 0);
        const languages = e.languages.length > 3 ? `${e.languages.length} languages` : e.languages.join(",");
        process.stdout.write(
          `  ${e.name.padEnd(40)} ${e.engine.padEnd(13)} ${languages.padEnd(13)} ${(size ? formatBytes(size) : "?").padStart(8)}  ${e.license ?? ""}\n`,
        );
      }
    });

  models
    .command("pull")
    .description(
      "Download a catalog model from the model hub (HF_ENDPOINT, HF_TOKEN), verify its sha256 and install it. An interrupted pull resumes.",
    )
    .argument("<name>", "catalog name, e.g. whisper-base.en (earshot models list --available)")
    .option("--force", "replace the model if it is installed")
    .option(...CATALOG_OPTION)
    .action(async (name: string, flags: CatalogFlags & { force?: boolean }) => {
      const displays = new Map<number, ReturnType<typeof transferDisplay>>();
      const abort = new AbortController();
      process.once("SIGINT", () => abort.abort(new Error("interrupted; run the command again to resume")));
      try {
        const folder = await manager(flags).pull(name, {
          force: flags.force,
          signal: abort.signal,
          onWarning: warn,
          onProgress: (p) => {
            let display = displays.get(p.index);
            if (!display) {
              for (const d of displays.values()) d.end();
              displays.clear();
              display = transferDisplay(p.count > 1 ? `${p.file} (${p.index + 1}/${p.count})` : p.file);
              displays.set(p.index, display);
            }
            display.update(p.received, p.total);
          },
        });
        for (const d of displays.values()) d.end();
        process.stdout.write(`installed ${folder.name} in ${folder.dir}\n`);
      } catch (err) {
        for (const d of displays.values()) d.end(true);
        throw err;
      }
    });

  models
    .command("import")
    .description(
      "Install a model copied in by hand: a folder, a model file, or a .tar/.tar.gz/.zip of one (an `earshot models export` archive too). Checked against the catalog when it knows the model.",
    )
    .argument("<path>", "folder, file or archive")
    .option("--name <name>", "name to install it as (default: the catalog's, or from the file name)")
    .option("--engine <engine>", "whisper, vosk, sherpa-onnx or pocketsphinx, when the catalog does not know it")
    .option("--language <codes>", "comma-separated languages, when the catalog does not know the model")
    .option("--force", "replace the model if it is installed")
    .option(...CATALOG_OPTION)
    .action(
      async (
        path: string,
        flags: CatalogFlags & { name?: string; engine?: string; language?: string; force?: boolean },
      ) => {
        const folder = await manager(flags).import(path, {
          name: flags.name,
          engine: flags.engine,
          languages: flags.language?.split(",").map((l) => l.trim()),
          force: flags.force,
          onWarning: warn,
        });
        process.stdout.write(`installed ${folder.name} in ${folder.dir}\n`);
      },
    );

  models
    .command("verify")
    .description("Re-hash installed models' files against their install-time and catalog checksums.")
    .argument("[names...]", "models to check (default: every model installed in the models folder)")
    .option(...CATALOG_OPTION)
    .action(async (names: string[], flags: CatalogFlags) => {
      const m = manager(flags);
      const targets = names.length > 0 ? names : m.installed().map((f) => f.name);
      if (targets.length === 0) process.stdout.write(`no models installed in ${m.modelsDir}\n`);
      let failed = 0;
      for (const name of targets) {
        const result = await m.verify(name);
        if (result.ok) {
          process.stdout.write(`ok      ${name} (${result.checked.length} files)\n`);
        } else {
          failed++;
          process.stdout.write(`FAILED  ${name}: ${result.problems.join("; ")}\n`);
        }
      }
      if (failed > 0) {
        process.stderr.write(`earshot: ${failed} of ${targets.length} models failed verification\n`);
        process.exitCode = 1;
      }
    });

  models
    .command("export")
    .description("Pack an installed model as a .tar.gz for `earshot models import` on another host.")
    .argument("<name>", "installed model")
    .argument("[file]", "archive to write (default ./<name>.tar.gz)")
    .action(async (name: string, file: string | undefined) => {
      const out = await manager({}).export(name, file ?? `${name}.tar.gz`);
      process.stdout.write(`exported ${name} to ${out}\n`);
    });

  models
    .command("rm")
    .description("Remove an installed model.")
    .argument("<name>", "installed model")
    .action(async (name: string) => {
      const dir = await manager({}).remove(name);
      process.stdout.write(`removed ${name} (${dir})\n`);
    });

  models
    .command("add")
    .description(
      "Install a PocketSphinx model folder (acoustic model dir, .lm.bin and .dict) into the models directory.",
    )
    .argument("<dir>", "folder holding the model files")
    .requiredOption("--name <name>", "name clients will pass as ?model=")
    .option("--hmm <path>", "acoustic model folder inside <dir>", "en-us")
    .option("--lm <path>", "language model inside <dir>", "en-us.lm.bin")
    .option("--dict <path>", "pronunciation dictionary inside <dir>", "cmudict-en-us.dict")
    .option("--language <codes>", "comma-separated languages", "en,en-US")
    .action((dir: string, flags: { name: string; hmm: string; lm: string; dict: string; language: string }) => {
      const files = { hmm: flags.hmm, lm: flags.lm, dict: flags.dict };
      for (const path of Object.values(files)) {
        if (!existsSync(join(dir, path))) throw new Error(`${join(dir, path)} does not exist`);
      }
      const target = join(loadConfig().engine.modelsDir, flags.name);
      if (existsSync(target)) throw new Error(`${target} already exists`);
      mkdirSync(target, { recursive: true });
      cpSync(dir, target, { recursive: true });
      const manifest = {
        name: flags.name,
        kind: "stt",
        architecture: "pocketsphinx",
        languages: flags.language.split(","),
        version: basename(dir),
        capabilities: { streaming: true },
        files,
      };
      writeFileSync(join(target, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
      process.stdout.write(`installed ${flags.name} in ${target}\n`);
    });
}
