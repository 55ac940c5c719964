/**
 * Jobs survive `kill -9` of the process running them. Embedded mode: the `earshot serve` process is the worker;
 * it is killed mid-batch and restarted on the same data dir. Redis mode: `earshot serve --redis` takes the
 * jobs and `earshot worker --redis` runs them; the worker is killed mid-batch and a new one started. Either way
 * all 20 jobs end `done`, each with its own result, matching what the synchronous `/v1/listen` gives.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadClips } from "@earshot/bench/corpus";
import { type EarshotProcess, type RedisServer, startEarshot, startRedis } from "@earshot/bench/processes";
import { countErrors } from "@earshot/engine";
import { EarshotClient } from "@earshot/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The 20 shortest LJ clips: the point is the number of jobs, not their length.
const clips = loadClips("ljspeech-dev")
  .sort((a, b) => a.duration - b.duration)
  .slice(0, 20);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const transcriptOf = (body: any): string => body.results.channels[0].alternatives[0].transcript;

async function submitBatch(client: EarshotClient): Promise<string[]> {
  const ids: string[] = [];
  for (const c of clips) ids.push((await client.jobs.submit(readFileSync(c.path))).id);
  return ids;
}

async function waitUntil(client: EarshotClient, ids: string[], enough: (done: number) => boolean): Promise<void> {
  for (;;) {
    const jobs = await Promise.all(ids.map((id) => client.jobs.get(id)));
    if (enough(jobs.filter((j) => j.status === "done").length)) return;
    await sleep(100);
  }
}

/** All 20 done, results keyed by their own id, each transcript the one `/v1/listen` gives for its clip. */
async function expectAllDone(client: EarshotClient, ids: string[], transcripts: string[]): Promise<void> {
  await waitUntil(client, ids, (done) => done === ids.length);
  const jobs = await Promise.all(ids.map((id) => client.jobs.get(id)));
  expect(new Set(jobs.map((j) => j.result!.metadata.request_id))).toEqual(new Set(ids));
  // Each result is its own clip's (same duration) and says what /v1/listen says, give or take a word where
  // PocketSphinx's running cepstral mean differs between decoders.
  let errors = 0;
  let words = 0;
  for (const [i, job] of jobs.entries()) {
    expect(job.status).toBe("done");
    expect(job.result!.metadata.request_id).toBe(ids[i]);
    expect(job.result!.metadata.duration).toBeCloseTo(clips[i]!.duration, 1);
    const c = countErrors(transcripts[i]!, transcriptOf(job.result));
    errors += c.substitutions + c.deletions + c.insertions;
    words += c.words;
  }
  expect(errors / words).toBeLessThan(0.1);
  // The jobs the killed process held were taken up again.
  expect(jobs.some((j) => j.attempts > 1)).toBe(true);
  const listed = await client.jobs.list({ limit: 100 });
  expect(listed.total).toBe(ids.length);
  expect(new Set(listed.jobs.map((j) => j.request_id)).size).toBe(ids.length);
}

const processes: EarshotProcess[] = [];
const start = async (args: string[]): Promise<EarshotProcess> => {
  const p = await startEarshot(args);
  processes.push(p);
  return p;
};
let reference: EarshotProcess;
let transcripts: string[];

beforeAll(async () => {
  reference = await start(["serve", "--port", "0", "--workers", "2", "--data-dir", mkdtempSync(join(tmpdir(), "es-"))]);
  const client = new EarshotClient({ baseUrl: reference.url });
  transcripts = [];
  for (const c of clips)
    transcripts.push(transcriptOf(await client.listen.v1.media.transcribeFile(readFileSync(c.path))));
  await reference.kill();
});
afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill("SIGKILL")));
});

describe("durability", () => {
  it("embedded: kill -9 the serve process mid-batch, restart it on the same data dir, all 20 finish", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "earshot-durable-"));
    const args = ["serve", "--port", "0", "--workers", "2", "--data-dir", dataDir];
    const first = await start(args);
    const ids = await submitBatch(new EarshotClient({ baseUrl: first.url }));
    await waitUntil(new EarshotClient({ baseUrl: first.url }), ids, (done) => done >= 3);
    await first.kill("SIGKILL");

    const second = await start(args);
    const client = new EarshotClient({ baseUrl: second.url });
    const before = await Promise.all(ids.map((id) => client.jobs.get(id)));
    expect(before.filter((j) => j.status === "done").length).toBeLessThan(ids.length);
    await expectAllDone(client, ids, transcripts);
    await second.kill();
  });

  describe("redis", () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => {
      await redis?.close();
    });

    it("kill -9 the worker mid-batch, start another, all 20 finish", async () => {
      const dir = mkdtempSync(join(tmpdir(), "earshot-durable-redis-"));
      const shared = ["--redis", redis.url, "--blob-dir", join(dir, "blobs")];
      const api = await start(["serve", "--port", "0", "--workers", "1", "--data-dir", dir, ...shared]);
      const worker = await start(["worker", "--threads", "2", ...shared]);
      const client = new EarshotClient({ baseUrl: api.url });
      const ids = await submitBatch(client);
      await waitUntil(client, ids, (done) => done >= 3);
      await worker.kill("SIGKILL");
      const before = await Promise.all(ids.map((id) => client.jobs.get(id)));
      expect(before.filter((j) => j.status === "done").length).toBeLessThan(ids.length);

      // The killed worker's jobs come back once their BullMQ locks lapse.
      await start(["worker", "--threads", "2", ...shared]);
      await expectAllDone(client, ids, transcripts);
    });
  });
});
