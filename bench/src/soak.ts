/**
 * bench/soak: a server process under steady, realistic load for a long time, watched for leaks.
 *
 * `earshot serve` runs as a process of its own (its RSS is its own, not this client's). N live streams play shared
 * LJ Speech clips at real-time pace, each stream reconnecting for a new set of clips when it ends (so streams open
 * and close all along, as callers come and go), and one batch request (`POST /v1/listen` of a clip) goes out every
 * few seconds. Every minute it prints the server's RSS, its main thread's JS heap (RSS growth outside it is native
 * or the workers'), its event-loop lag (prom-client's, from `/metrics`, over the minute), its open file descriptors,
 * active handles and streams, its live decoders (held and idle now, built in the minute), and the minute's live
 * final delay and batch latency. At the end: the least-squares slope of RSS (MB/hour, sampled every 5 s after the
 * warm-up) and of event-loop lag p99, and a verdict: a leak (RSS slope above `--max-slope`) or a failed request
 * exits 1.
 *
 * Usage: node bench/dist/soak.js [--minutes 60] [--streams 8] [--clips 3] [--batch-every 5] [--warmup M]
 *        [--max-slope 25] [--workers N]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { StatusResponse } from "@earshot/protocol";
import { EarshotClient } from "@earshot/sdk";
import { loadClips } from "./corpus.js";
import { runV1Stream } from "./live-streams.js";
import { startEarshot } from "./processes.js";
import { percentile } from "./table.js";

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const minutes = Number(arg("minutes", "60"));
const streams = Number(arg("streams", "8"));
const clipsPerStream = Number(arg("clips", "3"));
const batchEverySeconds = Number(arg("batch-every", "5"));
/** Memory grows while models load, decoders are made and caches fill: the slope is taken after this. */
const warmupMinutes = Number(arg("warmup", String(Math.min(10, minutes / 4))));
/**
 * RSS growth after the warm-up that counts as a leak, MB/hour. A stream's state is a few MB and is returned when
 * it ends; a leak of even one stream's state per session (a session every ~30 s per stream) is far above this.
 */
const maxSlope = Number(arg("max-slope", "25"));
const workers = arg("workers", "");
const RSS_SAMPLE_MS = 5000;

/** The server process's resident memory, MB, and open file descriptors (sockets, files, pipes). */
function processStats(pid: number): { rssMb: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
  return { rssMb: rssKb / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

/** The unlabelled samples of a Prometheus text exposition, by metric name. */
async function scrape(base: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})? (\S+)$/.exec(line);
    if (match) values.set(match[1]!, (values.get(match[1]!) ?? 0) + Number(match[2]));
  }
  return values;
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx === 0 ? Number.NaN : sxy / sxx;
}

interface Window {
  finals: number[];
  batch: number[];
  sessions: number;
  failures: string[];
}

