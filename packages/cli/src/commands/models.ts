/** `earshot models`: what is installed, and installing a model folder. */
import { cpSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { MANIFEST_FILE } from "@earshot/engine";
import { createModelRegistry, loadConfig } from "@earshot/server";
import type { Command } from "commander";

export function registerModels(program: Command): void {
  const models = program.command("models").description("List and install models.");

  models
    .command("list", { isDefault: true })
    .description("List installed models (what GET /v1/models serves).")
    .option("--json", "print JSON")
    .action((flags: { json?: boolean }) => {
      const registry = createModelRegistry(loadConfig().engine);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(registry.models, null, 2)}\n`);
        return;
      }
      for (const m of registry.models) {
        const mark = m.name === registry.defaultModel.name ? "*" : " ";
        process.stdout.write(
          `${mark} ${m.kind.padEnd(4)} ${m.name.padEnd(28)} ${m.architecture.padEnd(13)} ${m.languages.join(",").padEnd(9)} ${m.source}\n`,
        );
      }
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
