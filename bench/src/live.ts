/**
 * bench/live: N concurrent real-time streams against an in-process server, for N = 1, 4, 8, 12, 16.
 *
 * Each stream is built from shared LJ Speech clips with silences between them and sent in 100 ms chunks at
 * real-time pace (starts staggered over the first second). Measured per utterance (= clip):
 * - final delay: from the moment the clip's last chunk was sent (the true end of the utterance) to the
 *   arrival of the last final `Results` that starts inside it;
 * - first-interim delay: from the moment the clip's first chunk was sent to the first non-empty interim;
 * and per run: audio dropped (sent − `Metadata.duration`, must be 0), RSS growth per stream, and WER of the
 * finals against the references, and CPU seconds spent per second of audio (all threads: the real-time cost of
 * one stream, whatever else the machine runs). Prints the largest N whose final-delay p95 is ≤ 300 ms.
 *
 * Usage: node bench/dist/live.js [--streams 1,4,8,12,16] [--clips 3] [--passes fast|full]
 */

import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { wordErrorRate } from "@earshot/engine";
import { EarshotClient, type LiveResults } from "@earshot/sdk";
import { startServer } from "@earshot/server";
import { type Clip, loadClips } from "./corpus.js";
import { percentile } from "./table.js";

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const counts = arg("streams", "1,4,8,12,16").split(",").map(Number);
const clipsPerStream = Number(arg("clips", "3"));
const passes = arg("passes", "fast") as "fast" | "full";
/** Silence (ms) that ends an utterance, as a client would set it; unset, the server's default applies. */
const endpointing = arg("endpointing", "");
const BYTES_PER_SECOND = 32_000;
const CHUNK = BYTES_PER_SECOND / 10;
const GAP = 1.5;
const TARGET_P95_MS = 300;

/** 16-bit PCM of a shared clip (16 kHz mono WAV: the data chunk after the header). */
function pcmOf(clip: Clip): Buffer {
  const bytes = readFileSync(clip.path);
  const data = bytes.indexOf("data", 12);
  return bytes.subarray(data + 8);
}

interface Utterance {
  clip: Clip;
  /** Stream seconds. */
  start: number;
  end: number;
}

interface StreamRun {
  finalDelays: number[];
  interimDelays: number[];
  dropped: number;
  audioSeconds: number;
  pairs: Array<{ reference: string; hypothesis: string }>;
}

async function runStream(client: EarshotClient, clips: Clip[], stagger: number): Promise<StreamRun> {
  const parts: Buffer[] = [Buffer.alloc(BYTES_PER_SECOND / 2)];
  const utterances: Utterance[] = [];
  let position = 0.5;
  for (const clip of clips) {
    const pcm = pcmOf(clip);
    utterances.push({ clip, start: position, end: position + pcm.byteLength / BYTES_PER_SECOND });
    position += pcm.byteLength / BYTES_PER_SECOND + GAP;
    parts.push(pcm, Buffer.alloc(GAP * BYTES_PER_SECOND));
  }
  const audio = Buffer.concat(parts);
  const conn = client.listen.v1.connect({
    encoding: "linear16",
    sample_rate: 16_000,
    interim_results: true,
    ...(endpointing ? { endpointing: Number(endpointing) } : {}),
  });
  const received: Array<{ at: number; results: LiveResults }> = [];
  conn.on("Results", (results) => received.push({ at: performance.now(), results }));
  await conn.opened;
  await sleep(stagger);
  /** Wall time each chunk went out; chunk i carries audio up to (i + 1) / 10 s. */
  const sentAt: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i * CHUNK < audio.byteLength; i++) {
    const wait = t0 + (i + 1) * 100 - performance.now();
    if (wait > 0) await sleep(wait);
    conn.send(audio.subarray(i * CHUNK, (i + 1) * CHUNK));
    sentAt.push(performance.now());
  }
  const metadata = await conn.finish();
  const sentAtTime = (seconds: number): number => sentAt[Math.min(sentAt.length - 1, Math.ceil(seconds * 10) - 1)]!;

  const run: StreamRun = {
    finalDelays: [],
    interimDelays: [],
    // Metadata.duration is rounded to the millisecond.
    dropped: Math.max(0, audio.byteLength / BYTES_PER_SECOND - metadata.duration - 0.0005),
    audioSeconds: audio.byteLength / BYTES_PER_SECOND,
    pairs: [],
  };
  for (const [k, u] of utterances.entries()) {
    const next = utterances[k + 1]?.start ?? Number.POSITIVE_INFINITY;
    // Results belong to the utterance their first word falls in (speech plus the silence after it).
    const own = received.filter(({ results }) => {
      const first = results.channel.alternatives[0]?.words[0];
      return first !== undefined && first.start >= u.start - 0.3 && first.start < Math.min(next - 0.3, u.end + GAP);
    });
    const finals = own.filter(({ results }) => results.is_final);
    const last = finals[finals.length - 1];
    if (last) run.finalDelays.push(last.at - sentAtTime(u.end));
    const interim = own.find(({ results }) => !results.is_final);
    if (interim) run.interimDelays.push(interim.at - sentAtTime(u.start));
    run.pairs.push({
      reference: u.clip.reference,
      hypothesis: finals.map(({ results }) => results.channel.alternatives[0]!.transcript).join(" "),
    });
  }
  return run;
}

