/**
 * bench/live-memory: what a live stream costs in server memory, and whether it comes back when streams end.
 *
 * The server runs in a process of its own (this file with `--serve`), so its resident memory is measured from
 * /proc without the benchmark's own buffers in it. Cases, each with N streams at once on a server already warmed
 * by one speaking stream per worker (the shared decoders every server builds):
 * - idle: sockets open, nothing sent (measured 2 s after the last opened, before the 10 s no-audio timeout);
 * - silence: silence at real-time pace, measured after 8 s and again 15 s after the spare-decoder time (a stream
 *   opening has a decoder built for it, freed when it stays unused that long);
 * - speech: a shared LJ clip each (16 kHz), at real-time pace, peak resident memory sampled every 250 ms;
 * - 8 kHz and 48 kHz linear16: the same clips resampled by ffmpeg, as telephone and browser audio arrive;
 * - keyterm sets: N streams one after another, each with a keyterm of its own and speaking one clip (each set
 *   has decoders of its own; those of a set no stream has open go when the next set's are built), measured
 *   after the last;
 * - closed: `--settle` seconds after the last stream closed.
 * Per case: resident MB over the warm server, that divided by N, the main thread's heap and external memory, the
 * engine's live decoders (held by an utterance / idle), and for the speaking cases the WER of the finals.
 *
 * Usage: node bench/dist/live-memory.js [--streams 16] [--workers 2] [--settle 60] [--spare 30]
 */
import { type ChildProcess, execFileSync, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { wordErrorRate } from "@earshot/engine";
import type { StatusResponse } from "@earshot/protocol";
import { EarshotClient, type LiveResults } from "@earshot/sdk";
import { type Clip, loadClips } from "./corpus.js";

const { values } = parseArgs({
  options: {
    streams: { type: "string", default: "16" },
    workers: { type: "string", default: "2" },
    settle: { type: "string", default: "60" },
    /** The server's `spareDecoderSeconds`. */
    spare: { type: "string", default: "30" },
    serve: { type: "boolean", default: false },
  },
});
const N = Number(values.streams);
const WORKERS = Number(values.workers);
const SPARE = Number(values.spare);
const MB = 1024 * 1024;

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
}

/** The server process: starts, says where it listens, then answers memory questions over IPC. */
async function serve(): Promise<void> {
  const { startServer } = await import("@earshot/server");
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    logLevel: "warn",
    // Enough channels per worker for N streams however the pool places them.
    engine: { workers: WORKERS, live: { streamsPerWorker: N, spareDecoderSeconds: SPARE } },
  });
  process.on("message", (message: string) => {
    if (message === "memory") {
      const { rss, heapUsed, external } = process.memoryUsage();
      process.send!({ rss, heapUsed, external } satisfies Memory);
    } else if (message === "close") void server.close().then(() => process.exit(0));
  });
  // The benchmark died: do not outlive it.
  process.on("disconnect", () => process.exit(1));
  process.send!({ url: server.url, key: server.config.apiKeys[0] ?? "" });
}

function ask<T>(child: ChildProcess, message: string): Promise<T> {
  return new Promise((resolve) => {
    child.once("message", (reply) => resolve(reply as T));
    child.send(message);
  });
}

/** 16-bit mono PCM of a clip at `rate`, resampled by ffmpeg (libswresample) when not 16 kHz. */
function pcmAt(clip: Clip, rate: number): Buffer {
  if (rate === 16_000) {
    const bytes = readFileSync(clip.path);
    return bytes.subarray(bytes.indexOf("data", 12) + 8);
  }
  return execFileSync("ffmpeg", ["-v", "error", "-i", clip.path, "-ar", String(rate), "-f", "s16le", "-ac", "1", "-"], {
    maxBuffer: 64 * MB,
  });
}

/** Sends `pcm` in 100 ms chunks at real-time pace. */
async function sendPaced(pcm: Buffer, rate: number, send: (chunk: Buffer) => void): Promise<void> {
  const chunk = (rate * 2) / 10;
  const t0 = performance.now();
  for (let i = 0; i * chunk < pcm.byteLength; i++) {
    const wait = t0 + i * 100 - performance.now();
    if (wait > 0) await sleep(wait);
    send(pcm.subarray(i * chunk, (i + 1) * chunk));
  }
}

