/** Job engine and callback settings, each with an `EARSHOT_*` environment variable. */
import { homedir } from "node:os";
import { join } from "node:path";
import { env, envNumber } from "../env.js";

export interface JobsConfig {
  /** Embedded mode keeps `jobs.db` and the audio here. */
  dataDir: string;
  /** With a Redis URL the server enqueues into BullMQ and `earshot worker` processes run the jobs. */
  redisUrl: string | undefined;
  /** Blob store root: job audio and uploads. Must be a path every worker sees when scaled out. */
  blobDir: string;
  /** Audio and results are deleted this long after a job ends. */
  retentionMs: number;
  /** Starts of one job (crashes and transient failures included) before it ends in `error`. */
  maxAttempts: number;
  /** Jobs run at once by this process in embedded mode; default: the engine's worker count. */
  concurrency: number | undefined;
  /** Key prefix for BullMQ queues and the Redis job store. */
  queuePrefix: string;
}

export interface WebhookConfig {
  /** Signs callbacks (Standard Webhooks). `whsec_<base64>` or any string. Unset: callbacks go unsigned. */
  secret: string | undefined;
  /** Deliveries tried per callback before it is marked failed. */
  maxAttempts: number;
  /** First retry delay; each further retry doubles it. */
  retryBaseMs: number;
  timeoutMs: number;
}

export function loadJobsConfig(overrides: Partial<JobsConfig> = {}): JobsConfig {
  const dataDir = overrides.dataDir ?? env.EARSHOT_DATA_DIR ?? join(homedir(), ".earshot");
  return {
    dataDir,
    redisUrl: overrides.redisUrl ?? (env.EARSHOT_REDIS_URL || undefined),
    blobDir: overrides.blobDir ?? env.EARSHOT_BLOB_DIR ?? join(dataDir, "blobs"),
    retentionMs: overrides.retentionMs ?? envNumber(env.EARSHOT_JOB_RETENTION_SECONDS, 24 * 3600) * 1000,
    maxAttempts: overrides.maxAttempts ?? envNumber(env.EARSHOT_JOB_ATTEMPTS, 3),
    concurrency:
      overrides.concurrency ?? (env.EARSHOT_JOB_CONCURRENCY ? envNumber(env.EARSHOT_JOB_CONCURRENCY, 1) : undefined),
    queuePrefix: overrides.queuePrefix ?? env.EARSHOT_QUEUE_PREFIX ?? "earshot",
  };
}

export function loadWebhookConfig(overrides: Partial<WebhookConfig> = {}): WebhookConfig {
  return {
    secret: overrides.secret ?? (env.EARSHOT_WEBHOOK_SECRET || undefined),
    maxAttempts: overrides.maxAttempts ?? envNumber(env.EARSHOT_WEBHOOK_ATTEMPTS, 8),
    retryBaseMs: overrides.retryBaseMs ?? envNumber(env.EARSHOT_WEBHOOK_RETRY_MS, 1000),
    timeoutMs: overrides.timeoutMs ?? envNumber(env.EARSHOT_WEBHOOK_TIMEOUT_MS, 10_000),
  };
}
