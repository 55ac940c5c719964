/** `earshot serve`: the HTTP server in the foreground until SIGINT/SIGTERM. */
import { startServer } from "@earshot/server";
import type { Command } from "commander";
import { addJobFlags, type JobFlags, jobSettings } from "../job-flags.js";

type ServeFlags = JobFlags & { host?: string; port?: number; workers?: number; queueLimit?: number; model?: string };

export function registerServe(program: Command): void {
  addJobFlags(program.command("serve"))
    .description("Run the Earshot server.")
    .option("--host <host>", "interface to listen on (EARSHOT_HOST)")
    .option("--port <port>", "port to listen on (EARSHOT_PORT)", (v) => Number(v))
    .option("--workers <n>", "engine worker threads, default one per core (EARSHOT_WORKERS)", (v) => Number(v))
    .option("--queue-limit <n>", "requests admitted at once before answering 429 (EARSHOT_QUEUE_LIMIT)", (v) =>
      Number(v),
    )
    .option("--model <name>", "default speech model (EARSHOT_MODEL)")
    .action(async (opts: ServeFlags) => {
      const engine = {
        ...(opts.workers ? { workers: opts.workers } : {}),
        ...(opts.queueLimit ? { queueLimit: opts.queueLimit } : {}),
        ...(opts.model ? { defaultModel: opts.model } : {}),
      };
      const server = await startServer({
        ...(opts.host ? { host: opts.host } : {}),
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        engine,
        ...jobSettings(opts),
      });
      process.stderr.write(`earshot listening on ${server.url} (model ${server.engine.registry.defaultModel.name})\n`);
      const stop = async () => {
        await server.close();
        process.exit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}
