/**
 * The job engine's state handling without HTTP: what each way a run can end does to the record (the outcome
 * table), the SQLite store's claims, leases and orphans, and the runner's recovery of interrupted jobs; and what
 * keeps a crash from losing or repeating a job in both stores: an ended job stays ended (a second run of it,
 * after its worker was wrongly presumed dead, is discarded), an ended job's callback is due in the same write,
 * and in Redis mode the reconciler puts back on the queue a job whose API node died before enqueueing it.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { type RedisServer, startRedis } from "@earshot/bench/processes";
import { AudioDecodeError, CapacityError, EarshotError, parseListenOptions } from "@earshot/protocol";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tempDir } from "../../../test/support/app.js";
import { FakeEngine } from "../../../test/support/fake-engine.js";
import { reconcileQueue } from "../src/jobs/bull.js";
import { type ExecuteDeps, executeJob } from "../src/jobs/execute.js";
import { LocalRunner } from "../src/jobs/local-runner.js";
import { completed, type JobRecord, type JobStore, requeued, startAttempt, TOMBSTONE_MS } from "../src/jobs/record.js";
import { RedisJobStore } from "../src/jobs/redis-store.js";
import { newLeaseOwner, SqliteJobStore } from "../src/jobs/sqlite-store.js";
import { UrlFetcher } from "../src/listen/fetch-url.js";
import { FsBlobStore } from "../src/storage/fs-blob-store.js";
import { CallbackSender } from "../src/webhooks/sender.js";

const RETENTION_MS = 60_000;
const POLICY = { maxBytes: 1024, timeoutMs: 1000, maxRedirects: 0, allowList: [] };

let store: SqliteJobStore;
let engine: FakeEngine;
let deps: ExecuteDeps;
let created = 0;

function newJob(patch: Partial<JobRecord> = {}): JobRecord {
  return {
    id: `job-${++created}`,
    kind: "jobs",
    status: "queued",
    progress: 0,
    createdAt: created,
    startedAt: null,
    completedAt: null,
    expiresAt: null,
    attempts: 0,
    maxAttempts: 3,
    options: parseListenOptions({}),
    source: { type: "upload", url: null, size: 4 },
    audioKey: "audio/some",
    callback: null,
    error: null,
    result: null,
    meta: {},
    ...patch,
  };
}

/** A queued job with its audio in the blob store. */
async function queued(patch: Partial<JobRecord> = {}): Promise<JobRecord> {
  const job = newJob(patch);
  await deps.blobs.put(`audio/${job.id}`, Buffer.from("RIFF"));
  return { ...job, audioKey: `audio/${job.id}` };
}

/** A job stored and started, as a runner hands it to `executeJob`. */
async function started(patch: Partial<JobRecord> = {}): Promise<JobRecord> {
  const running = startAttempt(await queued(patch));
  await store.create(running);
  return running;
}

beforeEach(() => {
  const dir = tempDir("unit-jobs");
  store = new SqliteJobStore(join(dir, "jobs.db"));
  engine = new FakeEngine();
  deps = {
    store,
    blobs: new FsBlobStore(join(dir, "blobs")),
    engine,
    urls: new UrlFetcher(POLICY),
    retentionMs: RETENTION_MS,
  };
});
afterEach(async () => {
  await store.close();
  await deps.urls.close();
});

