/** `earshot worker --redis URL`: takes jobs from BullMQ and runs them on this machine's engine. */
import { startJobWorker } from "@earshot/server";
import type { Command } from "commander";
import { runUntilStopped } from "../lifetime.js";
import { addSettingFlags, JOB_FLAGS, type SettingFlag, settingSources } from "../setting-flags.js";

const WORKER_FLAGS: SettingFlag[] = [
  { flags: "--threads <n>", setting: "EARSHOT_WORKERS" },
  { flags: "--concurrency <n>", setting: "EARSHOT_JOB_CONCURRENCY" },
  // The worker only runs jobs from Redis: its --redis is required, where `serve` takes it to scale out.
  ...JOB_FLAGS.map((flag) =>
    flag.setting === "EARSHOT_REDIS_URL" ? { ...flag, required: "unless EARSHOT_REDIS_URL is set" } : flag,
  ),
];

export function registerWorker(program: Command): void {
  addSettingFlags(
    program
      .command("worker")
      .description("Run transcription jobs from Redis (start any number, on any machine that shares --blob-dir)."),
    WORKER_FLAGS,
  ).action(async (opts: Record<string, unknown>) => {
    const worker = await startJobWorker({ sources: settingSources(opts, WORKER_FLAGS) });
    process.stderr.write(
      `earshot worker ready (${worker.engine.status().workers} engine threads, pid ${process.pid})\n`,
    );
    runUntilStopped(() => worker.close());
  });
}
