/** `earshot serve`: the HTTP server in the foreground until SIGINT/SIGTERM. */
import { startServer } from "@earshot/server";
import type { Command } from "commander";
import { integer, port } from "../flags.js";
import { addJobFlags, type JobFlags, jobSettings } from "../job-flags.js";
import { runUntilStopped } from "../lifetime.js";

type ServeFlags = JobFlags & { host?: string; port?: number; workers?: number; queueLimit?: number; model?: string };

export function registerServe(program: Command): void {
  addJobFlags(program.command("serve"))
    .description("Run the Earshot server.")
    .option("--host <host>", "interface to listen on, default 127.0.0.1 (EARSHOT_HOST)")
    .option("--port <port>", "port to listen on, default 8080 (EARSHOT_PORT)", port)
    .option("--workers <n>", "engine worker threads, default one per core (EARSHOT_WORKERS)", integer(1, 256))
    .option(
      "--queue-limit <n>",
      "requests admitted at once before answering 429, default 8 per worker (EARSHOT_QUEUE_LIMIT)",
      integer(1),
    )
    .option("--model <name>", "default speech model (EARSHOT_MODEL)")
    .action(async (opts: ServeFlags) => {
      if (opts.model) process.env.EARSHOT_MODEL = opts.model;
      const engine = {
        ...(opts.workers ? { workers: opts.workers } : {}),
        ...(opts.queueLimit ? { queueLimit: opts.queueLimit } : {}),
      };
      const server = await startServer({
        ...(opts.host ? { host: opts.host } : {}),
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        engine,
        ...jobSettings(opts),
      });
      process.stderr.write(
        `earshot listening on ${server.url} (model ${server.engine.registry.defaultModel.name}); Ctrl-C stops it\n`,
      );
      runUntilStopped(() => server.close());
    });
}
