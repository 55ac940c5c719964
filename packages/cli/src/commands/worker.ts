/** `earshot worker --redis URL`: takes jobs from BullMQ and runs them on this machine's engine. */
import { startJobWorker } from "@earshot/server";
import type { Command } from "commander";
import { integer } from "../flags.js";
import { addJobFlags, type JobFlags, jobSettings } from "../job-flags.js";

interface WorkerFlags extends JobFlags {
  threads?: number;
  concurrency?: number;
}

export function registerWorker(program: Command): void {
  addJobFlags(
    program
      .command("worker")
      .description("Run transcription jobs from Redis (start any number, on any machine that shares --blob-dir).")
      .option("--threads <n>", "engine worker threads, default one per core", integer(1, 256))
      .option("--concurrency <n>", "jobs taken at once, default threads + 1", integer(1)),
    "required",
  ).action(async (flags: WorkerFlags) => {
    const { jobs, webhooks } = jobSettings(flags);
    if (!jobs.redisUrl && !process.env.EARSHOT_REDIS_URL) throw new Error("earshot worker needs --redis URL.");
    const worker = startJobWorker({
      config: { jobs, webhooks, engine: flags.threads ? { workers: flags.threads } : {} },
      ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
    });
    process.stderr.write(
      `earshot worker ready (${worker.engine.status().workers} engine threads, pid ${process.pid})\n`,
    );
    const stop = async () => {
      await worker.close();
      process.exit(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
