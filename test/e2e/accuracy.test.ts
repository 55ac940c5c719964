/**
 * Accuracy regression guard: real speech from the shared set through the HTTP API and the live WebSocket, scored
 * with one normaliser. Bounds sit a little above what was measured (see the README's figures), so a change that
 * makes recognition worse fails here; they are not goals.
 */
import { readFileSync } from "node:fs";
import { type Clip, loadClips, wavAtRate } from "@earshot/bench/corpus";
import { mapLimit } from "@earshot/bench/table";
import { wordErrorRate } from "@earshot/engine";
import { EarshotClient, type LiveResults } from "@earshot/sdk";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunks, pcm16, silence } from "../support/live.js";
import { startTestServer } from "../support/server.js";

let server: EarshotServer;
let client: EarshotClient;

beforeAll(async () => {
  server = await startTestServer({ engine: { workers: 2, queueLimit: 1000 } });
  client = new EarshotClient({ baseUrl: server.url });
});
afterAll(async () => {
  await server?.close();
});

/**
 * Each clip as a live stream of its own (a new stream's first utterance: the hardest case for the live front
 * end), sent at once rather than at real-time pace — the words depend on the audio, not on its pace.
 */
async function liveWerOf(clips: Clip[]): Promise<number> {
  const pairs = await mapLimit(clips, 4, async (c) => {
    const conn = client.listen.v1.connect({ encoding: "linear16", sample_rate: 16_000 });
    const finals: LiveResults[] = [];
    conn.on("Results", (r) => r.is_final && finals.push(r));
    await conn.opened;
    const audio = Buffer.concat([silence(0.5), pcm16(c.path, `${c.id}.raw`), silence(1.5)]);
    for (const chunk of chunks(audio, 3200)) conn.send(chunk);
    await conn.finish();
    const hypothesis = finals.map((r) => r.channel.alternatives[0]!.transcript).join(" ");
    return { reference: c.reference, hypothesis };
  });
  return wordErrorRate(pairs);
}

/** `clip` as telephone audio: resampled to 8 kHz by ffmpeg, a WAV file. */
const telephone = (clip: Clip): Buffer => wavAtRate(clip.path, 8000);

async function werOf(clips: Clip[], audioOf: (clip: Clip) => Buffer = (c) => readFileSync(c.path)): Promise<number> {
  const pairs = await Promise.all(
    clips.map(async (c) => {
      const result = await client.listen.v1.media.transcribeFile(audioOf(c));
      return { reference: c.reference, hypothesis: result.results.channels[0]!.alternatives[0]!.transcript };
    }),
  );
  return wordErrorRate(pairs);
}

describe("word error rate on the shared speech set", () => {
  it.each([
    // [set, clips, measured WER, bound]
    ["ljspeech-dev", 30, 0.215, 0.25],
    ["misc", 10, 0.2, 0.25],
    ["multi-dev", 30, 0.453, 0.5],
  ] as const)(
    "%s (first %i clips) stays under its bound",
    async (set, count, _measured, bound) => {
      const wer = await werOf(loadClips(set, count));
      console.log(`WER ${set} first ${count} clips: ${(wer * 100).toFixed(2)} %`);
      expect(wer).toBeLessThan(bound);
    },
    300_000,
  );
});

describe("telephone audio", () => {
  /**
   * 8 kHz audio has nothing above 4 kHz, where the model's filters reach 6.8 kHz: the recogniser decodes it
   * through the model's narrowband transform (bench/narrowband). Without it these clips measured 59.5 % and
   * 67.0 %: the first bound fails when the transform is not applied.
   */
  it.each([
    // [set, clips, measured WER, bound]
    ["ljspeech-dev", 12, 0.315, 0.36],
    ["multi-dev", 12, 0.631, 0.68],
  ] as const)(
    "%s (first %i clips) at 8 kHz stays under its bound",
    async (set, count, _measured, bound) => {
      const wer = await werOf(loadClips(set, count), telephone);
      console.log(`WER ${set} first ${count} clips at 8 kHz: ${(wer * 100).toFixed(2)} %`);
      expect(wer).toBeLessThan(bound);
    },
    300_000,
  );
});

/** Measured 19.5 % live against 16.0 % batch (35.0 % live before live finals got the best path and their own mean). */
const LIVE_BOUND = 0.23;
const LIVE_GAP_BOUND = 0.05;

describe("live finals against batch on the same clips", () => {
  it("ljspeech-dev (first 12 clips): live WER stays under its bound and near batch", async () => {
    const clips = loadClips("ljspeech-dev", 12);
    const [live, batch] = [await liveWerOf(clips), await werOf(clips)];
    console.log(
      `WER ljspeech-dev first 12 clips: live ${(live * 100).toFixed(2)} %, batch ${(batch * 100).toFixed(2)} %`,
    );
    expect(live).toBeLessThan(LIVE_BOUND);
    expect(live - batch).toBeLessThan(LIVE_GAP_BOUND);
  }, 300_000);
});
