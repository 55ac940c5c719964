/**
 * `node bench/dist/chaos.js [--jobs 100] [--streams 4] [--kills 6] [--seed N]`: scale-out mode under `kill -9`.
 * A durable `redis-server` (append-only file, fsync always), an `earshot serve --redis` API node and an
 * `earshot worker` (2 engine threads); LJ clips from the shared set are submitted as jobs with signed callbacks
 * while live streams of real speech run, and the worker, the API node and Redis are killed in a seeded random
 * order at random moments, each started again after a random pause. Prints what became of every accepted job
 * (done exactly once, duplicated, lost, errored), how long each kill took to recover from, and what the live
 * clients saw. The lock, stalled check and reconcile interval are the defaults unless EARSHOT_JOB_* says otherwise.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { seededRandom } from "@earshot/engine";
import { loadConfig } from "@earshot/server";
import { ChaosCluster, type ChaosTarget, pcm16k, runChaos } from "./chaos-harness.js";
import { loadClips } from "./corpus.js";
import { machine, printTable } from "./table.js";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "100" },
    streams: { type: "string", default: "4" },
    kills: { type: "string", default: "6" },
    seed: { type: "string" },
  },
});
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);

// Seeded, so a run's kill schedule can be replayed with `--seed`.
const random = seededRandom(seed);
const between = (low: number, high: number): number => Math.round(low + random() * (high - low));

const TARGETS: ChaosTarget[] = ["worker", "api", "redis"];
// Every target is killed as often as the others, in a shuffled order.
const order = Array.from({ length: Number(values.kills) }, (_, i) => TARGETS[i % TARGETS.length]!);
for (let i = order.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [order[i], order[j]] = [order[j]!, order[i]!];
}
const kills = order.map((target) => ({ target, afterMs: between(2000, 12_000), downMs: between(0, 3000) }));

const clips = loadClips("ljspeech-dev", Number(values.jobs));
const seconds = (ms: number | null): string => (ms === null ? "never" : (ms / 1000).toFixed(1));

console.log(`# Chaos: ${clips.length} jobs, ${values.streams} live streams, ${kills.length} kills, seed ${seed}`);
// What the spawned processes will use: the defaults, or EARSHOT_JOB_* from this environment.
const { jobs } = loadConfig();
console.log(
  `lock ${jobs.lockMs} ms, stalled check every ${jobs.stalledCheckMs} ms, reconcile every ${jobs.reconcileMs} ms`,
);
const cluster = await ChaosCluster.start({ workerThreads: 2 });
const started = performance.now();
try {
  const report = await runChaos(
    cluster,
    {
      jobs: clips.map((c) => readFileSync(c.path)),
      submitGapMs: 300,
      streams: Number(values.streams),
      pcm: pcm16k(loadClips("ljspeech-dev", 6).map((c) => c.path)),
      kills,
      liveAfterMs: 10_000,
      settleMs: 15 * 60_000,
    },
    (line) => console.log(`${((performance.now() - started) / 1000).toFixed(1)} s: ${line}`),
  );
  const { audit } = report;
  console.log("\n## Jobs\n");
  printTable(
    [
      "accepted",
      "done once",
      "duplicated",
      "lost",
      "errored",
      "wrong result",
      "unexpected callbacks",
      "bad signatures",
      "refused submissions",
    ],
    [
      [
        audit.accepted,
        audit.done,
        audit.duplicated,
        audit.lost,
        audit.errored,
        audit.wrong,
        audit.unexpected,
        audit.invalid,
        report.refused,
      ],
    ],
  );
  for (const problem of audit.problems) console.log(`- ${problem}`);
  console.log("\n## Kills (seconds from each SIGKILL)\n");
  printTable(
    ["#", "target", "at", "down", "back", "jobs running", "next job done", "running jobs all done"],
    report.kills.map((k, i) => [
      i + 1,
      k.target,
      seconds(k.atMs),
      seconds(kills[i]!.downMs),
      seconds(k.backMs),
      k.inFlight,
      seconds(k.nextDoneMs),
      seconds(k.inFlightDoneMs),
    ]),
  );
  console.log("\n## Live streams\n");
  printTable(
    ["stream", "reconnects", "drop codes", "finals", "finals after last reconnect", "close", "failure"],
    report.live.map((s, i) => [
      i + 1,
      s.reconnects,
      [...new Set(s.dropCodes)].join(", ") || "-",
      s.finals,
      s.finalsAfterReconnect,
      s.closeCode,
      s.failure ?? "-",
    ]),
  );
  console.log(`\n${machine()}; ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (audit.lost + audit.duplicated + audit.wrong + audit.invalid > 0) process.exitCode = 1;
} finally {
  await cluster.close();
}