describe("executeJob outcomes", () => {
  it("done: the result is saved, the job ends and expires after the retention period", async () => {
    const job = await started();
    expect(await executeJob(job, deps)).toEqual({ outcome: "done" });
    const saved = (await store.get(job.id))!;
    expect(saved).toMatchObject({ status: "done", progress: 1, error: null });
    expect(saved.result?.results.channels[0]?.alternatives[0]?.transcript).toBe("hello world");
    expect(saved.expiresAt! - saved.completedAt!).toBe(RETENTION_MS);
  });

  it.each([
    ["a client error (undecodable audio) ends it at once", new AudioDecodeError("bad bytes"), 1, "error", "error"],
    ["a server failure with attempts left asks for a retry", new Error("worker lost"), 1, "retry", "processing"],
    ["a server failure on the last attempt ends it", new Error("worker lost"), 3, "error", "error"],
    ["a full engine is busy, not failed", new CapacityError("full", 1), 1, "busy", "processing"],
  ])("%s", async (_, failure, attempts, outcome, status) => {
    const job = await started({ attempts: attempts - 1 });
    engine.transcribe = async () => {
      throw failure;
    };
    const result = await executeJob(job, deps);
    expect(result.outcome).toBe(outcome);
    const saved = (await store.get(job.id))!;
    expect(saved.status).toBe(status);
    if (status === "error") {
      expect(saved.error?.status).toBe(failure instanceof EarshotError ? failure.status : 500);
      expect(saved.expiresAt! - saved.completedAt!).toBe(RETENTION_MS);
    } else {
      expect(saved.error).toBeNull();
    }
  });

  it("gone: a job deleted while it ran is not brought back", async () => {
    const job = await started();
    engine.transcribe = async (...args) => {
      await store.remove(job.id, "deleted");
      return FakeEngine.prototype.transcribe.apply(engine, args);
    };
    expect(await executeJob(job, deps)).toEqual({ outcome: "gone" });
    expect(await store.get(job.id)).toBeUndefined();
    expect((await store.tombstone(job.id))?.reason).toBe("deleted");
  });

  it("requeues a retry with its error and a busy run without counting the attempt", () => {
    const running = startAttempt(newJob({ attempts: 1 }));
    const error = { status: 500, err_code: "X", err_msg: "m", request_id: running.id };
    expect(requeued(running, { outcome: "retry", error })).toEqual({ status: "queued", progress: 0, error });
    expect(requeued(running, { outcome: "busy", error })).toEqual({ status: "queued", progress: 0, attempts: 1 });
  });
});

describe("SqliteJobStore claims and orphans", () => {
  it("claims the oldest queued job once, counting the attempt", async () => {
    const [first, second] = [newJob(), newJob()];
    // Stored newest first: the claim order is creation time, not insertion.
    await store.create(second);
    await store.create(first);
    const owner = newLeaseOwner();
    const a = store.claim(owner, Date.now() + 10_000);
    const b = store.claim(owner, Date.now() + 10_000);
    expect([a?.id, b?.id]).toEqual([first.id, second.id]);
    expect(a).toMatchObject({ status: "processing", attempts: 1 });
    expect(store.claim(owner, Date.now() + 10_000)).toBeUndefined();
  });

  it("finds jobs whose lease lapsed or whose process died, not those of a live runner", async () => {
    const live = newLeaseOwner();
    // A process that has exited: its pid is no longer alive on this host.
    const deadPid = spawnSync("true").pid;
    const dead = live.replace(`:${process.pid}:`, `:${deadPid}:`);
    for (const job of [newJob(), newJob(), newJob()]) await store.create(job);
    const kept = store.claim(live, Date.now() + 10_000)!;
    const lapsed = store.claim(live, Date.now() - 1)!;
    const orphaned = store.claim(dead, Date.now() + 10_000)!;
    const orphans = store.orphans(live, Date.now()).map((job) => job.id);
    expect(orphans.sort()).toEqual([lapsed.id, orphaned.id].sort());
    expect(orphans).not.toContain(kept.id);
    store.requeue(lapsed.id);
    expect(await store.get(lapsed.id)).toMatchObject({ status: "queued", progress: 0, attempts: 1 });
  });

  it("prunes tombstones only once they are older than the tombstone lifetime", async () => {
    const job = newJob();
    await store.create(job);
    await store.remove(job.id, "expired");
    await store.prune(Date.now());
    expect((await store.tombstone(job.id))?.reason).toBe("expired");
    await store.prune(Date.now() + TOMBSTONE_MS + 1000);
    expect(await store.tombstone(job.id)).toBeUndefined();
  });
});

describe("LocalRunner recovery", () => {
  it("fails a job interrupted on every attempt and requeues one with attempts left", async () => {
    const deadPid = spawnSync("true").pid;
    const dead = newLeaseOwner().replace(`:${process.pid}:`, `:${deadPid}:`);
    await store.create(await queued({ maxAttempts: 1 }));
    await store.create(await queued({ maxAttempts: 3 }));
    const exhausted = store.claim(dead, Date.now() + 60_000)!;
    const again = store.claim(dead, Date.now() + 60_000)!;
    const sender = new CallbackSender({ allowList: [] }, { timeoutMs: 1000 }, "whsec_dGVzdA==");
    const runner = new LocalRunner(store, deps, {
      concurrency: 1,
      tickMs: 20,
      webhooks: { secret: undefined, maxAttempts: 1, retryBaseMs: 10, timeoutMs: 1000 },
      sender,
    });
    runner.start();
    try {
      for (let i = 0; i < 100; i++) {
        const [a, b] = [await store.get(exhausted.id), await store.get(again.id)];
        if (a?.status === "error" && b?.status === "done") break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const failed = (await store.get(exhausted.id))!;
      expect(failed.status).toBe("error");
      expect(failed.error?.err_msg).toMatch(/interrupted 1 times/);
      expect(failed.expiresAt! - failed.completedAt!).toBe(RETENTION_MS);
      // Requeued, taken again by this runner, finished on its second attempt.
      expect(await store.get(again.id)).toMatchObject({ status: "done", attempts: 2 });
    } finally {
      runner.close();
      await sender.close();
    }
  });
});

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.close();
});