async function main(): Promise<void> {
  const child = fork(
    new URL(import.meta.url).pathname,
    ["--serve", "--streams", String(N), "--workers", String(WORKERS), "--spare", String(SPARE)],
    {
      env: { ...process.env, EARSHOT_LOG_LEVEL: "warn" },
    },
  );
  const { url, key } = await new Promise<{ url: string; key: string }>((resolve, reject) => {
    child.once("message", (m) => resolve(m as { url: string; key: string }));
    child.once("exit", (code) => reject(new Error(`the server exited with ${code}`)));
  });
  const client = new EarshotClient({ baseUrl: url, apiKey: key });
  const clips = loadClips("ljspeech-dev").filter((c) => c.duration >= 3 && c.duration <= 8);
  const status = async (): Promise<StatusResponse> =>
    (await fetch(`${url}/v1/status`)).json() as Promise<StatusResponse>;
  /** The server's memory and, at the same moment, its live decoders. */
  const memory = async (): Promise<Memory & { decoders: string }> => {
    const m = await ask<Memory>(child, "memory");
    const d = (await status()).engine.live_decoders;
    return { ...m, decoders: d ? `${d.held} / ${d.idle}` : "n/a" };
  };

  console.log(
    `bench/live-memory: ${N} streams, ${WORKERS} workers, server pid ${child.pid}; load before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const fresh = await memory();

  /** Streams the server failed or closed (opening can outlast the 10 s no-audio timeout on a slow server). */
  const failures: string[] = [];
  const connect = (rate: number, keyterm?: string) => {
    const conn = client.listen.v1.connect({
      encoding: "linear16",
      sample_rate: rate,
      ...(keyterm && { keyterm: [keyterm] }),
    });
    conn.on("error", (err: Error) => failures.push(err.message));
    return conn;
  };

  /**
   * One stream speaking `clip` (its samples `pcm` at `rate`, made beforehand: a synchronous ffmpeg run would
   * stall every other stream's sending); resolves to its reference and hypothesis.
   */
  const speak = async (
    clip: Clip,
    pcm: Buffer,
    rate: number,
    keyterm?: string,
  ): Promise<{ reference: string; hypothesis: string }> => {
    const conn = connect(rate, keyterm);
    const finals: string[] = [];
    conn.on("Results", (r: LiveResults) => {
      if (r.is_final && r.channel.alternatives[0]?.transcript) finals.push(r.channel.alternatives[0].transcript);
    });
    await conn.opened;
    const silence = Buffer.alloc(rate); // 0.5 s either side
    await sendPaced(Buffer.concat([silence, pcm, silence]), rate, (c) => conn.send(c));
    await conn.finish().catch(() => {});
    return { reference: clip.reference, hypothesis: finals.join(" ") };
  };

  // Warm: every worker builds its shared decoders and loads its VAD, as any server does for its first streams.
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => speak(clips[w]!, pcmAt(clips[w]!, 16_000), 16_000)));
  await sleep(2000);
  const warm = await memory();

  const rows: string[] = [];
  /** A table row; `streams` open during the measurement share the growth over the warm server. */
  const row = (name: string, m: Memory & { decoders: string }, streams: number, wer?: number): void => {
    const over = (m.rss - warm.rss) / MB;
    rows.push(
      `| ${name} | ${(m.rss / MB).toFixed(0)} | ${over.toFixed(0)} | ${streams ? (over / streams).toFixed(1) : ""} | ` +
        `${(m.heapUsed / MB).toFixed(0)} | ${(m.external / MB).toFixed(0)} | ${m.decoders} | ` +
        `${wer === undefined ? "" : `${(wer * 100).toFixed(1)}%`} | ${loadavg()[0]!.toFixed(2)} |`,
    );
  };
  row("fresh server", fresh, 0);
  row("warm (after 1 stream per worker)", warm, 0);

  // Idle sockets: open, send nothing.
  {
    const conns = Array.from({ length: N }, () => connect(16_000));
    await Promise.all(conns.map((c) => c.opened));
    await sleep(2000);
    row("idle sockets", await memory(), N);
    for (const c of conns) c.close();
    await sleep(1000);
  }
  // Silence at real-time pace.
  {
    const conns = Array.from({ length: N }, () => connect(16_000));
    await Promise.all(conns.map((c) => c.opened));
    // A decoder is freed `SPARE` s after it was last used, or after it was built: with N streams opening at once
    // the builds run one at a time per worker and end up to ~10 s later, so the second look waits that long too.
    const seconds = SPARE + 15;
    const early = sleep(8000).then(memory);
    await Promise.all(conns.map((c) => sendPaced(Buffer.alloc(seconds * 32_000), 16_000, (chunk) => c.send(chunk))));
    row("silence, real time, 8 s", await early, N);
    row(`silence, real time, ${seconds} s`, await memory(), N);
    await Promise.all(conns.map((c) => c.finish().catch(() => {})));
    await sleep(1000);
  }
  // Speech at 16, 8 and 48 kHz: peak memory while N streams speak at once.
  let next = WORKERS;
  for (const rate of [16_000, 8_000, 48_000]) {
    const mine = Array.from({ length: N }, () => clips[next++ % clips.length]!).map((clip) => ({
      clip,
      pcm: pcmAt(clip, rate),
    }));
    let peak = await memory();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const m = await memory();
        if (m.rss > peak.rss) peak = m;
        await sleep(250);
      }
    })();
    const pairs = await Promise.all(mine.map(({ clip, pcm }) => speak(clip, pcm, rate)));
    sampling = false;
    await sampler;
    row(`speech ${rate / 1000} kHz (peak)`, peak, N, wordErrorRate(pairs));
    await sleep(1000);
  }
  // Keyterm sets, one stream after another: what a client that sends new keyterms with every stream leaves.
  {
    const pairs = [];
    for (let i = 0; i < N; i++) {
      const clip = clips[next++ % clips.length]!;
      // A word of the clip's own, so that the keyterm is one the stream may hear.
      const word = clip.reference
        .split(" ")
        .sort((a, b) => b.length - a.length)[0]!
        .toLowerCase();
      pairs.push(await speak(clip, pcmAt(clip, 16_000), 16_000, word));
    }
    row("keyterm sets, one after another", await memory(), 0, wordErrorRate(pairs));
  }
  await sleep(Number(values.settle) * 1000);
  row(`closed, ${values.settle} s later`, await memory(), 0);

  console.log(
    "| case | RSS MB | over warm MB | MB per stream | main heap MB | main external MB | live decoders held / idle | WER | load 1m |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const r of rows) console.log(r);
  if (failures.length) console.log(`Streams that failed: ${failures.length} (${[...new Set(failures)].join("; ")})`);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.send("close");
  await exited;
}

if (values.serve) await serve();
else await main();
