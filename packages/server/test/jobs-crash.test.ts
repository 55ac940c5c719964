/**
 * What keeps a crash from losing or repeating a job, in both stores: an ended job stays ended (a second run of
 * it, after its worker was wrongly presumed dead, is discarded), an ended job's callback is due in the same write,
 * and in Redis mode the reconciler puts back on the queue a job whose API node died before enqueueing it.
 */
import { join } from "node:path";
import { type RedisServer, startRedis } from "@earshot/bench/processes";
import { parseListenOptions } from "@earshot/protocol";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../../test/support/app.js";
import { FakeEngine } from "../../../test/support/fake-engine.js";
import { reconcileQueue } from "../src/jobs/bull.js";
import { executeJob } from "../src/jobs/execute.js";
import { completed, type JobRecord, type JobStore, startAttempt } from "../src/jobs/record.js";
import { RedisJobStore } from "../src/jobs/redis-store.js";
import { SqliteJobStore } from "../src/jobs/sqlite-store.js";
import { UrlFetcher } from "../src/listen/fetch-url.js";
import { FsBlobStore } from "../src/storage/fs-blob-store.js";

const RETENTION_MS = 60_000;
let created = 0;

function newJob(patch: Partial<JobRecord> = {}): JobRecord {
  return {
    id: `crash-${process.pid}-${++created}`,
    kind: "jobs",
    status: "queued",
    progress: 0,
    createdAt: Date.now(),
    startedAt: null,
    completedAt: null,
    expiresAt: null,
    attempts: 0,
    maxAttempts: 3,
    options: parseListenOptions({}),
    source: { type: "upload", url: null, size: 4 },
    audioKey: null,
    callback: { url: "http://127.0.0.1:9/hook", method: "POST", state: "pending", attempts: [] },
    error: null,
    result: null,
    meta: {},
    ...patch,
  };
}

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.close();
});

const stores: Array<[string, () => JobStore]> = [
  ["SQLite", () => new SqliteJobStore(join(tempDir("crash-sqlite"), "jobs.db"))],
  ["Redis", () => new RedisJobStore(redis.url, `crash-${++created}`)],
];

describe.each(stores)("%s store: an ended job stays ended", (_, open) => {
  it("refuses status and progress patches once done, takes callback records", async () => {
    const store = open();
    try {
      const job = newJob();
      await store.create(job);
      const result = { metadata: { request_id: job.id } } as NonNullable<JobRecord["result"]>;
      expect(await store.update(job.id, completed(result, RETENTION_MS))).toBe(true);
      expect(await store.update(job.id, { status: "processing", attempts: 2 })).toBe(false);
      expect(await store.update(job.id, { progress: 0.5 })).toBe(false);
      expect(await store.update(job.id, { status: "error" })).toBe(false);
      const delivered = { ...job.callback!, state: "delivered" as const };
      expect(await store.update(job.id, { callback: delivered })).toBe(true);
      expect(await store.get(job.id)).toMatchObject({ status: "done", progress: 1, attempts: 0, callback: delivered });
    } finally {
      await store.close();
    }
  });

  it("discards a second run of a job another run has completed", async () => {
    const store = open();
    const dir = tempDir("crash-blobs");
    const deps = {
      store,
      blobs: new FsBlobStore(dir),
      engine: new FakeEngine(),
      urls: new UrlFetcher({ maxBytes: 1024, timeoutMs: 1000, maxRedirects: 0, allowList: [] }),
      retentionMs: RETENTION_MS,
    };
    try {
      const job = newJob({ audioKey: "audio/x" });
      await deps.blobs.put("audio/x", Buffer.from("RIFF"));
      await store.create(job);
      // Two runs of one job: the worker of the first was presumed dead, so the job was taken over.
      const first = startAttempt(job);
      const second = startAttempt(first);
      expect(await executeJob(first, deps)).toEqual({ outcome: "done" });
      const done = await store.get(job.id);
      expect(await executeJob(second, deps)).toEqual({ outcome: "gone" });
      expect(await store.get(job.id)).toEqual(done);
    } finally {
      await store.close();
      await deps.urls.close();
    }
  });
});

describe("SQLite store: a crash right after a job ends", () => {
  it("cannot lose its callback: the write that ends the job makes the callback due", async () => {
    const store = new SqliteJobStore(join(tempDir("crash-due"), "jobs.db"));
    try {
      const job = newJob();
      await store.create(job);
      expect(store.dueCallbacks(Date.now(), 10)).toEqual([]);
      await store.update(job.id, completed({} as NonNullable<JobRecord["result"]>, RETENTION_MS));
      expect(store.dueCallbacks(Date.now(), 10)).toEqual([job.id]);
    } finally {
      await store.close();
    }
  });
});

describe("Redis reconciler", () => {
  it("puts back a job its API node wrote but never enqueued, once, and leaves the others alone", async () => {
    const prefix = `reconcile-${++created}`;
    const store = new RedisJobStore(redis.url, prefix);
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue<{ id: string }>("transcribe", { connection, prefix: `${prefix}:bull` });
    try {
      // The API node died between these two steps of a submission: the record is there, the queue entry is not.
      const orphan = newJob();
      await store.create(orphan);
      const enqueued = newJob();
      await store.create(enqueued);
      await queue.add("transcribe", { id: enqueued.id }, { jobId: enqueued.id });
      const ended = newJob();
      await store.create(ended);
      await store.update(ended.id, completed({} as NonNullable<JobRecord["result"]>, RETENTION_MS));

      expect(await reconcileQueue(store, queue)).toBe(1);
      expect(await queue.getJobState(orphan.id)).toBe("waiting");
      expect(await queue.getJobState(ended.id)).toBe("unknown");
      expect(await queue.getWaitingCount()).toBe(2);
      // A second pass (another node's, or the next interval's) finds nothing to do.
      expect(await reconcileQueue(store, queue)).toBe(0);
      expect(await queue.getWaitingCount()).toBe(2);
    } finally {
      await queue.close();
      await connection.quit();
      await store.close();
    }
  });
});
