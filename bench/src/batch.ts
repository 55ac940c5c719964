/**
 * Pre-recorded throughput and accuracy: the recogniser called directly, the engine (VAD + worker pool) and the
 * HTTP server, with 1 and 2 workers, on the shared speech set; plus the server's idle memory.
 *
 *   node bench/dist/batch.js [--set ljspeech-dev] [--clips 60]
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createRecognizer, decodeWav, Engine, ModelRegistry, wordErrorRate } from "@earshot/engine";
import { EarshotClient } from "@earshot/sdk";
import { startServer } from "@earshot/server";
import { type Clip, loadClips } from "./corpus.js";
import { machine, mapLimit, printTable } from "./table.js";

const { values } = parseArgs({
  options: { set: { type: "string", default: "ljspeech-dev" }, clips: { type: "string", default: "60" } },
});
const clips = loadClips(values.set!, Number(values.clips));
const audio = clips.map((c) => readFileSync(c.path));
const audioSeconds = clips.reduce((s, c) => s + c.duration, 0);

interface Row {
  mode: string;
  workers: number;
  wall: number;
  wer: number;
}

function row(mode: string, workers: number, started: number, hypotheses: string[]): Row {
  const wall = (performance.now() - started) / 1000;
  const wer = wordErrorRate(clips.map((c: Clip, i) => ({ reference: c.reference, hypothesis: hypotheses[i]! })));
  return { mode, workers, wall, wer };
}

/** One decoder on this thread, one utterance per clip: the engine with nothing around it. */
async function recognizerDirect(): Promise<Row> {
  const recognizer = await createRecognizer(new ModelRegistry().defaultModel);
  await recognizer.recognize(new Int16Array(1600));
  const started = performance.now();
  const hypotheses: string[] = [];
  for (const bytes of audio) {
    const pcm = Int16Array.from(decodeWav(bytes).channels[0]!, (s) => Math.round(s * 32767));
    const { words } = await recognizer.recognize(pcm);
    hypotheses.push(words.map((w) => w.word).join(" "));
  }
  recognizer.dispose();
  return row("recognizer, direct", 1, started, hypotheses);
}

async function engine(workers: number): Promise<Row> {
  const e = new Engine({ workers, queueLimit: 10_000 });
  // Load the models in every worker before the clock starts.
  await Promise.all(Array.from({ length: workers * 2 }, () => e.transcribe(audio[0]!)));
  const started = performance.now();
  const results = await mapLimit(audio, workers * 2, (bytes) => e.transcribe(bytes));
  const r = row(
    "engine (VAD + pool)",
    workers,
    started,
    results.map((t) => t.channels[0]!.map((w) => w.word).join(" ")),
  );
  await e.close();
  return r;
}

async function server(workers: number): Promise<Row> {
  const s = await startServer({ port: 0, logLevel: "warn", engine: { workers, queueLimit: 10_000 } });
  const client = new EarshotClient({ baseUrl: s.url });
  await Promise.all(Array.from({ length: workers * 2 }, () => client.listen.v1.media.transcribeFile(audio[0]!)));
  const started = performance.now();
  const results = await mapLimit(audio, workers * 2, (bytes) => client.listen.v1.media.transcribeFile(bytes));
  const r = row(
    "HTTP server",
    workers,
    started,
    results.map((res) => res.results.channels[0]!.alternatives[0]!.transcript),
  );
  await s.close();
  return r;
}

/** RSS of a real `earshot serve` process: idle after start, and after its workers have loaded the model. */
async function serverMemory(workers: number): Promise<{ idle: number; loaded: number }> {
  const cli = new URL("../../packages/cli/dist/main.js", import.meta.url).pathname;
  const child = spawn(process.execPath, [cli, "serve", "--port", "0", "--workers", String(workers)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on("data", (d: Buffer) => {
      const m = /listening on (\S+)/.exec(d.toString());
      if (m) resolve(m[1]!);
    });
    child.on("exit", () => reject(new Error("earshot serve exited")));
  });
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))![1]) / 1024;
  await new Promise((r) => setTimeout(r, 2000));
  const idle = rss();
  const client = new EarshotClient({ baseUrl: url });
  await Promise.all(Array.from({ length: workers * 2 }, () => client.listen.v1.media.transcribeFile(audio[0]!)));
  await new Promise((r) => setTimeout(r, 1000));
  const loaded = rss();
  child.kill("SIGTERM");
  return { idle, loaded };
}

console.log(
  `Earshot batch benchmark — ${clips.length} clips of ${values.set} (${(audioSeconds / 60).toFixed(1)} min of audio)`,
);
console.log(`machine: ${machine()}\n`);
const rows = [await recognizerDirect(), await engine(1), await engine(2), await server(1), await server(2)];
printTable(
  ["mode", "workers", "wall s", "RTF (wall / audio)", "throughput (audio s / s)", "WER"],
  rows.map((r) => [
    r.mode,
    r.workers,
    r.wall.toFixed(1),
    (r.wall / audioSeconds).toFixed(3),
    (audioSeconds / r.wall).toFixed(2),
    `${(r.wer * 100).toFixed(2)} %`,
  ]),
);
const through = (mode: string, workers: number) => {
  const r = rows.find((x) => x.mode === mode && x.workers === workers)!;
  return audioSeconds / r.wall;
};
console.log("");
console.log(
  `server / engine throughput, 1 worker:  ${(through("HTTP server", 1) / through("engine (VAD + pool)", 1)).toFixed(2)} (target ≥ 0.95)`,
);
console.log(
  `server / engine throughput, 2 workers: ${(through("HTTP server", 2) / through("engine (VAD + pool)", 2)).toFixed(2)} (target ≥ 0.95)`,
);
console.log(
  `2 workers / 1 worker, server:          ${(through("HTTP server", 2) / through("HTTP server", 1)).toFixed(2)} (target ≥ 1.8 on 2 cores)`,
);
const memory = await serverMemory(2);
console.log(
  `server RSS, 2 workers: idle ${memory.idle.toFixed(0)} MB, models loaded ${memory.loaded.toFixed(0)} MB (target idle ≤ 300 MB)`,
);
console.log(`machine after run: ${machine()}`);
