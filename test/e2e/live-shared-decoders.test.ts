/**
 * Live streams share their worker's decoders: a real server on loopback with one engine worker, real
 * PocketSphinx and Silero VAD, real speech. Silent streams hold no decoder (as `/v1/status` reports) and those
 * built when they opened are freed once idle, streams that speak at once each get their own words, and 8 kHz
 * audio goes through the streaming resampler to the model's narrowband decoders.
 */
import { clip } from "@earshot/bench/corpus";
import { type StatusResponse, StatusResponseSchema } from "@earshot/protocol";
import { EarshotClient, type LiveResults } from "@earshot/sdk";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transcode } from "../support/audio.js";
import { chunks, pcm16, silence } from "../support/live.js";
import { startTestServer } from "../support/server.js";
import { werOf } from "../support/wer.js";

const lj1 = clip("ljspeech-dev", "LJ001-0001");
const lj3 = clip("ljspeech-dev", "LJ001-0003");
const IDLE_STREAMS = 8;
/** Spare decoders go after this much idleness (30 s by default; shortened so the test sees it). */
const SPARE_SECONDS = 3;

let server: EarshotServer;
let client: EarshotClient;

beforeAll(async () => {
  server = await startTestServer({
    engine: { workers: 1, live: { streamsPerWorker: IDLE_STREAMS + 4, spareDecoderSeconds: SPARE_SECONDS } },
  });
  client = new EarshotClient({ baseUrl: server.url, apiKey: "" });
});
afterAll(async () => {
  await server?.close();
});

const liveDecoders = async (): Promise<NonNullable<StatusResponse["engine"]["live_decoders"]>> => {
  const status = StatusResponseSchema.parse(await (await fetch(`${server.url}/v1/status`)).json());
  return status.engine.live_decoders!;
};

/** Sends `audio` (16-bit mono at `rate`) as fast as the socket takes it; resolves to the stream's final text. */
async function transcribe(audio: Uint8Array, rate = 16_000): Promise<string> {
  const conn = client.listen.v1.connect({ encoding: "linear16", sample_rate: rate });
  const finals: string[] = [];
  conn.on("Results", (r: LiveResults) => {
    const text = r.channel.alternatives[0]!.transcript;
    if (r.is_final && text) finals.push(text);
  });
  for (const chunk of chunks(audio, rate / 5)) conn.send(chunk);
  await conn.finish();
  return finals.join(" ");
}

describe("live streams sharing one worker's decoders", () => {
  it("holds no decoder for silent streams and gives speakers talking at once their own words", async () => {
    const idle = Array.from({ length: IDLE_STREAMS }, () =>
      client.listen.v1.connect({ encoding: "linear16", sample_rate: 16_000 }),
    );
    await Promise.all(idle.map((conn) => conn.opened));
    // Silence at real-time pace keeps them open without speech: their VAD runs, no utterance starts.
    const ticker = setInterval(() => {
      for (const conn of idle) conn.send(silence(0.5));
    }, 500);

    try {
      const [one, three] = await Promise.all([
        transcribe(Buffer.concat([silence(0.5), pcm16(lj1.path, "lj1.raw"), silence(1)])),
        transcribe(Buffer.concat([silence(0.5), pcm16(lj3.path, "lj3.raw"), silence(1)])),
      ]);
      expect(werOf(lj1.reference, one), one).toBeLessThan(0.4);
      expect(werOf(lj3.reference, three), three).toBeLessThan(0.4);

      // The speakers are done and gave their decoders back; the silent streams, still open, hold none. The
      // decoders built when they opened (one per stream) are freed once idle, down to the worker's warm set.
      expect((await liveDecoders()).held).toBe(0);
      let decoders = await liveDecoders();
      for (let waited = 0; decoders.idle > 2 && waited < 6 * SPARE_SECONDS * 1000; waited += 250) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        decoders = await liveDecoders();
      }
      expect(decoders).toMatchObject({ held: 0, idle: 2 });
    } finally {
      clearInterval(ticker);
    }
    await Promise.all(idle.map((conn) => conn.finish()));
    expect((await liveDecoders()).held).toBe(0);
  });

  // Narrowband audio costs this wideband model most of its accuracy (~90 % WER over LJ clips as they were
  // decoded before), so a stream that says it is 8 kHz borrows decoders with the model's narrowband transform.
  // The same audio resampled by ffmpeg and streamed at 16 kHz says nothing of its bandwidth: plain decoders hear
  // it, the yardstick of what the transform is worth.
  it("transcribes an 8 kHz stream through the model's narrowband decoders", async () => {
    const raw = ["-f", "s16le", "-ac", "1", "-c:a", "pcm_s16le"];
    const at8k = transcode(lj1.path, [...raw, "-ar", "8000"], "lj1-8k.raw");
    const via16k = transcode(
      lj1.path,
      ["-af", "aresample=8000,aresample=16000", ...raw, "-ar", "16000"],
      "lj1-8k16.raw",
    );
    const text8k = await transcribe(Buffer.concat([Buffer.alloc(8000), at8k, Buffer.alloc(16_000)]), 8000);
    const text16k = await transcribe(Buffer.concat([silence(0.5), via16k, silence(1)]));
    // Measured 22 % against 37 % (LJ001-0001, 27 words).
    const [wer8k, wer16k] = [werOf(lj1.reference, text8k), werOf(lj1.reference, text16k)];
    console.log(
      `8 kHz stream: ${(wer8k * 100).toFixed(1)} % WER; the same audio at 16 kHz: ${(wer16k * 100).toFixed(1)} %`,
    );
    expect(wer8k, `${text8k} / ${text16k}`).toBeLessThan(wer16k);
    expect(wer8k, text8k).toBeLessThan(0.35);
  });
});
