/**
 * Progress of a long transcription moves at least once a second of wall time, never backwards, from the first
 * piece on — not only when a whole 20 s piece finishes — over NDJSON (what the SDK's `onProgress` and the CLI read).
 */
import { loadClips } from "@earshot/bench/corpus";
import { PROGRESS_MEDIA_TYPE } from "@earshot/protocol";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ffmpeg } from "../support/audio.js";
import { startTestServer } from "../support/server.js";

let server: EarshotServer;
// About half a minute of continuous speech, so the VAD makes long pieces.
const clips = loadClips("ljspeech-dev", 5);
const long = ffmpeg(
  clips.map((c) => c.path),
  ["-filter_complex", `concat=n=${clips.length}:v=0:a=1`],
  "progress-long.wav",
);

beforeAll(async () => {
  server = await startTestServer({ engine: { workers: 1 } });
});
afterAll(async () => {
  await server?.close();
});

describe("progress", () => {
  it("reports at least every second, rising, before the first piece is done", { timeout: 300_000 }, async () => {
    const response = await fetch(`${server.url}/v1/listen`, {
      method: "POST",
      headers: { "content-type": "audio/wav", accept: PROGRESS_MEDIA_TYPE },
      body: long as Uint8Array<ArrayBuffer>,
    });
    expect(response.status).toBe(200);
    const events: Array<{ at: number; line: any }> = [];
    let buffered = "";
    const decoder = new TextDecoder();
    const reader = response.body!.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      buffered += decoder.decode(read.value, { stream: true });
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        events.push({ at: performance.now(), line: JSON.parse(buffered.slice(0, nl)) });
        buffered = buffered.slice(nl + 1);
      }
    }
    const last = events.at(-1)!.line;
    expect(last.type, JSON.stringify(last)).toBe("result");
    const progress = events.filter((e) => e.line.type === "progress");
    const fractions = progress.map((e) => e.line.fraction as number);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]!).toBeGreaterThanOrEqual(fractions[i - 1]!);
    // Decoding runs in a worker thread, so the server's clock ticks however loaded the machine is.
    const gaps = progress.slice(1).map((e, i) => e.at - progress[i]!.at);
    expect(Math.max(...gaps)).toBeLessThan(1500);
    // A piece of this file takes seconds to decode: progress inside it shows before any piece is done.
    const pieces = last.result.metadata.duration / 20;
    expect(fractions.filter((f) => f > 0 && f < 1).length).toBeGreaterThan(pieces * 2);
  });
});
