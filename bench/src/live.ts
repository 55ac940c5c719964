/**
 * bench/live: N concurrent real-time streams against an in-process server, for N = 1, 4, 8, 12, 16.
 *
 * Each stream is built from shared LJ Speech clips with silences between them and sent in 100 ms chunks at
 * real-time pace (starts staggered over the first second). Measured per utterance (= clip):
 * - final delay: from the moment the clip's last chunk was sent (the true end of the utterance) to the
 *   arrival of the last final `Results` that starts inside it;
 * - first-interim delay: from the moment the clip's first chunk was sent to the first non-empty interim;
 * and per run: audio dropped (sent − `Metadata.duration`, must be 0), RSS growth per stream, and WER of the
 * finals against the references beside the WER of the same clips sent whole to `POST /v1/listen` (after the run,
 * so it costs the streams nothing), and CPU seconds spent per second of audio (all threads: the real-time cost of
 * one stream, whatever else the machine runs). Prints the largest N whose final-delay p95 is ≤ 300 ms.
 *
 * Usage: node bench/dist/live.js [--streams 1,4,8,12,16] [--clips 3] [--passes fast|full] [--endpointing MS]
 *   [--set ljspeech-dev|multi-dev|misc] [--from N: the set's clips from the Nth, those of 3 s or more]
 *   [--reliability: also how often the finals' words are right by bins of confidence, per stream count]
 */

import { readFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { wordErrorRate } from "@earshot/engine";
import { EarshotClient } from "@earshot/sdk";
import { startServer } from "@earshot/server";
import { type Clip, loadClips } from "./corpus.js";
import { GAP, runV1Stream } from "./live-streams.js";
import { printReliability, scoredWords } from "./reliability.js";
import { mapLimit, percentile } from "./table.js";

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const counts = arg("streams", "1,4,8,12,16").split(",").map(Number);
const clipsPerStream = Number(arg("clips", "3"));
const passes = arg("passes", "fast") as "fast" | "full";
/** Silence (ms) that ends an utterance, as a client would set it; unset, the server's default applies. */
const endpointing = arg("endpointing", "");
const set = arg("set", "ljspeech-dev");
const from = Number(arg("from", "0"));
const reliability = process.argv.includes("--reliability");
const TARGET_P95_MS = 300;

async function main(): Promise<void> {
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    logLevel: "warn",
    engine: { pocketsphinx: { livePasses: passes }, live: { streamsPerWorker: Math.max(...counts) } },
  });
  const client = new EarshotClient({ baseUrl: server.url, apiKey: server.config.apiKeys[0] ?? "" });
  const clips = loadClips(set)
    .filter((c) => c.duration >= 3)
    .slice(from);
  const baseRss = process.memoryUsage().rss;
  console.log(
    `bench/live: ${set} from clip ${from}, ${server.engine.status().workers} workers, passes=${passes}, endpointing=${endpointing || "server default"}, ${clipsPerStream} clips per stream, ` +
      `${GAP}s gaps, 100 ms chunks at real-time pace; load before: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
  );
  console.log(
    "| streams | utterances | final p50 | final p95 | final p99 | first interim p50 | p95 | dropped s | RSS/stream MB | WER | batch WER | CPU s/audio s | load 1m |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  /** Each clip's words from `POST /v1/listen`, by clip id: the batch figure the live WER is compared with. */
  const batchWords = new Map<string, string>();
  const batchPairs = async (used: Clip[]) => {
    const missing = [...new Set(used.filter((c) => !batchWords.has(c.id)))];
    await mapLimit(missing, 2, async (c) => {
      const response = await client.listen.v1.media.transcribeFile(await readFile(c.path));
      batchWords.set(c.id, response.results.channels[0]?.alternatives[0]?.transcript ?? "");
    });
    return used.map((c) => ({ reference: c.reference, hypothesis: batchWords.get(c.id) ?? "" }));
  };
  let best = 0;
  let next = 0;
  for (const n of counts) {
    let peakRss = process.memoryUsage().rss;
    const cpuBefore = process.cpuUsage();
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 250);
    const used = Array.from({ length: n * clipsPerStream }, () => clips[next++ % clips.length]!);
    const runs = await Promise.all(
      Array.from({ length: n }, (_, s) => {
        const mine = used.slice(s * clipsPerStream, (s + 1) * clipsPerStream);
        return runV1Stream(client, mine, (s * 1000) / n, endpointing ? Number(endpointing) : undefined);
      }),
    );
    clearInterval(sampler);
    const cpu = process.cpuUsage(cpuBefore);
    const load = loadavg()[0]!;
    const batchWer = wordErrorRate(await batchPairs(used));
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
        `${(batchWer * 100).toFixed(1)}% | ${((cpu.user + cpu.system) / 1e6 / audioSeconds).toFixed(3)} | ${load.toFixed(2)} |`,
    );
    if (reliability) {
      const pairs = runs.flatMap((r) => r.pairs);
      printReliability(
        `${n} streams, live finals`,
        pairs.flatMap((p) => scoredWords(p.reference, p.words)),
      );
    }
  }
  console.log(`Largest N with final p95 ≤ ${TARGET_P95_MS} ms: ${best || "none"}`);
  await server.close();
}

await main();
