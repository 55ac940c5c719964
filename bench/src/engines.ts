/**
 * bench/engines: every engine this machine can load, side by side — PocketSphinx (built in) and whisper.cpp on
 * whisper.cpp's for-tests models (tiny.en, tiny, base.en, small.en: real hyper-parameters, no tensors, so the
 * compute is real and the words are not; no WER is printed for them) at 1 and 2 threads.
 *
 * - batch: real-time factor of `Engine.transcribe` (VAD + one worker) over the clips, wall ÷ audio seconds;
 * - live: one real-time stream through an in-process server (100 ms chunks at real-time pace); lag is the
 *   wall time from sending the audio a final `Results` ends at to receiving that final (p50 / p95 / max), and
 *   `dropped` is audio sent but never processed (must be 0);
 * - memory: growth of resident memory while the worker loaded the model. whisper's for-tests files have no
 *   weights, so the real f16 model's size is printed beside it: add it for the real footprint.
 *
 * Usage: node bench/dist/engines.js [--clips 3] [--threads 1,2] [--live true|false]
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Engine, wordErrorRate } from "@earshot/engine";
import { EarshotClient, type LiveResults } from "@earshot/sdk";
import { startServer } from "@earshot/server";
import { loadClips } from "./corpus.js";
import { BYTES_PER_SECOND, sendPaced, streamAudio } from "./live-streams.js";
import { FOR_TESTS_WHISPER, installForTestsWhisper } from "./models-for-tests.js";
import { machine, percentile, printTable } from "./table.js";

const { values } = parseArgs({
  options: {
    clips: { type: "string", default: "3" },
    threads: { type: "string", default: "1,2" },
    live: { type: "string", default: "true" },
  },
});
const clips = loadClips("ljspeech-dev", Number(values.clips));
const audio = clips.map((c) => readFileSync(c.path));
const audioSeconds = clips.reduce((s, c) => s + c.duration, 0);
const threadCounts = values.threads!.split(",").map(Number);

const modelsDir = mkdtempSync(join(tmpdir(), "earshot-bench-engines-"));
const whisperModels = installForTestsWhisper(modelsDir);

interface Config {
  model: string;
  engine: string;
  threads: number;
  /** MB the real weights add to what the for-tests model uses. */
  weightsMb: number;
  /** Whether the words mean anything (WER is printed only then). */
  realWeights: boolean;
}

const configs: Config[] = [
  { model: "pocketsphinx-en-us", engine: "pocketsphinx", threads: 1, weightsMb: 0, realWeights: true },
  ...whisperModels.flatMap((m) =>
    threadCounts.map((threads) => ({
      model: m.name,
      engine: "whisper",
      threads,
      weightsMb: m.weightsMb,
      realWeights: false,
    })),
  ),
];

const engineOptions = (c: Config) => ({
  workers: 1,
  modelsDir,
  whisper: { threads: c.threads },
  idleUnloadSeconds: false as const,
});

async function batch(c: Config): Promise<{ rtf: number; wer: number | undefined; memoryMb: number }> {
  const engine = new Engine(engineOptions(c));
  // Loads the model before the clock starts.
  await engine.transcribe(audio[0]!, { model: c.model });
  const memoryMb = engine.status().loadedModels[0]?.memoryMb ?? 0;
  const started = performance.now();
  const hypotheses: string[] = [];
  for (const bytes of audio) {
    const t = await engine.transcribe(bytes, { model: c.model });
    hypotheses.push(t.channels[0]!.map((w) => w.word).join(" "));
  }
  const rtf = (performance.now() - started) / 1000 / audioSeconds;
  await engine.close();
  const wer = c.realWeights
    ? wordErrorRate(clips.map((clip, i) => ({ reference: clip.reference, hypothesis: hypotheses[i]! })))
    : undefined;
  return { rtf, wer, memoryMb };
}

async function live(c: Config): Promise<{ lags: number[]; dropped: number }> {
  const server = await startServer({ host: "127.0.0.1", port: 0, logLevel: "warn", engine: engineOptions(c) });
  try {
    const client = new EarshotClient({ baseUrl: server.url });
    const { audio: stream } = streamAudio(clips);
    const conn = client.listen.v1.connect({
      model: c.model,
      encoding: "linear16",
      sample_rate: 16_000,
      interim_results: true,
    });
    const finals: Array<{ at: number; results: LiveResults }> = [];
    conn.on("Results", (results) => {
      if (results.is_final) finals.push({ at: performance.now(), results });
    });
    await conn.opened;
    const sentAt = await sendPaced(stream, (chunk) => conn.send(chunk));
    const metadata = await conn.finish();
    const lags = finals.map(({ at, results }) => (at - sentAt(results.start + results.duration)) / 1000);
    return { lags, dropped: Math.max(0, stream.byteLength / BYTES_PER_SECOND - metadata.duration - 0.0005) };
  } finally {
    await server.close();
  }
}

const f2 = (n: number): string => n.toFixed(2);
const f3 = (n: number): string => n.toFixed(3);

async function main(): Promise<void> {
  console.log(`bench/engines: ${clips.length} LJ Speech clips, ${audioSeconds.toFixed(1)} s of speech`);
  console.log(`machine: ${machine()}`);
  if (whisperModels.length < FOR_TESTS_WHISPER.length) {
    console.log(`note: only ${whisperModels.map((m) => m.name).join(", ")} found in the shared models-for-tests`);
  }
  const rows: (string | number)[][] = [];
  for (const c of configs) {
    const b = await batch(c);
    const l = values.live === "true" ? await live(c) : undefined;
    rows.push([
      c.model,
      c.engine,
      c.threads,
      f3(b.rtf),
      b.wer === undefined ? "–" : `${(b.wer * 100).toFixed(1)} %`,
      l ? `${f2(percentile(l.lags, 50))} / ${f2(percentile(l.lags, 95))} / ${f2(Math.max(...l.lags))}` : "–",
      l ? f2(l.dropped) : "–",
      c.weightsMb ? `${b.memoryMb} + ${c.weightsMb}` : String(b.memoryMb),
    ]);
    console.error(`done: ${c.model} × ${c.threads} thread(s)`);
  }
  printTable(
    ["model", "engine", "threads", "batch RTF", "WER", "live final lag s (p50 / p95 / max)", "dropped s", "memory MB"],
    rows,
  );
  console.log(`machine after: ${machine()}`);
}

await main();