const newWindow = (): Window => ({ finals: [], batch: [], sessions: 0, failures: [] });

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "earshot-soak-"));
  const server = await startEarshot(
    ["serve", "--port", "0", "--host", "127.0.0.1", "--data-dir", dataDir, ...(workers ? ["--workers", workers] : [])],
    { EARSHOT_LOG_LEVEL: "warn" },
  );
  const pid = server.child.pid!;
  const client = new EarshotClient({ baseUrl: server.url, apiKey: "" });
  const clips = loadClips("ljspeech-dev").filter((c) => c.duration >= 3);
  const started = performance.now();
  const deadline = started + minutes * 60_000;
  const elapsedHours = (): number => (performance.now() - started) / 3_600_000;
  let window = newWindow();
  let failures = 0;
  let dropped = 0;
  let next = 0;
  console.log(
    `bench/soak: ${streams} live streams (${clipsPerStream} clips a session, real time) + a batch request every ${batchEverySeconds} s, ` +
      `${minutes} min, warm-up ${warmupMinutes} min, leak above ${maxSlope} MB/h; server pid ${pid}; load before: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
  );

  const live = async (index: number): Promise<void> => {
    await sleep((index * 1000) / streams);
    while (performance.now() < deadline) {
      const mine = Array.from({ length: clipsPerStream }, () => clips[next++ % clips.length]!);
      try {
        const run = await runV1Stream(client, mine, 0);
        window.finals.push(...run.finalDelays);
        window.sessions++;
        dropped += run.dropped;
      } catch (err) {
        failures++;
        window.failures.push(`stream: ${(err as Error).message}`);
        await sleep(1000);
      }
    }
  };

  const batch = async (): Promise<void> => {
    while (performance.now() + batchEverySeconds * 1000 < deadline) {
      const clip = clips[next++ % clips.length]!;
      const sent = performance.now();
      try {
        const res = await fetch(`${server.url}/v1/listen`, {
          method: "POST",
          headers: { "content-type": "audio/wav" },
          body: readFileSync(clip.path),
        });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        window.batch.push(performance.now() - sent);
      } catch (err) {
        failures++;
        window.failures.push(`batch: ${(err as Error).message}`);
      }
      await sleep(Math.max(0, sent + batchEverySeconds * 1000 - performance.now()));
    }
  };

  const rss: Array<[number, number]> = [];
  const lag: Array<[number, number]> = [];
  const sampler = setInterval(() => {
    rss.push([elapsedHours(), processStats(pid).rssMb]);
  }, RSS_SAMPLE_MS);
  console.log(
    "| min | RSS MB | main heap MB | fds | handles | streams open | decoders held/idle | decoders built | lag p50 ms | lag p99 ms | lag max ms | sessions | final p50 ms | final p95 ms | batch n | batch p50 ms | batch p95 ms | failures | load 1m |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  const decoders = async (): Promise<{ held: number; idle: number; built: number }> => {
    const status = (await (await fetch(`${server.url}/v1/status`)).json()) as StatusResponse;
    return status.engine.live_decoders ?? { held: 0, idle: 0, built: 0 };
  };
  let built = (await decoders()).built;
  await scrape(server.url); // starts the lag window
  const reporter = (async () => {
    for (let minute = 1; performance.now() < deadline; minute++) {
      await sleep(Math.max(0, Math.min(deadline, started + minute * 60_000) - performance.now()));
      const metrics = await scrape(server.url);
      const { rssMb, fds } = processStats(pid);
      // Decoders built in the minute: a steady load should need none after the warm-up (builds cost ~0.4 s of CPU).
      const d = await decoders();
      const builtNow = d.built - built;
      built = d.built;
      const ms = (seconds: number | undefined): string => ((seconds ?? Number.NaN) * 1000).toFixed(1);
      const mb = (bytes: number | undefined): string => ((bytes ?? Number.NaN) / 2 ** 20).toFixed(0);
      const p99 = metrics.get("earshot_nodejs_eventloop_lag_p99_seconds");
      if (p99 !== undefined && elapsedHours() * 60 > warmupMinutes) lag.push([elapsedHours(), p99 * 1000]);
      const w = window;
      window = newWindow();
      console.log(
        `| ${minute} | ${rssMb.toFixed(0)} | ${mb(metrics.get("earshot_nodejs_heap_size_used_bytes"))} | ${fds} | ${metrics.get("earshot_nodejs_active_handles_total") ?? "?"} | ` +
          `${metrics.get("earshot_active_streams") ?? "?"} | ${d.held}/${d.idle} | ${builtNow} | ${ms(metrics.get("earshot_nodejs_eventloop_lag_p50_seconds"))} | ` +
          `${ms(p99)} | ${ms(metrics.get("earshot_nodejs_eventloop_lag_max_seconds"))} | ${w.sessions} | ` +
          `${percentile(w.finals, 50).toFixed(0)} | ${percentile(w.finals, 95).toFixed(0)} | ${w.batch.length} | ` +
          `${percentile(w.batch, 50).toFixed(0)} | ${percentile(w.batch, 95).toFixed(0)} | ${w.failures.length} | ` +
          `${loadavg()[0]!.toFixed(2)} |`,
      );
      for (const failure of new Set(w.failures)) console.log(`  failure: ${failure}`);
    }
  })();

  await Promise.all([...Array.from({ length: streams }, (_, i) => live(i)), batch(), reporter]);
  clearInterval(sampler);
  await server.kill();
  rmSync(dataDir, { recursive: true, force: true });

  const settled = rss.filter(([hours]) => hours * 60 > warmupMinutes);
  const rssSlope = slope(settled);
  const lagSlope = slope(lag);
  const leak = !(rssSlope <= maxSlope);
  console.log(
    `RSS slope after ${warmupMinutes} min warm-up: ${rssSlope.toFixed(1)} MB/h over ${settled.length} samples ` +
      `(${settled[0]?.[1].toFixed(0)} → ${settled.at(-1)?.[1].toFixed(0)} MB); event-loop lag p99 slope: ${lagSlope.toFixed(2)} ms/h; ` +
      `audio dropped: ${dropped.toFixed(3)} s; failed requests: ${failures}`,
  );
  const verdict = leak
    ? `LEAK: RSS grows ${rssSlope.toFixed(1)} MB/h (limit ${maxSlope})`
    : failures > 0
      ? `FAILED: ${failures} requests failed`
      : `OK: no leak (RSS slope ≤ ${maxSlope} MB/h), no failed request`;
  console.log(`Verdict: ${verdict}`);
  process.exitCode = leak || failures > 0 ? 1 : 0;
}

await main();
