/**
 * Chaos, scale-out mode: an `earshot serve --redis` API node, an `earshot worker` and a durable `redis-server`
 * (append-only file, fsync always), each killed with SIGKILL in turn and restarted, while jobs with signed
 * callbacks are submitted and two live streams of real speech run. Every job answered 202 must end `done`
 * with its own result and exactly one callback; every live client must see a close it can act on, reconnect
 * and carry on. Short locks and intervals keep the run within a minute; `npm run bench:chaos` is the long form.
 */
import { readFileSync } from "node:fs";
import { ChaosCluster, pcm16k, runChaos } from "@earshot/bench/chaos-harness";
import { loadClips } from "@earshot/bench/corpus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The 10 shortest LJ clips as jobs: the point is the number of jobs caught by each kill, not their length.
const clips = loadClips("ljspeech-dev")
  .sort((a, b) => a.duration - b.duration)
  .slice(0, 10);
/** Close codes a client can act on when a server goes away: going away, abnormal (killed), internal, restart. */
const ACTIONABLE = [1001, 1006, 1011, 1012];

let cluster: ChaosCluster;
beforeAll(async () => {
  cluster = await ChaosCluster.start({
    workerThreads: 2,
    env: { EARSHOT_JOB_LOCK_MS: "3000", EARSHOT_JOB_STALLED_CHECK_MS: "500", EARSHOT_JOB_RECONCILE_MS: "2000" },
  });
});
afterAll(async () => {
  await cluster?.close();
});

describe("chaos", () => {
  it("kill -9 of the worker, the API node and Redis: every accepted job done once, live clients carry on", async () => {
    const report = await runChaos(cluster, {
      jobs: clips.map((c) => readFileSync(c.path)),
      submitGapMs: 300,
      streams: 2,
      pcm: pcm16k(loadClips("ljspeech-dev", 3).map((c) => c.path)),
      kills: [
        { target: "worker", afterMs: 2000, downMs: 0 },
        { target: "api", afterMs: 2000, downMs: 500 },
        { target: "redis", afterMs: 2000, downMs: 500 },
      ],
      liveAfterMs: 4000,
      settleMs: 30_000,
    });
    const { audit } = report;
    expect(audit.problems).toEqual([]);
    expect(audit).toMatchObject({
      accepted: clips.length,
      done: clips.length,
      duplicated: 0,
      lost: 0,
      errored: 0,
      wrong: 0,
      invalid: 0,
    });
    // Every job running at a kill was taken up again and finished.
    for (const kill of report.kills) expect(kill.inFlightDoneMs, kill.target).not.toBeNull();
    for (const stream of report.live) {
      expect(stream.failure).toBeNull();
      // The API node's kill dropped it; every drop had a code to act on, and it reconnected and went on.
      expect(stream.reconnects).toBeGreaterThanOrEqual(1);
      for (const code of stream.dropCodes) expect(ACTIONABLE).toContain(code);
      expect(stream.finalsAfterReconnect).toBeGreaterThan(0);
      expect(stream.closeCode).toBe(1000);
    }
  });
});
