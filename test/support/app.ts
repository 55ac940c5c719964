/** The server's Fastify app over a {@link FakeEngine}, for `app.inject` unit tests: no port, no real engine. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp, type ConfigOverrides, loadConfig, type ServerConfig } from "@earshot/server";
import { FakeEngine } from "./fake-engine.js";

export interface UnitApp {
  app: Awaited<ReturnType<typeof buildApp>>;
  engine: FakeEngine;
  config: ServerConfig;
  close(): Promise<void>;
}

/** A temporary directory of its own, so no test touches `~/.earshot` or another test's files. */
export const tempDir = (name: string): string => mkdtempSync(join(tmpdir(), `earshot-${name}-`));

/**
 * Settings from `overrides` and defaults only — not this machine's environment or a config file in the working
 * directory — with a data directory of its own.
 */
export function unitConfig(overrides: ConfigOverrides = {}): ServerConfig {
  return loadConfig(
    { logLevel: "silent", ...overrides, jobs: { dataDir: tempDir("unit-data"), ...overrides.jobs } },
    { env: {}, cwd: tempDir("unit-cwd") },
  );
}

export async function startUnitApp(overrides: ConfigOverrides = {}): Promise<UnitApp> {
  const engine = new FakeEngine();
  const config = unitConfig(overrides);
  const app = await buildApp(config, engine);
  return { app, engine, config, close: () => app.close() };
}
