/**
 * Scale-out mode: an API server with `jobs.redisUrl` enqueues into BullMQ on a real `redis-server`, and two
 * `earshot worker` processes (one engine thread each) run the jobs. A long file is cut at silences and its
 * pieces recognised by both workers, then stitched back; callbacks and the Gladia API work the same as embedded.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clip, loadClips } from "@earshot/bench/corpus";
import { type EarshotProcess, type RedisServer, startEarshot, startRedis } from "@earshot/bench/processes";
import { countErrors } from "@earshot/engine";
import { EarshotClient, verifyWebhook } from "@earshot/sdk";
import type { EarshotServer } from "@earshot/server";
import { GladiaClient } from "@gladiaio/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ffmpeg } from "../support/audio.js";
import { postListen, startTestServer } from "../support/server.js";

const SECRET = "scale-out-secret";
const short = clip("misc", "jfk");
const longClips = loadClips("ljspeech-dev", 8);
const longAudio = ffmpeg(
  longClips.map((c) => c.path),
  ["-filter_complex", `concat=n=${longClips.length}:v=0:a=1`],
  "jobs-redis-long.wav",
);
const transcriptOf = (body: any): string => body.results.channels[0].alternatives[0].transcript;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
function expectSameSpeech(actual: string, expected: string): void {
  const c = countErrors(expected, actual);
  expect((c.substitutions + c.deletions + c.insertions) / c.words).toBeLessThanOrEqual(0.25);
}

let redis: RedisServer;
let api: EarshotServer;
const workers: EarshotProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), "earshot-jobs-redis-"));
  const blobDir = join(dir, "blobs");
  api = await startTestServer({
    jobs: { redisUrl: redis.url, blobDir, dataDir: dir },
    webhooks: { secret: SECRET },
    engine: { workers: 1 },
  });
  for (let i = 0; i < 2; i++) {
    workers.push(
      await startEarshot(["worker", "--threads", "1", "--redis", redis.url, "--blob-dir", blobDir], {
        EARSHOT_URL_ALLOW: "127.0.0.0/8",
        EARSHOT_WEBHOOK_SECRET: SECRET,
      }),
    );
  }
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await api?.close();
  await redis?.close();
});

describe("jobs on Redis", () => {
  it("splits a long file over the workers and stitches it back, with rising progress", async () => {
    const sync = transcriptOf((await postListen(api.url, longAudio)).body);
    const client = new EarshotClient({ baseUrl: api.url });
    // A boosted keyword travels with every piece: the default model hears "Gutenberg" as "he got murder".
    const job = await client.jobs.submit(longAudio, { utterances: true, keywords: ["gutenberg:10"] });
    const progress: number[] = [];
    const result = await job.wait({ pollInterval: 50, onProgress: (f) => progress.push(f) });
    expect(progress.some((p) => p > 0 && p < 1)).toBe(true);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]!);
    expectSameSpeech(transcriptOf(result), sync);
    expect(sync).not.toMatch(/gutenberg/);
    expect(transcriptOf(result)).toMatch(/gutenberg/);
    expect(result.metadata.warnings ?? []).not.toContainEqual(expect.objectContaining({ parameter: "keywords" }));
    const words = result.results.channels[0]!.alternatives[0]!.words;
    for (let i = 1; i < words.length; i++) expect(words[i]!.start).toBeGreaterThanOrEqual(words[i - 1]!.start);
    expect(words.at(-1)!.end).toBeGreaterThan(longClips.slice(0, -1).reduce((s, c) => s + c.duration, 0));
    expect(result.metadata.duration).toBeCloseTo(
      longClips.reduce((s, c) => s + c.duration, 0),
      0,
    );
    expect(result.results.utterances!.length).toBeGreaterThan(0);
  });

  it("delivers a signed callback from a worker and serves the Gladia API", async () => {
    const bodies: Array<{ body: string; headers: any }> = [];
    const receiver: Server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        bodies.push({ body, headers: req.headers });
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      const callback = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const accepted = await postListen(api.url, readFileSync(short.path), `callback=${encodeURIComponent(callback)}`);
      expect(accepted.status).toBe(200);
      while (bodies.length === 0) await sleep(100);
      const response: any = await verifyWebhook(bodies[0]!.body, bodies[0]!.headers, SECRET);
      expect(response.metadata.request_id).toBe(accepted.body.request_id);

      const gladia = new GladiaClient({ apiKey: "unused", apiUrl: api.url });
      const result: any = await gladia
        .preRecorded()
        .transcribe(new Blob([readFileSync(short.path)]), {}, { interval: 200 } as any);
      expectSameSpeech(result.result.transcription.full_transcript, transcriptOf(response));
    } finally {
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
