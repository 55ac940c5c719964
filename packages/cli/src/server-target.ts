/**
 * Where CLI commands send their requests: the server named by `--server`, or one started in this process on
 * a free loopback port and stopped when the command ends.
 */
import { randomBytes } from "node:crypto";
import { EarshotClient } from "@earshot/sdk";
import { type EarshotServer, startServer } from "@earshot/server";

export interface TargetOptions {
  server?: string;
  apiKey?: string;
  workers?: string;
}

export interface Target {
  client: EarshotClient;
  close(): Promise<void>;
}

export async function openTarget(options: TargetOptions): Promise<Target> {
  if (options.server) {
    return { client: new EarshotClient({ baseUrl: options.server, apiKey: options.apiKey }), close: async () => {} };
  }
  // A key of its own, known to this process alone: the server works whatever keys its store holds.
  const key = randomBytes(24).toString("hex");
  const server: EarshotServer = await startServer(
    { host: "127.0.0.1", port: 0, logLevel: "warn", apiKeys: [key] },
    { flags: { EARSHOT_WORKERS: { flag: "--workers", value: options.workers } } },
  );
  return {
    client: new EarshotClient({ baseUrl: server.url, apiKey: key }),
    close: () => server.close(),
  };
}
