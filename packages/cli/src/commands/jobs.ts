/**
 * `earshot jobs list|get|cancel` against a server's job API, and `earshot transcribe --async`: many files as
 * jobs at once, one progress bar each.
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { JobStatus, ListenOptionsInput, ListenResponse } from "@earshot/sdk";
import { type Command, Option } from "commander";
import { integer } from "../flags.js";
import { progressDisplay } from "../progress.js";
import { openTarget, type Target, type TargetOptions } from "../server-target.js";
import { formatTranscript } from "./transcribe.js";

type Format = "json" | "text" | "srt" | "vtt";

const serverOptions = (command: Command): Command =>
  command
    .option("--server <url>", "the Earshot server (default: an in-process one on the local job store)")
    .option("--api-key <key>", "API key for --server (EARSHOT_API_KEY)");

async function withTarget(flags: TargetOptions, run: (target: Target) => Promise<void>): Promise<void> {
  const target = await openTarget(flags);
  try {
    await run(target);
  } finally {
    await target.close();
  }
}

export function registerJobs(program: Command): void {
  const jobs = program.command("jobs").description("Transcription jobs: list, inspect, cancel.");
  serverOptions(
    jobs
      .command("list")
      .description("List jobs, newest first.")
      .option("--status <status>", "only jobs in this status (queued, processing, done, error)")
      .option("--limit <n>", "how many", integer(1, 1000), 20)
      .option("--offset <n>", "skip this many", integer(0), 0),
  ).action(async (flags: TargetOptions & { status?: JobStatus; limit: number; offset: number }) =>
    withTarget(flags, async ({ client }) => {
      const page = await client.jobs.list({
        limit: flags.limit,
        offset: flags.offset,
        ...(flags.status ? { status: flags.status } : {}),
      });
      for (const job of page.jobs) {
        const progress = job.status === "processing" ? ` ${Math.round(job.progress * 100)}%` : "";
        process.stdout.write(`${job.request_id}  ${job.status}${progress}  ${job.created_at}  ${job.kind}\n`);
      }
      process.stderr.write(`${page.jobs.length} of ${page.total}\n`);
    }),
  );
  serverOptions(
    jobs
      .command("get")
      .description("Show a job; with --format, print its transcript once done.")
      .argument("<id>")
      .addOption(new Option("-f, --format <format>", "print the result as").choices(["json", "text", "srt", "vtt"])),
  ).action(async (id: string, flags: TargetOptions & { format?: Format }) =>
    withTarget(flags, async ({ client }) => {
      const job = await client.jobs.get(id);
      if (flags.format && job.result) process.stdout.write(formatTranscript(job.result, flags.format));
      else process.stdout.write(`${JSON.stringify({ ...job, result: job.result ? "…" : undefined }, null, 2)}\n`);
    }),
  );
  serverOptions(jobs.command("cancel").description("Cancel a job, or delete a finished one.").argument("<id>")).action(
    async (id: string, flags: TargetOptions) =>
      withTarget(flags, async ({ client }) => {
        const deleted = await client.jobs.cancel(id);
        process.stdout.write(
          `${id} ${deleted.previous_status === "done" || deleted.previous_status === "error" ? "deleted" : "cancelled"}\n`,
        );
      }),
  );
}

const isUrl = (source: string): boolean => /^https?:\/\//i.test(source);

/** `transcribe --async`: submit every source as a job, show a bar per job, print the transcripts in order. */
export async function transcribeAsync(
  sources: string[],
  options: ListenOptionsInput,
  flags: TargetOptions & { format: Format; progress: boolean },
): Promise<void> {
  await withTarget(flags, async ({ client }) => {
    const progress = progressDisplay(
      sources.map((s) => basename(s)),
      flags.progress,
    );
    const inputs = await Promise.all(sources.map(async (s) => (isUrl(s) ? { url: s } : await readFile(s))));
    const results: Array<ListenResponse | Error> = [];
    // Every file is in flight at once: the server queues them and runs as many as its workers allow.
    for await (const outcome of client.jobs.asCompleted(inputs, {
      concurrency: sources.length,
      options,
      onProgress: (index, fraction) => progress.update(index, fraction),
    })) {
      progress.end(outcome.index, !outcome.ok);
      results[outcome.index] = outcome.ok ? outcome.result : outcome.error;
    }
    progress.stop();
    for (const [index, result] of results.entries()) {
      if (result instanceof Error) {
        process.stderr.write(`${sources[index]}: ${result.message}\n`);
        process.exitCode = 1;
      } else {
        if (sources.length > 1 && flags.format === "text") process.stdout.write(`# ${sources[index]}\n`);
        process.stdout.write(formatTranscript(result, flags.format));
      }
    }
  });
}
