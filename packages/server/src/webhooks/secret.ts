/**
 * The secret that signs callbacks. Callbacks are always signed: with `EARSHOT_WEBHOOK_SECRET` when it is set,
 * otherwise with a secret generated on first start and kept — in the data dir (mode 0600) for an embedded
 * server, in Redis when scaled out, so the API nodes and every worker sign with the same one.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import type { ServerConfig } from "../config/load.js";

export interface WebhookSecret {
  secret: string;
  source: "config" | "generated";
  /** Where a generated secret is kept, for the start-up log. */
  location?: string;
}

export const WEBHOOK_SECRET_FILE = "webhook-secret";

const generate = (): string => `whsec_${randomBytes(32).toString("base64")}`;

/** The secret in `dataDir`, created on first use. Two processes starting together agree: the first link wins. */
export function fileSecret(dataDir: string): WebhookSecret {
  const path = join(dataDir, WEBHOOK_SECRET_FILE);
  mkdirSync(dataDir, { recursive: true });
  // Written whole under a temporary name, then linked into place: nobody ever reads a half-written secret.
  const temporary = `${path}.${randomUUID()}.tmp`;
  writeFileSync(temporary, `${generate()}\n`, { mode: 0o600 });
  try {
    linkSync(temporary, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    rmSync(temporary, { force: true });
  }
  return { secret: readFileSync(path, "utf8").trim(), source: "generated", location: path };
}

/** The secret under `<prefix>:webhook-secret`, set by whichever process starts first. */
export async function redisSecret(redisUrl: string, prefix: string): Promise<WebhookSecret> {
  const key = `${prefix}:webhook-secret`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  try {
    await redis.set(key, generate(), "NX");
    const secret = await redis.get(key);
    if (!secret) throw new Error(`Redis lost the webhook secret at ${key}.`);
    return { secret, source: "generated", location: `Redis key ${key}` };
  } finally {
    await redis.quit().catch(() => {});
  }
}

export function resolveWebhookSecret(config: Pick<ServerConfig, "jobs" | "webhooks">): Promise<WebhookSecret> {
  const { webhooks, jobs } = config;
  if (webhooks.secret) return Promise.resolve({ secret: webhooks.secret, source: "config" });
  if (jobs.redisUrl) return redisSecret(jobs.redisUrl, jobs.queuePrefix);
  return Promise.resolve(fileSecret(jobs.dataDir));
}

/** The one start-up line that says how callbacks are signed and where to find the secret to verify them. */
export function describeSigning(signing: WebhookSecret): string {
  return signing.source === "config"
    ? "callbacks are signed with the configured EARSHOT_WEBHOOK_SECRET"
    : `callbacks are signed with a generated secret kept in ${signing.location} (set EARSHOT_WEBHOOK_SECRET to choose your own)`;
}
