/**
 * Embedded mode's worker: runs queued jobs from the SQLite store on this process's engine, a few at a time,
 * and delivers their callbacks. Everything it needs to resume lives in the file — a job interrupted by a crash
 * is found again through its lapsed lease (or its dead process) and requeued, until its attempts run out.
 */

import type { WebhookConfig } from "../config/load.js";
import { deliverCallback, retryDelay } from "../webhooks/deliver.js";
import type { CallbackSender } from "../webhooks/sender.js";
import { type ExecuteDeps, executeJob } from "./execute.js";
import { interrupted, type JobRecord, outOfAttempts, requeued } from "./record.js";
import { newLeaseOwner, type SqliteJobStore } from "./sqlite-store.js";

export interface LocalRunnerOptions {
  concurrency: number;
  /** How long a running job stays ours without renewal; renewed every tick. */
  leaseMs?: number;
  tickMs?: number;
  webhooks: WebhookConfig;
  sender: CallbackSender;
  log?: (message: string, err?: unknown) => void;
}

const BUSY_PAUSE_MS = 1000;

export class LocalRunner {
  private readonly owner = newLeaseOwner();
  private readonly running = new Set<string>();
  private readonly leaseMs: number;
  private timer: NodeJS.Timeout | undefined;
  private pausedUntil = 0;
  private delivering = false;
  private closed = false;

  constructor(
    private readonly store: SqliteJobStore,
    private readonly deps: ExecuteDeps,
    private readonly options: LocalRunnerOptions,
  ) {
    this.leaseMs = options.leaseMs ?? 30_000;
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.options.tickMs ?? 1000);
    this.timer.unref();
  }

  /** A job was submitted: start it now if there is room, instead of at the next tick. */
  enqueue(): void {
    this.pump();
  }

  private tick(): void {
    if (this.closed) return;
    try {
      this.recoverOrphans();
    } catch (err) {
      // A busy database (another process holding the write lock past the timeout) only delays this a tick.
      this.options.log?.("job recovery failed", err);
    }
    this.pump();
    void this.deliverDue();
  }

  /** Renews our leases and requeues the jobs of runners that are gone (or fails them when out of attempts). */
  private recoverOrphans(): void {
    const now = Date.now();
    this.store.renewLeases(this.owner, [...this.running], now + this.leaseMs);
    for (const job of this.store.orphans(this.owner, now)) {
      if (outOfAttempts(job)) void this.finishInterrupted(job);
      else this.store.requeue(job.id);
    }
  }

  private async finishInterrupted(job: JobRecord): Promise<void> {
    // Its callback becomes due in the same write (the store schedules an ended job's pending callback).
    await this.store.update(job.id, interrupted(job, this.deps.retentionMs));
  }

  private pump(): void {
    while (!this.closed && Date.now() >= this.pausedUntil && this.running.size < this.options.concurrency) {
      let job: JobRecord | undefined;
      try {
        job = this.store.claim(this.owner, Date.now() + this.leaseMs);
      } catch (err) {
        this.options.log?.("claiming a job failed", err);
        return;
      }
      if (!job) return;
      this.running.add(job.id);
      void this.run(job)
        .catch((err) => this.options.log?.(`job ${job.id} failed unexpectedly`, err))
        .finally(() => {
          this.running.delete(job.id);
          this.pump();
        });
    }
  }

  private async run(job: JobRecord): Promise<void> {
    const result = await executeJob(job, this.deps);
    if (this.closed) return;
    switch (result.outcome) {
      case "retry":
        this.store.requeue(job.id, requeued(job, result));
        return;
      case "busy":
        // Synchronous requests filled the engine: wait a moment before taking jobs again.
        this.store.requeue(job.id, requeued(job, result));
        this.pausedUntil = Date.now() + BUSY_PAUSE_MS;
        return;
      case "done":
      case "error":
        // The write that ended the job made its callback due; deliver it now rather than at the next tick.
        if (job.callback) void this.deliverDue();
        return;
      case "gone":
        return;
    }
  }

  private async deliverDue(): Promise<void> {
    if (this.delivering || this.closed) return;
    this.delivering = true;
    try {
      const { webhooks, sender } = this.options;
      for (const id of this.store.dueCallbacks(Date.now(), 20)) {
        // Hold the delivery for as long as it may take, so a crash mid-send means a retry, not a lost callback.
        this.store.scheduleCallback(id, Date.now() + webhooks.timeoutMs * 2);
        const { result, attempt } = await deliverCallback(this.store, sender, id, webhooks.maxAttempts);
        this.store.scheduleCallback(
          id,
          result === "retry" ? Date.now() + retryDelay(attempt, webhooks.retryBaseMs) : null,
        );
      }
    } catch (err) {
      this.options.log?.("callback delivery failed", err);
    } finally {
      this.delivering = false;
    }
  }

  /** Stops taking jobs. Jobs still running are left to their lease: the next process start resumes them. */
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }
}
