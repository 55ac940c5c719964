/**
 * The job engine as the API routes see it, whichever mode runs underneath: submit, read, list, delete, and
 * the retention sweep that deletes audio and results once their time is up.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { JobKind, JobStatus } from "@earshot/protocol";
import type { Principal } from "../auth/authenticator.js";
import type { ServerConfig } from "../config/load.js";
import type { ServerEngine } from "../engine.js";
import type { UrlFetcher } from "../listen/fetch-url.js";
import { type ListenRequest, recognitionLanguage } from "../listen/request.js";
import type { BlobStore } from "../storage/blob-store.js";
import { FsBlobStore } from "../storage/fs-blob-store.js";
import { embeddedDatabase } from "../storage/sqlite.js";
import { visibleTo } from "../storage/uploads.js";
import { CallbackSender, type DeliveryOutcome } from "../webhooks/sender.js";
import { BullDispatcher } from "./bull.js";
import { JobNotFoundError } from "./errors.js";
import type { ExecuteDeps } from "./execute.js";
import { LocalRunner } from "./local-runner.js";
import type { JobListFilter, JobOwner, JobRecord, JobStore } from "./record.js";
import { RedisJobStore } from "./redis-store.js";
import { SqliteJobStore } from "./sqlite-store.js";

export interface SubmitRequest {
  /** The request's own id, so the id clients see in `dg-request-id` is the job's. Default: a new UUID. */
  id?: string;
  kind: JobKind;
  listen: ListenRequest;
  /** What an API family keeps for its own view of the job (Gladia). */
  meta?: Record<string, unknown>;
  /** The project and key submitting it. */
  owner?: JobOwner | undefined;
}

/** A request's caller as a job's owner. */
export const ownerOf = (principal: Principal | undefined): JobOwner | undefined =>
  principal && { projectId: principal.projectId, apiKeyId: principal.apiKeyId };

interface Dispatcher {
  enqueue(job: JobRecord): void | Promise<void>;
  cancel(id: string): void | Promise<void>;
  close(): void | Promise<void>;
}

export interface JobServiceDeps {
  config: ServerConfig;
  engine: ServerEngine;
  urls: UrlFetcher;
  /** Signs every callback. */
  webhookSecret: string;
  /** Told when a job ends for good (the request log). */
  onSettled?: ExecuteDeps["onSettled"];
  /** Told of every callback delivery attempt (metrics). */
  onDelivery?: (outcome: DeliveryOutcome) => void;
  log: (message: string, err?: unknown) => void;
}

export class JobService {
  private readonly sweeper: NodeJS.Timeout;

  private constructor(
    readonly store: JobStore,
    readonly blobs: BlobStore,
    private readonly dispatcher: Dispatcher,
    private readonly sender: CallbackSender,
    private readonly deps: JobServiceDeps,
  ) {
    // Retention is checked often enough that a short TTL (tests, privacy settings) is honoured closely.
    const every = Math.min(60_000, Math.max(250, Math.round(deps.config.jobs.retentionMs / 4)));
    this.sweeper = setInterval(() => void this.sweep().catch((err) => deps.log("retention sweep failed", err)), every);
    this.sweeper.unref();
  }

  /** Embedded (SQLite + this engine) by default; BullMQ + Redis with `jobs.redisUrl`. */
  static open(deps: JobServiceDeps): JobService {
    const { config, engine, urls, log } = deps;
    const { jobs, webhooks } = config;
    const blobs = new FsBlobStore(jobs.blobDir);
    const sender = new CallbackSender(config.url, webhooks, deps.webhookSecret, deps.onDelivery);
    if (jobs.redisUrl) {
      const store = new RedisJobStore(jobs.redisUrl, jobs.queuePrefix);
      const dispatcher = new BullDispatcher(jobs.redisUrl, jobs.queuePrefix, {
        store,
        everyMs: jobs.reconcileMs,
        log,
      });
      return new JobService(store, blobs, dispatcher, sender, deps);
    }
    mkdirSync(jobs.dataDir, { recursive: true });
    const store = new SqliteJobStore(embeddedDatabase(jobs.dataDir));
    const runner = new LocalRunner(
      store,
      { store, blobs, engine, urls, retentionMs: jobs.retentionMs, onSettled: deps.onSettled },
      { concurrency: jobs.concurrency ?? engine.status().workers, webhooks, sender, log },
    );
    runner.start();
    const dispatcher: Dispatcher = { enqueue: () => runner.enqueue(), cancel: () => {}, close: () => runner.close() };
    return new JobService(store, blobs, dispatcher, sender, deps);
  }

  async submit(request: SubmitRequest): Promise<JobRecord> {
    const { options, audio, callback } = request.listen;
    // Refuse now what would only fail later: an unknown model, a callback we cannot call.
    this.deps.engine.registry.resolve(options.model, recognitionLanguage(options.language));
    if (callback) this.sender.check(callback.url);
    if (audio.type === "url") this.deps.urls.validate(audio.url);
    const id = request.id ?? randomUUID();
    let audioKey: string | null = audio.type === "stored" ? audio.key : null;
    if (audio.type === "bytes") {
      audioKey = `audio/${id}`;
      // The audio is safe on disk before the job exists, so no job ever points at missing audio.
      await this.blobs.put(audioKey, audio.bytes);
    }
    const job: JobRecord = {
      id,
      kind: request.kind,
      status: "queued",
      progress: 0,
      createdAt: Date.now(),
      startedAt: null,
      completedAt: null,
      expiresAt: null,
      attempts: 0,
      maxAttempts: this.deps.config.jobs.maxAttempts,
      options,
      source:
        audio.type === "url"
          ? { type: "url", url: audio.url, size: null }
          : { type: "upload", url: null, size: audio.type === "bytes" ? audio.bytes.byteLength : audio.size },
      audioKey,
      callback: callback ? { ...callback, state: "pending", attempts: [] } : null,
      error: null,
      result: null,
      meta: request.meta ?? {},
      owner: request.owner ?? null,
    };
    await this.store.create(job);
    await this.dispatcher.enqueue(job);
    return job;
  }

  /**
   * The job, or a 404 that says whether it expired, was deleted or never existed. With a `caller`, another
   * project's job is a plain 404: its existence is not told either.
   */
  async get(id: string, caller?: Principal): Promise<JobRecord> {
    const job = await this.store.get(id);
    if (job && visibleTo(job.owner?.projectId ?? null, caller?.projectId)) return job;
    throw new JobNotFoundError(id, job ? undefined : await this.store.tombstone(id));
  }

  list(filter: JobListFilter): Promise<{ jobs: JobRecord[]; total: number }> {
    return this.store.list(filter);
  }

  /** Cancels a queued or running job, or deletes a finished one, with its audio and result. */
  async delete(id: string, caller?: Principal): Promise<JobStatus> {
    const job = await this.get(id, caller);
    await this.store.remove(id, "deleted");
    await this.dispatcher.cancel(id);
    if (job.audioKey) await this.blobs.delete(job.audioKey);
    return job.status;
  }

  /** Deletes what has outlived its retention: finished jobs (leaving an "expired" tombstone) and stray uploads. */
  async sweep(now = Date.now()): Promise<void> {
    for (;;) {
      const expired = await this.store.expired(now, 100);
      for (const job of expired) {
        if (job.audioKey) await this.blobs.delete(job.audioKey);
        await this.store.remove(job.id, "expired");
      }
      if (expired.length < 100) break;
    }
    await this.blobs.sweep("uploads", new Date(now - this.deps.config.jobs.retentionMs));
    await this.store.prune(now);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.dispatcher.close();
    await this.sender.close();
    await this.store.close();
  }
}
