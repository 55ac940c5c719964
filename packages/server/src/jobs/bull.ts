/**
 * Scale-out mode on BullMQ. API nodes put job ids on the `transcribe` queue; `earshot worker` processes, on any
 * machine that reaches Redis and the blob store, take them. The Redis job store stays the record of truth —
 * BullMQ only carries ids, and its stalled-job detection brings back the jobs of a worker that died (its lock
 * lapses). Callbacks travel on their own queue, whose retries with exponential backoff are BullMQ's.
 */

import { isTerminal } from "@earshot/protocol";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { WebhookConfig } from "../config/load.js";
import { deliverCallback } from "../webhooks/deliver.js";
import type { CallbackSender } from "../webhooks/sender.js";
import { type ExecuteDeps, executeJob } from "./execute.js";
import { PieceFanout } from "./fanout.js";
import { interrupted, type JobRecord, outOfAttempts, requeued, startAttempt } from "./record.js";

const TRANSCRIBE = "transcribe";
const CALLBACKS = "callbacks";

interface JobData {
  id: string;
}

const connect = (url: string): Redis => new Redis(url, { maxRetriesPerRequest: null });

/** One delivery job per job id (BullMQ refuses a duplicate id), retried with exponential backoff. */
function callbackJobOptions(id: string, webhooks: WebhookConfig) {
  return {
    jobId: `cb-${id}`,
    attempts: webhooks.maxAttempts,
    backoff: { type: "exponential", delay: webhooks.retryBaseMs },
    removeOnComplete: true,
    removeOnFail: true,
  };
}

/** The API node's side: enqueue and cancel. */
export class BullDispatcher {
  private readonly connection: Redis;
  private readonly queue: Queue<JobData>;

  constructor(redisUrl: string, prefix: string) {
    this.connection = connect(redisUrl);
    this.queue = new Queue<JobData>(TRANSCRIBE, { connection: this.connection, prefix: `${prefix}:bull` });
  }

  async enqueue(job: JobRecord): Promise<void> {
    await this.queue.add(
      TRANSCRIBE,
      { id: job.id },
      {
        jobId: job.id,
        // Our store counts attempts (crashes included) and decides; BullMQ only needs room to retry.
        attempts: job.maxAttempts + 1,
        backoff: { type: "exponential", delay: 1000 },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  /** A job that is running cannot be removed from BullMQ; its worker discards the result (the record is gone). */
  async cancel(id: string): Promise<void> {
    await this.queue.remove(id).catch(() => 0);
  }

  async close(): Promise<void> {
    await this.queue.close();
    await this.connection.quit().catch(() => {});
  }
}

export interface BullWorkerOptions {
  redisUrl: string;
  prefix: string;
  /** Jobs run at once by this process. */
  concurrency: number;
  /** A job's lock; a worker that stops renewing it (killed) has its jobs taken over after about this long. */
  lockMs: number;
  maxAttempts: number;
  webhooks: WebhookConfig;
  sender: CallbackSender;
}

/** The worker process's side: runs transcriptions and delivers callbacks. */
export function startBullWorkers(deps: ExecuteDeps, options: BullWorkerOptions): { close(): Promise<void> } {
  const prefix = `${options.prefix}:bull`;
  const connections = [connect(options.redisUrl), connect(options.redisUrl), connect(options.redisUrl)];
  const more = (): Redis => {
    const connection = connect(options.redisUrl);
    connections.push(connection);
    return connection;
  };
  const fanout = new PieceFanout({
    redis: more(),
    connect: more,
    prefix: options.prefix,
    engine: deps.engine,
    blobs: deps.blobs,
    concurrency: deps.engine.status().workers,
  });
  const { store } = deps;
  const executeDeps: ExecuteDeps = {
    ...deps,
    transcribe: (job, audio, onProgress) => fanout.transcribe(job, audio, onProgress),
  };
  const callbacks = new Queue<JobData>(CALLBACKS, { connection: connections[0]!, prefix });
  const scheduleCallback = async (job: JobRecord): Promise<void> => {
    if (job.callback) await callbacks.add(CALLBACKS, { id: job.id }, callbackJobOptions(job.id, options.webhooks));
  };

  const transcriber = new Worker<JobData>(
    TRANSCRIBE,
    async (bullJob) => {
      const job = await store.get(bullJob.data.id);
      // Cancelled, or finished by an earlier run whose completion BullMQ did not see: nothing to do.
      if (!job || isTerminal(job.status)) return;
      if (outOfAttempts(job)) {
        await store.update(job.id, interrupted(job, deps.retentionMs));
        await scheduleCallback(job);
        return;
      }
      const started = startAttempt(job);
      const { status, progress, attempts, startedAt } = started;
      if (!(await store.update(job.id, { status, progress, attempts, startedAt }))) return;
      const result = await executeJob(started, executeDeps);
      if (result.outcome === "retry" || result.outcome === "busy") {
        await store.update(job.id, requeued(started, result));
        // Throwing hands the job back to BullMQ, which runs it again after its backoff.
        throw new Error(result.error.err_msg);
      }
      if (result.outcome !== "gone") await scheduleCallback(job);
    },
    {
      connection: connections[1]!,
      prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockMs,
      stalledInterval: Math.max(1000, Math.round(options.lockMs / 2)),
      maxStalledCount: options.maxAttempts,
    },
  );

  const deliverer = new Worker<JobData>(
    CALLBACKS,
    async (bullJob) => {
      const { result } = await deliverCallback(store, options.sender, bullJob.data.id, options.webhooks.maxAttempts);
      if (result === "retry") throw new Error(`Callback of job ${bullJob.data.id} not accepted; retrying.`);
    },
    { connection: connections[2]!, prefix, concurrency: 8 },
  );
  // Errors surface on the job records; keep BullMQ's own from becoming unhandled 'error' events.
  transcriber.on("error", () => {});
  deliverer.on("error", () => {});

  return {
    async close() {
      await Promise.all([transcriber.close(), deliverer.close(), fanout.close()]);
      await callbacks.close();
      await Promise.all(connections.map((c) => c.quit().catch(() => {})));
    },
  };
}
