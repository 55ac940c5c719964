/**
 * The job engine's state handling without HTTP: what each way a run can end does to the record (the outcome
 * table), the SQLite store's claims, leases and orphans, and the runner's recovery of interrupted jobs.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { AudioDecodeError, CapacityError, EarshotError, parseListenOptions } from "@earshot/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir } from "../../../test/support/app.js";
import { FakeEngine } from "../../../test/support/fake-engine.js";
import { type ExecuteDeps, executeJob } from "../src/jobs/execute.js";
import { LocalRunner } from "../src/jobs/local-runner.js";
import { type JobRecord, requeued, startAttempt, TOMBSTONE_MS } from "../src/jobs/record.js";
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
