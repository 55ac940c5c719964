/** `earshot serve`: the HTTP server in the foreground until SIGINT/SIGTERM. */
import { startServer } from "@earshot/server";
import type { Command } from "commander";
import { runUntilStopped } from "../lifetime.js";
import { addSettingFlags, JOB_FLAGS, type SettingFlag, settingSources } from "../setting-flags.js";

const SERVE_FLAGS: SettingFlag[] = [
  { flags: "--host <host>", setting: "EARSHOT_HOST" },
  { flags: "--port <port>", setting: "EARSHOT_PORT" },
  { flags: "--workers <n>", setting: "EARSHOT_WORKERS" },
  { flags: "--queue-limit <n>", setting: "EARSHOT_QUEUE_LIMIT" },
  { flags: "--model <name>", setting: "EARSHOT_MODEL" },
  ...JOB_FLAGS,
];

export function registerServe(program: Command): void {
  addSettingFlags(program.command("serve"), SERVE_FLAGS)
    .description("Run the Earshot server.")
    .action(async (opts: Record<string, unknown>) => {
      const server = await startServer({}, settingSources(opts, SERVE_FLAGS));
      const from = server.config.configFile ? `, settings from ${server.config.configFile}` : "";
      process.stderr.write(
        `earshot listening on ${server.url} (model ${server.engine.registry.defaultModel.name}${from}); Ctrl-C stops it\n`,
      );
      runUntilStopped(() => server.close());
    });
}
