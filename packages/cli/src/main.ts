#!/usr/bin/env node
/**
 * The `earshot` command. Each subcommand lives in `commands/` and talks to a server through the SDK — an
 * in-process one on a loopback port unless `--server` names another — so the CLI adds no transcription logic
 * of its own.
 */
import { createRequire } from "node:module";
import { Command } from "commander";
import { registerDemo } from "./commands/demo.js";
import { registerJobs } from "./commands/jobs.js";
import { registerKeys } from "./commands/keys.js";
import { registerListen } from "./commands/listen.js";
import { registerModels } from "./commands/models.js";
import { registerRead } from "./commands/read.js";
import { registerServe } from "./commands/serve.js";
import { registerSpeak } from "./commands/speak.js";
import { registerTranscribe } from "./commands/transcribe.js";
import { registerUsage } from "./commands/usage.js";
import { registerWorker } from "./commands/worker.js";
import { fail, failCleanly } from "./failure.js";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

const program = new Command("earshot")
  .description("Self-hosted speech-to-text and text-to-speech with a Deepgram-compatible API.")
  .version(version)
  // Usage errors read like every other failure: one `earshot: …` line.
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, "earshot: ")) });

for (const register of [
  registerServe,
  registerTranscribe,
  registerListen,
  registerModels,
  registerDemo,
  registerJobs,
  registerWorker,
  registerSpeak,
  registerRead,
  registerKeys,
  registerUsage,
]) {
  register(program);
}

failCleanly();
program.parseAsync().catch(fail);