const CALLBACK: JobRecord["callback"] = {
  url: "http://127.0.0.1:9/hook",
  method: "POST",
  state: "pending",
  attempts: [],
};
const RESULT = { metadata: {} } as NonNullable<JobRecord["result"]>;

describe.each([
  ["SQLite", () => store],
  ["Redis", () => new RedisJobStore(redis.url, `unit-jobs-${++created}`)],
] as Array<[string, () => JobStore]>)("%s store: an ended job stays ended", (_, open) => {
  let jobs: JobStore;
  beforeEach(() => {
    jobs = open();
  });
  afterEach(async () => {
    if (jobs !== store) await jobs.close();
  });

  it("refuses status and progress patches once done, takes callback records", async () => {
    const job = newJob({ callback: CALLBACK });
    await jobs.create(job);
    expect(await jobs.update(job.id, completed(RESULT, RETENTION_MS))).toBe(true);
    expect(await jobs.update(job.id, { status: "processing", attempts: 2 })).toBe(false);
    expect(await jobs.update(job.id, { progress: 0.5 })).toBe(false);
    expect(await jobs.update(job.id, { status: "error" })).toBe(false);
    const delivered = { ...CALLBACK, state: "delivered" as const };
    expect(await jobs.update(job.id, { callback: delivered })).toBe(true);
    expect(await jobs.get(job.id)).toMatchObject({ status: "done", progress: 1, attempts: 0, callback: delivered });
  });

  it("discards a second run of a job another run has completed", async () => {
    const job = await queued();
    await jobs.create(job);
    // Two runs of one job: the worker of the first was presumed dead, so the job was taken over.
    const first = startAttempt(job);
    const second = startAttempt(first);
    expect(await executeJob(first, { ...deps, store: jobs })).toEqual({ outcome: "done" });
    const done = await jobs.get(job.id);
    expect(await executeJob(second, { ...deps, store: jobs })).toEqual({ outcome: "gone" });
    expect(await jobs.get(job.id)).toEqual(done);
  });
});

describe("SqliteJobStore after a crash right after a job ends", () => {
  it("cannot lose its callback: the write that ends the job makes the callback due", async () => {
    const job = newJob({ callback: CALLBACK });
    await store.create(job);
    expect(store.dueCallbacks(Date.now(), 10)).toEqual([]);
    await store.update(job.id, completed(RESULT, RETENTION_MS));
    expect(store.dueCallbacks(Date.now(), 10)).toEqual([job.id]);
  });
});

describe("Redis reconciler", () => {
  it("puts back a job its API node wrote but never enqueued, once, and leaves the others alone", async () => {
    const prefix = `unit-reconcile-${++created}`;
    const jobs = new RedisJobStore(redis.url, prefix);
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue<{ id: string }>("transcribe", { connection, prefix: `${prefix}:bull` });
    try {
      // The API node died between these two steps of a submission: the record is there, the queue entry is not.
      const orphan = newJob();
      await jobs.create(orphan);
      const enqueued = newJob();
      await jobs.create(enqueued);
      await queue.add("transcribe", { id: enqueued.id }, { jobId: enqueued.id });
      const ended = newJob();
      await jobs.create(ended);
      await jobs.update(ended.id, completed(RESULT, RETENTION_MS));

      expect(await reconcileQueue(jobs, queue)).toBe(1);
      expect(await queue.getJobState(orphan.id)).toBe("waiting");
      expect(await queue.getJobState(ended.id)).toBe("unknown");
      expect(await queue.getWaitingCount()).toBe(2);
      // A second pass (another node's, or the next interval's) finds nothing to do.
      expect(await reconcileQueue(jobs, queue)).toBe(0);
      expect(await queue.getWaitingCount()).toBe(2);
    } finally {
      await queue.close();
      await connection.quit();
      await jobs.close();
    }
  });
});
