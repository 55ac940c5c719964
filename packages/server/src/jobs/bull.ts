/**
 * Scale-out mode on BullMQ. API nodes put job ids on the `transcribe` queue; `earshot worker` processes, on any
 * machine that reaches Redis and the blob store, take them. The Redis job store stays the record of truth —
 * BullMQ only carries ids, and its stalled-job detection brings back the jobs of a worker that died (its lock
 * lapses); a reconciler puts back what the queue lost (an API node killed between writing a job and enqueueing
 * it). Callbacks travel on their own queue, whose retries with exponential backoff are BullMQ's.
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
import type { RedisJobStore } from "./redis-store.js";

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

/** Puts `job` on the transcription queue under its own id, so a second add of the same job is a no-op. */
async function addTranscription(queue: Queue<JobData>, job: Pick<JobRecord, "id" | "maxAttempts">): Promise<void> {
  await queue.add(
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

/**
 * Puts back on the queue every job the store has as queued or processing but BullMQ no longer holds: an API
 * node that died between writing a job and enqueueing it, or a job BullMQ gave up on (stalled or retried more
 * often than it allows) before our store ended it. Adding under the job's id makes a race with a regular
 * enqueue harmless. Returns how many jobs it put back.
 */
export async function reconcileQueue(store: RedisJobStore, queue: Queue<JobData>): Promise<number> {
  let added = 0;
  for (const id of await store.unfinished()) {
    if ((await queue.getJobState(id)) !== "unknown") continue;
    // Read again: the job may have ended (and left the queue) since the list was read.
    const job = await store.get(id);
    if (!job || isTerminal(job.status)) continue;
    await addTranscription(queue, job);
    added++;
  }
  return added;
}

/** Runs {@link reconcileQueue} now and every `everyMs`, one pass at a time; `stop` waits for the pass under way. */
function startReconciler(
  store: RedisJobStore,
  queue: Queue<JobData>,
  everyMs: number,
  log: (message: string, err?: unknown) => void,
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const pass = (): void => {
    running = running
      .then(() => reconcileQueue(store, queue))
      .then((added) => added > 0 && log(`requeued ${added} jobs missing from the queue`))
      .catch((err) => log("job queue reconciliation failed", err));
  };
  pass();
  const timer = setInterval(pass, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

export interface ReconcileOptions {
  store: RedisJobStore;
  everyMs: number;
  log: (message: string, err?: unknown) => void;
}

/** The API node's side: enqueue and cancel, and the reconciliation of the queue with the store. */
export class BullDispatcher {
  private readonly connection: Redis;
  private readonly queue: Queue<JobData>;
  private readonly reconciler: { stop(): Promise<void> };

  constructor(redisUrl: string, prefix: string, reconcile: ReconcileOptions) {
    this.connection = connect(redisUrl);
    this.queue = new Queue<JobData>(TRANSCRIBE, { connection: this.connection, prefix: `${prefix}:bull` });
    this.reconciler = startReconciler(reconcile.store, this.queue, reconcile.everyMs, reconcile.log);
  }

  enqueue(job: JobRecord): Promise<void> {
    return addTranscription(this.queue, job);
  }

  /** A job that is running cannot be removed from BullMQ; its worker discards the result (the record is gone). */
  async cancel(id: string): Promise<void> {
    await this.queue.remove(id).catch(() => 0);
  }

  async close(): Promise<void> {
    await this.reconciler.stop();
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
  /** How often this worker looks for jobs whose lock lapsed. */
  stalledCheckMs: number;
  maxAttempts: number;
  /** This worker reconciles the queue with the store too, so jobs are found again with no API node up. */
  reconcile: ReconcileOptions;
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
  // Every queue this worker takes from recovers from a killed worker on the same clock.
  const locks = { lockDuration: options.lockMs, stalledInterval: options.stalledCheckMs };
  const fanout = new PieceFanout({
    redis: more(),
    connect: more,
    locks,
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
  const transcriptions = new Queue<JobData>(TRANSCRIBE, { connection: more(), prefix });
  const reconciler = startReconciler(
    options.reconcile.store,
    transcriptions,
    options.reconcile.everyMs,
    options.reconcile.log,
  );

  const transcriber = new Worker<JobData>(
    TRANSCRIBE,
    async (bullJob) => {
      const job = await store.get(bullJob.data.id);
      if (!job) return; // cancelled
      if (isTerminal(job.status)) {
        // Ended by an earlier run whose worker died before BullMQ saw it finish, maybe before its callback was
        // queued: queue it now (a no-op when it is queued already, and a delivered callback is not pending).
        if (job.callback?.state === "pending") await scheduleCallback(job);
        return;
      }
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
      ...locks,
      maxStalledCount: options.maxAttempts,
    },
  );

  const deliverer = new Worker<JobData>(
    CALLBACKS,
    async (bullJob) => {
      const { result } = await deliverCallback(store, options.sender, bullJob.data.id, options.webhooks.maxAttempts);
      if (result === "retry") throw new Error(`Callback of job ${bullJob.data.id} not accepted; retrying.`);
    },
    // A delivery cut off by a kill is tried again however often that happens: BullMQ giving up on it would
    // leave the callback pending for good. Its attempts are counted on the job record instead.
    { connection: connections[2]!, prefix, concurrency: 8, ...locks, maxStalledCount: Number.MAX_SAFE_INTEGER },
  );
  // Errors surface on the job records; keep BullMQ's own from becoming unhandled 'error' events.
  transcriber.on("error", () => {});
  deliverer.on("error", () => {});

  return {
    async close() {
      await reconciler.stop();
      await Promise.all([transcriber.close(), deliverer.close(), fanout.close()]);
      await Promise.all([callbacks.close(), transcriptions.close()]);
      await Promise.all(connections.map((c) => c.quit().catch(() => {})));
    },
  };
}
