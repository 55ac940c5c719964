/**
 * Text-to-speech speed per voice, over REST (`POST /v1/speak`, mp3, Deepgram's default) and the WebSocket
 * (linear16 16 kHz, one Speak + Flush per text): time to the first audio byte, and characters per second of
 * wall time to the last byte. One request at a time, against an in-process server on loopback; texts are LJ
 * Speech transcripts. `node bench/dist/tts.js [texts=12]`.
 */
import { execFileSync } from "node:child_process";
import { EarshotClient } from "@earshot/sdk";
import { startServer } from "@earshot/server";
import { loadClips } from "./corpus.js";
import { machine, percentile, printTable } from "./table.js";

const count = Number(process.argv[2] ?? 12);
const texts = loadClips("ljspeech-dev")
  .slice(100, 100 + count)
  .map((clip) => `${clip.reference.charAt(0)}${clip.reference.slice(1).toLowerCase()}.`);
const chars = texts.reduce((sum, t) => sum + t.length, 0);

interface Run {
  firstByteMs: number[];
  totalMs: number;
  audioBytes: number;
}

async function rest(client: EarshotClient, model: string): Promise<Run> {
  const run: Run = { firstByteMs: [], totalMs: 0, audioBytes: 0 };
  for (const text of texts) {
    const started = performance.now();
    const audio = await client.speak.v1.audio.generate({ text, model });
    let first = true;
    for await (const chunk of audio) {
      if (first) run.firstByteMs.push(performance.now() - started);
      first = false;
      run.audioBytes += chunk.byteLength;
    }
    run.totalMs += performance.now() - started;
  }
  return run;
}

async function websocket(client: EarshotClient, model: string): Promise<Run> {
  const run: Run = { firstByteMs: [], totalMs: 0, audioBytes: 0 };
  const socket = client.speak.v1.connect({ model, encoding: "linear16", sample_rate: 16000 });
  await socket.opened;
  for (const text of texts) {
    const started = performance.now();
    let first = true;
    const onAudio = (chunk: Uint8Array) => {
      if (first) run.firstByteMs.push(performance.now() - started);
      first = false;
      run.audioBytes += chunk.byteLength;
    };
    socket.on("Audio", onAudio);
    const flushed = new Promise<void>((resolve) => socket.on("Flushed", () => resolve()));
    socket.sendText(text);
    socket.flush();
    await flushed;
    socket.off("Audio", onAudio);
    run.totalMs += performance.now() - started;
  }
  await socket.close();
  return run;
}

const server = await startServer({ host: "127.0.0.1", port: 0, logLevel: "error" });
const client = new EarshotClient({ baseUrl: server.url, apiKey: server.config.apiKeys[0] ?? "", maxRetries: 0 });
const voices = server.engine.registry.tts().map((v) => v.name);
const rows: (string | number)[][] = [];
try {
  // One warm-up request, so the first voice does not pay for the server's and the page cache's first use.
  await (await client.speak.v1.audio.generate({ text: "Warm up.", model: voices[0] })).bytes();
  for (const voice of voices) {
    for (const [transport, run] of [
      ["REST mp3", await rest(client, voice)],
      ["WS linear16", await websocket(client, voice)],
    ] as const) {
      rows.push([
        voice,
        transport,
        Math.round(percentile(run.firstByteMs, 50)),
        Math.round(percentile(run.firstByteMs, 95)),
        Math.round(chars / (run.totalMs / 1000)),
      ]);
    }
  }
} finally {
  await server.close();
}

console.log(`TTS benchmark: ${texts.length} texts, ${chars} characters, one request at a time`);
console.log(machine());
console.log(`uptime: ${execFileSync("uptime", { encoding: "utf8" }).trim()}`);
printTable(["voice", "transport", "first byte p50 ms", "first byte p95 ms", "chars/s"], rows);
