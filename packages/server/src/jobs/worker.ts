/**
 * A scale-out worker process: its own engine, the Redis job store, the shared blob store, and BullMQ workers
 * for transcriptions and callbacks. No HTTP: it only needs to reach Redis and the blob directory.
 */
import { Engine, type EngineOptions } from "@earshot/engine";
import { loadConfig } from "../config.js";
import { UrlFetcher } from "../listen/fetch-url.js";
import { FsBlobStore } from "../storage/fs-blob-store.js";
import { CallbackSender } from "../webhooks/sender.js";
import { startBullWorkers } from "./bull.js";
import { RedisJobStore } from "./redis-store.js";

export interface JobWorkerOptions {
  /** Overrides of the server settings the worker shares (jobs, webhooks, url, engine); `jobs.redisUrl` is required. */
  config?: Parameters<typeof loadConfig>[0];
  /** Jobs taken at once; default one more than the engine's threads, so a worker never idles between jobs. */
  concurrency?: number;
  /** BullMQ lock; a killed worker's jobs are taken over after about this long. Default 15 s. */
  lockMs?: number;
}

export interface JobWorker {
  engine: Engine;
  close(): Promise<void>;
}

export function startJobWorker(options: JobWorkerOptions = {}): JobWorker {
  const config = loadConfig(options.config);
  const { jobs, webhooks } = config;
  if (!jobs.redisUrl) throw new Error("A job worker needs Redis: pass --redis URL or set EARSHOT_REDIS_URL.");
  const engineOptions: EngineOptions = config.engine;
  const engine = new Engine(engineOptions);
  const store = new RedisJobStore(jobs.redisUrl, jobs.queuePrefix);
  const urls = new UrlFetcher(config.url);
  const sender = new CallbackSender(config.url, webhooks);
  const workers = startBullWorkers(
    { store, blobs: new FsBlobStore(jobs.blobDir), engine, urls, retentionMs: jobs.retentionMs },
    {
      redisUrl: jobs.redisUrl,
      prefix: jobs.queuePrefix,
      concurrency: options.concurrency ?? jobs.concurrency ?? engine.status().workers + 1,
      lockMs: options.lockMs ?? 15_000,
      maxAttempts: jobs.maxAttempts,
      webhooks,
      sender,
    },
  );
  return {
    engine,
    async close() {
      await workers.close();
      await Promise.all([store.close(), urls.close(), sender.close()]);
      await engine.close();
    },
  };
}
