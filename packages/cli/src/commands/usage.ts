/**
 * `earshot usage`: a project's usage per day (or grouped with `--by`), through the management API — of the
 * server `--server` names, with a key holding `usage:read`, or of the local store through an in-process server.
 */
import { USAGE_GROUPINGS, type UsageGrouping } from "@earshot/protocol";
import { type Command, Option } from "commander";
import { openTarget, type TargetOptions } from "../server-target.js";

const hours = (h: number): string => `${(h * 60).toFixed(1)} min`;

export function registerUsage(program: Command): void {
  program
    .command("usage")
    .description("Usage per day: requests, minutes of audio, characters synthesised.")
    .option("--project <id>", "the project (default: the first the key reaches)")
    .option("--start <date>", "first day, YYYY-MM-DD (default: seven days ago)")
    .option("--end <date>", "last day, YYYY-MM-DD (default: today)")
    .addOption(new Option("--by <grouping>", "totals per group instead of per day").choices(USAGE_GROUPINGS))
    .option("--json", "print the API's JSON")
    .option("--server <url>", "the Earshot server (default: an in-process one on the local store)")
    .option("--api-key <key>", "API key for --server, with usage:read (EARSHOT_API_KEY)")
    .action(
      async (
        flags: TargetOptions & { project?: string; start?: string; end?: string; by?: UsageGrouping; json?: boolean },
      ) => {
        const target = await openTarget(flags);
        try {
          const { projects } = target.client.manage.v1;
          const projectId = flags.project ?? (await projects.list()).projects[0]?.project_id;
          if (!projectId) throw new Error("this key reaches no project");
          const window = { ...(flags.start ? { start: flags.start } : {}), ...(flags.end ? { end: flags.end } : {}) };
          const usage = flags.by
            ? await projects.usage.breakdown.get(projectId, { ...window, grouping: flags.by })
            : await projects.usage.get(projectId, window);
          if (flags.json) {
            process.stdout.write(`${JSON.stringify(usage, null, 2)}\n`);
            return;
          }
          for (const row of usage.results) {
            const label =
              "grouping" in row ? JSON.stringify(row.grouping[flags.by!] ?? "") : (row as { start: string }).start;
            process.stdout.write(
              `${label.padEnd(24)} ${String(row.requests).padStart(6)} requests  ${hours(row.hours).padStart(10)}  ${row.tts_characters} characters\n`,
            );
          }
        } finally {
          await target.close();
        }
      },
    );
}