async function main(): Promise<void> {
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    logLevel: "warn",
    engine: { pocketsphinx: { livePasses: passes }, live: { streamsPerWorker: Math.max(...counts) } },
  });
  const client = new EarshotClient({ baseUrl: server.url, apiKey: server.config.apiKeys[0] ?? "" });
  const clips = loadClips("ljspeech-dev").filter((c) => c.duration >= 3);
  const baseRss = process.memoryUsage().rss;
  console.log(
    `bench/live: ${server.engine.status().workers} workers, passes=${passes}, endpointing=${endpointing || "server default"}, ${clipsPerStream} clips per stream, ` +
      `${GAP}s gaps, 100 ms chunks at real-time pace; load before: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
  );
  console.log(
    "| streams | utterances | final p50 | final p95 | final p99 | first interim p50 | p95 | dropped s | RSS/stream MB | WER | CPU s/audio s | load 1m |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
  let best = 0;
  let next = 0;
  for (const n of counts) {
    let peakRss = process.memoryUsage().rss;
    const cpuBefore = process.cpuUsage();
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 250);
    const runs = await Promise.all(
      Array.from({ length: n }, (_, s) => {
        const mine = Array.from({ length: clipsPerStream }, () => clips[next++ % clips.length]!);
        return runStream(client, mine, (s * 1000) / n);
      }),
    );
    clearInterval(sampler);
    const cpu = process.cpuUsage(cpuBefore);
    const audioSeconds = runs.reduce((a, r) => a + r.audioSeconds, 0);
    const finals = runs.flatMap((r) => r.finalDelays);
    const interims = runs.flatMap((r) => r.interimDelays);
    const p95 = percentile(finals, 95);
    if (p95 <= TARGET_P95_MS) best = n;
    const ms = (v: number): string => v.toFixed(0);
    console.log(
      `| ${n} | ${finals.length} | ${ms(percentile(finals, 50))} | ${ms(p95)} | ${ms(percentile(finals, 99))} | ` +
        `${ms(percentile(interims, 50))} | ${ms(percentile(interims, 95))} | ` +
        `${runs.reduce((a, r) => a + r.dropped, 0).toFixed(3)} | ` +
        `${((peakRss - baseRss) / n / 1e6).toFixed(0)} | ${(wordErrorRate(runs.flatMap((r) => r.pairs)) * 100).toFixed(1)}% | ` +
        `${((cpu.user + cpu.system) / 1e6 / audioSeconds).toFixed(3)} | ` +
        `${loadavg()[0]!.toFixed(2)} |`,
    );
  }
  console.log(`Largest N with final p95 ≤ ${TARGET_P95_MS} ms: ${best || "none"}`);
  await server.close();
}

await main();
