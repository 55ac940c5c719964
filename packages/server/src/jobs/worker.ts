/**
 * A scale-out worker process: its own engine, the Redis job store, the shared blob store, and BullMQ workers
 * for transcriptions and callbacks. No HTTP: it only needs to reach Redis and the blob directory.
 */
import type { Engine } from "@earshot/engine";
import { type ConfigOverrides, type ConfigSources, loadConfig } from "../config/load.js";
import { createEngine } from "../engine.js";
import { UrlFetcher } from "../listen/fetch-url.js";
import { FsBlobStore } from "../storage/fs-blob-store.js";
import { RedisRequestLog } from "../usage/redis-request-log.js";
import { completionOf } from "../usage/request-log.js";
import { resolveWebhookSecret } from "../webhooks/secret.js";
import { CallbackSender } from "../webhooks/sender.js";
import { startBullWorkers } from "./bull.js";
import { RedisJobStore } from "./redis-store.js";

export interface JobWorkerOptions {
  /** Overrides of the server settings the worker shares (jobs, webhooks, url, engine); `jobs.redisUrl` is required. */
  config?: ConfigOverrides;
  /** Where settings are read from besides the overrides: flags, environment, config file. */
  sources?: ConfigSources;
  /** Jobs taken at once; default one more than the engine's threads, so a worker never idles between jobs. */
  concurrency?: number;
}

export interface JobWorker {
  engine: Engine;
  close(): Promise<void>;
}

export async function startJobWorker(options: JobWorkerOptions = {}): Promise<JobWorker> {
  const config = loadConfig(options.config, options.sources);
  const { jobs, webhooks } = config;
  if (!jobs.redisUrl) throw new Error("A job worker needs Redis: pass --redis URL or set EARSHOT_REDIS_URL.");
  const signing = await resolveWebhookSecret(config);
  const engine = createEngine(config.engine);
  const store = new RedisJobStore(jobs.redisUrl, jobs.queuePrefix);
  const urls = new UrlFetcher(config.url);
  const sender = new CallbackSender(config.url, webhooks, signing.secret);
  // Async requests' log records are completed here, where their jobs end.
  const requestLog = new RedisRequestLog(jobs.redisUrl, jobs.queuePrefix, jobs.retentionMs);
  const workers = startBullWorkers(
    {
      store,
      blobs: new FsBlobStore(jobs.blobDir),
      engine,
      urls,
      retentionMs: jobs.retentionMs,
      onSettled: (job, outcome) => requestLog.complete(job.id, completionOf(outcome)).catch(() => {}),
    },
    {
      redisUrl: jobs.redisUrl,
      prefix: jobs.queuePrefix,
      concurrency: options.concurrency ?? jobs.concurrency ?? engine.status().workers + 1,
      lockMs: jobs.lockMs,
      stalledCheckMs: jobs.stalledCheckMs,
      maxAttempts: jobs.maxAttempts,
      reconcile: {
        store,
        everyMs: jobs.reconcileMs,
        log: (message, err) => console.error(err ? `${message}: ${String(err)}` : message),
      },
      webhooks,
      sender,
    },
  );
  return {
    engine,
    async close() {
      await workers.close();
      await Promise.all([store.close(), urls.close(), sender.close(), requestLog.close()]);
      await engine.close();
    },
  };
}
