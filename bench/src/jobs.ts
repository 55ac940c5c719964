/**
 * `node bench/dist/jobs.js [--jobs 100]`: throughput of the job engine on the shared speech set, in audio
 * seconds per wall-clock second, through (a) embedded mode (one `earshot serve`, 2 engine threads) and (b)
 * Redis + BullMQ with 1 and 2 `earshot worker` processes of one engine thread each, taking turns; and one long
 * file (≥ 5 min, LJ clips end to end), whose pieces are spread over the workers, with 1 vs 2 workers. Every
 * configuration runs in real processes, warmed up first. Prints a markdown table and the machine's load.
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { EarshotClient } from "@earshot/sdk";
import { type Clip, loadClips } from "./corpus.js";
import { type EarshotProcess, startEarshot, startRedis } from "./processes.js";

const { values } = parseArgs({ options: { jobs: { type: "string", default: "100" } } });
const JOBS = Number(values.jobs);
const work = mkdtempSync(join(tmpdir(), "earshot-bench-jobs-"));

const clips = loadClips("ljspeech-dev", JOBS);
const audio = clips.map((c) => readFileSync(c.path));
const audioSeconds = clips.reduce((sum, c) => sum + c.duration, 0);

/** LJ clips end to end until there are at least five minutes. */
function longFile(): { bytes: Uint8Array; seconds: number } {
  const parts: Clip[] = [];
  let seconds = 0;
  for (const c of loadClips("ljspeech-dev")) {
    if (seconds >= 300) break;
    parts.push(c);
    seconds += c.duration;
  }
  const out = join(work, "long.wav");
  execFileSync("ffmpeg", [
    "-y",
    "-v",
    "error",
    ...parts.flatMap((c) => ["-i", c.path]),
    "-filter_complex",
    `concat=n=${parts.length}:v=0:a=1`,
    out,
  ]);
  return { bytes: readFileSync(out), seconds };
}

/** Submits every input at once, then waits for all to be done; returns wall-clock seconds. */
async function runBatch(client: EarshotClient, inputs: Uint8Array[]): Promise<number> {
  const started = performance.now();
  const ids = await Promise.all(inputs.map(async (bytes) => (await client.jobs.submit(bytes)).id));
  // One cheap count request per poll, so the measuring does not compete with the workers for the CPU.
  for (;;) {
    const { total } = await client.jobs.list({ status: ["done", "error"], limit: 1 });
    if (total >= ids.length) break;
    await sleep(100);
  }
  const failed = await client.jobs.list({ status: "error", limit: 1 });
  if (failed.total > 0) throw new Error(`${failed.total} jobs failed, e.g. ${JSON.stringify(failed.jobs[0]?.error)}`);
  const elapsed = (performance.now() - started) / 1000;
  // Clear the store so the next batch counts only its own jobs.
  for (const id of ids) await client.jobs.cancel(id);
  return elapsed;
}

interface Row {
  config: string;
  audio: number;
  wall: number;
  /** 1-minute load average when the run ended: other work on the machine shows here. */
  load: number;
}
const rows: Row[] = [];

async function measure(config: string, client: EarshotClient, inputs: Uint8Array[], seconds: number): Promise<number> {
  // Warm-up: model loading in every engine thread is not what is measured.
  await runBatch(client, audio.slice(0, 4));
  const wall = await runBatch(client, inputs);
  rows.push({ config, audio: seconds, wall, load: loadavg()[0]! });
  process.stderr.write(`${config}: ${seconds.toFixed(0)} s of audio in ${wall.toFixed(1)} s\n`);
  return wall;
}

async function main(): Promise<void> {
  const long = longFile();
  const loadBefore = loadavg();

  const embedded = await startEarshot(["serve", "--port", "0", "--workers", "2", "--data-dir", join(work, "embedded")]);
  const embeddedClient = new EarshotClient({ baseUrl: embedded.url });
  await measure(`embedded, ${JOBS} jobs (1 process, 2 threads)`, embeddedClient, audio, audioSeconds);
  await measure("embedded, long file (1 process, 2 threads)", embeddedClient, [long.bytes], long.seconds);
  await embedded.kill();

  const redis = await startRedis();
  const shared = ["--redis", redis.url, "--blob-dir", join(work, "blobs")];
  const api = await startEarshot([
    "serve",
    "--port",
    "0",
    "--workers",
    "1",
    "--data-dir",
    join(work, "api"),
    ...shared,
  ]);
  const client = new EarshotClient({ baseUrl: api.url });
  const startWorker = () => startEarshot(["worker", "--threads", "1", ...shared]);
  // Other work on this machine comes and goes, so 1 and 2 workers take turns on the same slices of the corpus
  // (worker A always runs; worker B joins for the 2-worker turns) and each sees about the same background load.
  const rounds = 4;
  const per = Math.ceil(JOBS / rounds);
  const totals = { one: 0, two: 0, longOne: 0, longTwo: 0 };
  const a: EarshotProcess = await startWorker();
  try {
    for (let round = 0; round < rounds; round++) {
      const slice = audio.slice(round * per, (round + 1) * per);
      const seconds = clips.slice(round * per, (round + 1) * per).reduce((sum, c) => sum + c.duration, 0);
      totals.one += await measure(
        `redis, jobs ${round * per + 1}–${round * per + slice.length}, 1 worker`,
        client,
        slice,
        seconds,
      );
      const b = await startWorker();
      try {
        totals.two += await measure(
          `redis, jobs ${round * per + 1}–${round * per + slice.length}, 2 workers`,
          client,
          slice,
          seconds,
        );
        if (round < 2)
          totals.longTwo += await measure("redis, long file, 2 workers", client, [long.bytes], long.seconds);
      } finally {
        await b.kill();
      }
      if (round < 2) totals.longOne += await measure("redis, long file, 1 worker", client, [long.bytes], long.seconds);
    }
  } finally {
    await a.kill();
    await api.kill();
    await redis.close();
  }
  const loadAfter = loadavg();

  const fmt = (n: number, digits = 1) => n.toFixed(digits);
  const lines = [
    "| configuration | audio (s) | wall (s) | audio-s / s | load (1 min) |",
    "|---|---:|---:|---:|---:|",
    ...rows.map(
      (r) => `| ${r.config} | ${fmt(r.audio, 0)} | ${fmt(r.wall)} | ${fmt(r.audio / r.wall)} | ${fmt(r.load, 2)} |`,
    ),
    "",
    `- redis, ${JOBS} jobs: 1 worker ${fmt(audioSeconds / totals.one)} audio-s/s, 2 workers ${fmt(audioSeconds / totals.two)} ` +
      `audio-s/s; 2 workers / 1 worker: **${fmt(totals.one / totals.two, 2)}×**`,
    `- long file (${fmt(long.seconds, 0)} s, cut at silences, pieces spread over the workers), 2 runs each: ` +
      `2 workers / 1 worker: **${fmt(totals.longOne / totals.longTwo, 2)}×**`,
    `- load average before: ${loadBefore.map((l) => fmt(l, 2)).join(" ")}; after: ${loadAfter.map((l) => fmt(l, 2)).join(" ")}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

await main();
