/**
 * Transcription jobs in embedded mode (SQLite + the server's own engine), end to end on loopback: the native
 * `/v1/jobs` API, Deepgram's `callback=`, the Gladia-compatible v2 API with the official `@gladiaio/sdk`, and
 * the SDK's job futures. Results are compared with the synchronous `/v1/listen` answer for the same audio.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { clip, loadClips } from "@earshot/bench/corpus";
import { countErrors } from "@earshot/engine";
import { JobSchema } from "@earshot/protocol";
import { EarshotClient, JobFailedError, verifyWebhook } from "@earshot/sdk";
import type { EarshotServer } from "@earshot/server";
import { GladiaClient } from "@gladiaio/sdk";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ffmpeg } from "../support/audio.js";
import { type FileServer, postListen, startFileServer, startTestServer } from "../support/server.js";

const CLI = fileURLToPath(new URL("../../packages/cli/dist/main.js", import.meta.url));
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const short = clip("ljspeech-dev", "LJ001-0002");
const jfk = clip("misc", "jfk");
// About a minute of speech: several VAD pieces, so progress moves in steps.
const longClips = loadClips("ljspeech-dev", 8);
const longAudio = ffmpeg(
  longClips.map((c) => c.path),
  ["-filter_complex", `concat=n=${longClips.length}:v=0:a=1`],
  "jobs-long.wav",
);

const transcriptOf = (body: any): string => body.results.channels[0].alternatives[0].transcript;
/**
 * The same speech as the synchronous answer. PocketSphinx normalises with the running cepstral mean of the
 * decoder that happens to take the piece, so a word may differ from run to run: compare by word error rate.
 */
function expectSameSpeech(actual: string, expected: string | undefined): void {
  const c = countErrors(expected ?? "", actual);
  expect((c.substitutions + c.deletions + c.insertions) / c.words).toBeLessThanOrEqual(0.25);
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function getJob(base: string, id: string): Promise<any> {
  return (await fetch(`${base}/v1/jobs/${id}`)).json();
}

async function waitFor(base: string, id: string, statuses = ["done", "error"]): Promise<any> {
  for (;;) {
    const job = await getJob(base, id);
    if (statuses.includes(job.status)) return job;
    await sleep(100);
  }
}

async function submit(base: string, body: Uint8Array | { url: string }, query = ""): Promise<any> {
  const json = !(body instanceof Uint8Array);
  const res = await fetch(`${base}/v1/jobs${query ? `?${query}` : ""}`, {
    method: "POST",
    headers: { "content-type": json ? "application/json" : "application/octet-stream" },
    body: json ? JSON.stringify(body) : (body as Uint8Array<ArrayBuffer>),
  });
  expect(res.status).toBe(202);
  return res.json();
}

let server: EarshotServer;
let files: FileServer;
let dataDir: string;
const expected = new Map<string, string>();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "earshot-jobs-"));
  [server, files] = await Promise.all([
    startTestServer({
      jobs: { dataDir, concurrency: 1 },
      webhooks: { secret: SECRET, retryBaseMs: 200 },
    }),
    startFileServer(),
  ]);
  for (const [name, audio] of [
    ["short", readFileSync(short.path)],
    ["jfk", readFileSync(jfk.path)],
  ] as const) {
    expected.set(name, transcriptOf((await postListen(server.url, audio)).body));
  }
});
afterAll(async () => {
  await Promise.all([server?.close(), files?.close()]);
});

describe("/v1/jobs", () => {
  // Minutes of real speech: generous on a loaded 2-core machine.
  it("goes queued → processing with rising progress → done, with the result /v1/listen gives", {
    timeout: 300_000,
  }, async () => {
    const sync = transcriptOf((await postListen(server.url, longAudio, "utterances=true")).body);
    const first = await submit(server.url, longAudio, "utterances=true");
    const second = await submit(server.url, readFileSync(short.path));
    expect(first.status_url).toBe(`${server.url}/v1/jobs/${first.request_id}`);
    // One job at a time on this server, so the second waits its turn.
    expect((await getJob(server.url, second.request_id)).status).toBe("queued");
    const seen: Array<{ status: string; progress: number }> = [];
    for (;;) {
      const job = await getJob(server.url, first.request_id);
      seen.push({ status: job.status, progress: job.progress });
      if (job.status === "done" || job.status === "error") break;
      await sleep(50);
    }
    const progress = seen.filter((s) => s.status === "processing").map((s) => s.progress);
    expect(progress.some((p) => p > 0 && p < 1)).toBe(true);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]!);

    const done = JobSchema.parse(await getJob(server.url, first.request_id));
    expect(done).toMatchObject({ status: "done", progress: 1, attempts: 1, kind: "jobs", error: null });
    expect(done.result!.metadata.request_id).toBe(first.request_id);
    expectSameSpeech(transcriptOf(done.result), sync);
    // Stitched pieces: utterances and words in order, on the whole file's timeline.
    const words = done.result!.results.channels[0]!.alternatives[0]!.words;
    for (let i = 1; i < words.length; i++) expect(words[i]!.start).toBeGreaterThanOrEqual(words[i - 1]!.start);
    expect(words.at(-1)!.end).toBeGreaterThan(longClips.slice(0, -1).reduce((s, c) => s + c.duration, 0));
    expect(done.result!.results.utterances!.at(-1)!.end).toBeCloseTo(words.at(-1)!.end, 1);
    expect(Date.parse(done.expires_at!) - Date.parse(done.completed_at!)).toBe(24 * 3600 * 1000);

    const next = await waitFor(server.url, second.request_id);
    expectSameSpeech(transcriptOf(next.result), expected.get("short"));
  });

  it("fetches {url} jobs, lists with a status filter and pages", async () => {
    const job = await submit(server.url, { url: `${files.url}/file?path=${encodeURIComponent(jfk.path)}` });
    const done = await waitFor(server.url, job.request_id);
    expectSameSpeech(transcriptOf(done.result), expected.get("jfk"));
    expect(done.source).toMatchObject({ type: "url", size: readFileSync(jfk.path).byteLength });

    const page = await (await fetch(`${server.url}/v1/jobs?status=done&limit=2`)).json();
    expect(page.jobs).toHaveLength(2);
    expect(page.total).toBeGreaterThanOrEqual(3);
    expect(page.next_offset).toBe(2);
    expect(page.jobs.every((j: any) => j.status === "done" && j.result === undefined)).toBe(true);
    expect(page.jobs[0].request_id).toBe(job.request_id);
    const rest = await (await fetch(`${server.url}/v1/jobs?status=done&limit=2&offset=2`)).json();
    expect(rest.jobs[0].request_id).not.toBe(page.jobs[1].request_id);
    const bad = await fetch(`${server.url}/v1/jobs?status=finished`);
    expect(bad.status).toBe(400);
  });

  it("records a failed job with its error, and refuses what cannot run at submission", async () => {
    const garbage = await submit(server.url, new TextEncoder().encode("this is not audio at all"));
    const failed = await waitFor(server.url, garbage.request_id);
    expect(failed.status).toBe("error");
    expect(failed.error).toMatchObject({ status: 400, request_id: garbage.request_id });
    expect(failed.attempts).toBe(1);

    const refused = await fetch(`${server.url}/v1/jobs?callback=${encodeURIComponent("http://169.254.169.254/x")}`, {
      method: "POST",
      body: readFileSync(short.path),
    });
    expect(refused.status).toBe(400);
    expect((await refused.json()).err_code).toBe("URL_REFUSED");
    expect((await fetch(`${server.url}/v1/jobs/not-a-job`)).status).toBe(404);
  });

  it("DELETE cancels a queued job and removes its audio", async () => {
    const running = await submit(server.url, longAudio);
    const queued = await submit(server.url, readFileSync(short.path));
    expect((await getJob(server.url, queued.request_id)).status).toBe("queued");
    const audioFile = join(dataDir, "blobs", "audio", queued.request_id);
    expect(readFileSync(audioFile).byteLength).toBeGreaterThan(0);

    const res = await fetch(`${server.url}/v1/jobs/${queued.request_id}`, { method: "DELETE" });
    expect(await res.json()).toEqual({ request_id: queued.request_id, deleted: true, previous_status: "queued" });
    const gone = await fetch(`${server.url}/v1/jobs/${queued.request_id}`);
    expect(gone.status).toBe(404);
    expect((await gone.json()).err_msg).toMatch(/was deleted/);
    expect(() => readFileSync(audioFile)).toThrow();

    // Cancelling the running one too: its result, when the engine finishes, is dropped.
    await fetch(`${server.url}/v1/jobs/${running.request_id}`, { method: "DELETE" });
    expect((await fetch(`${server.url}/v1/jobs/${running.request_id}`)).status).toBe(404);
  });
});

describe("Deepgram callback=", () => {
  it("answers at once, then delivers one signed response after two failed attempts", async () => {
    const deliveries: Array<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> =
      [];
    const receiver: Server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        const status = deliveries.length < 2 ? 503 : 200;
        deliveries.push({ status, body, headers: req.headers });
        res.writeHead(status);
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const callback = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    try {
      const res = await postListen(
        server.url,
        readFileSync(short.path),
        `callback=${encodeURIComponent(callback)}&callback_method=put&tag=cb`,
      );
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(["request_id"]);
      expect(res.headers.get("dg-request-id")).toBe(res.body.request_id);

      let job: any;
      do {
        await sleep(100);
        job = await getJob(server.url, res.body.request_id);
      } while (job.callback.state === "pending");
      // Give a wrongly scheduled extra delivery the time to show up.
      await sleep(1000);
      expect(job.kind).toBe("listen");
      expect(job.callback).toMatchObject({ url: callback, method: "PUT", state: "delivered" });
      expect(job.callback.attempts.map((a: any) => a.status_code)).toEqual([503, 503, 200]);
      expect(deliveries.map((d) => d.status)).toEqual([503, 503, 200]);

      const accepted = deliveries[2]!;
      const response: any = await verifyWebhook(accepted.body, accepted.headers, SECRET);
      expect(response.metadata.request_id).toBe(res.body.request_id);
      expect(response.metadata.tags).toEqual(["cb"]);
      expectSameSpeech(transcriptOf(response), expected.get("short"));
      // Retries carry the same message id; a wrong secret or a changed body fails verification.
      expect(new Set(deliveries.map((d) => d.headers["webhook-id"])).size).toBe(1);
      await expect(verifyWebhook(accepted.body, accepted.headers, "whsec_d3Jvbmc=")).rejects.toThrow(/signature/);
      await expect(verifyWebhook(`${accepted.body} `, accepted.headers, SECRET)).rejects.toThrow(/signature/);
    } finally {
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});

describe("SDK jobs", () => {
  const client = () => new EarshotClient({ baseUrl: server.url, maxRetries: 0 });

  it("submit returns a future: events, isReady, result", async () => {
    const job = await client().jobs.submit(readFileSync(jfk.path), { utterances: true });
    const events: string[] = [];
    const done = new Promise<any>((resolve) => job.on("done", resolve));
    job.on("progress", () => events.push("progress"));
    const result = await job.result({ pollInterval: 100 });
    expectSameSpeech(transcriptOf(result), expected.get("jfk"));
    expectSameSpeech(transcriptOf(await done), expected.get("jfk"));
    expect(events.length).toBeGreaterThan(0);
    expect(await job.isReady()).toBe(true);
    expect((await client().jobs.get(job.id)).status).toBe("done");
    expect((await client().jobs.list({ status: "done", limit: 1 })).jobs[0]!.request_id).toBe(job.id);
  });

  it("gather keeps input order and reports each failure; asCompleted yields as jobs finish", async () => {
    const inputs = [readFileSync(jfk.path), new TextEncoder().encode("not audio"), readFileSync(short.path)];
    const outcomes = await client().jobs.gather(inputs, { concurrency: 2, pollInterval: 100 });
    expect(outcomes.map((o) => o.index)).toEqual([0, 1, 2]);
    expect(outcomes[0]!.ok).toBe(true);
    if (outcomes[0]!.ok) expectSameSpeech(transcriptOf(outcomes[0]!.result), expected.get("jfk"));
    expect(outcomes[2]!.ok).toBe(true);
    if (outcomes[2]!.ok) expectSameSpeech(transcriptOf(outcomes[2]!.result), expected.get("short"));
    const failure = outcomes[1]!;
    expect(failure.ok).toBe(false);
    if (!failure.ok) expect(failure.error).toBeInstanceOf(JobFailedError);

    const seen: number[] = [];
    for await (const outcome of client().jobs.asCompleted([readFileSync(short.path), { url: "ftp://nope/x.wav" }], {
      pollInterval: 100,
    })) {
      seen.push(outcome.index);
      if (outcome.index === 1) expect(outcome.ok).toBe(false);
    }
    expect(seen.sort()).toEqual([0, 1]);
  });

  it("cancel and wait with an abort signal", async () => {
    const job = await client().jobs.submit(readFileSync(short.path));
    const controller = new AbortController();
    const waiting = job.wait({ signal: controller.signal, pollInterval: 50 });
    controller.abort();
    await expect(waiting).rejects.toThrow();
    expect((await job.cancel()).deleted).toBe(true);
    await expect(job.status()).rejects.toMatchObject({ status: 404 });
  });
});

describe("Gladia v2", () => {
  it("the official @gladiaio/sdk preRecorded().transcribe() returns the transcript", async () => {
    const gladia = new GladiaClient({ apiKey: "unused", apiUrl: server.url });
    const result: any = await gladia
      .preRecorded()
      .transcribe(
        new Blob([readFileSync(jfk.path)], { type: "audio/wav" }),
        { language_config: { languages: ["en"] } },
        {
          interval: 200,
        } as any,
      );
    expect(result.status).toBe("done");
    expectSameSpeech(result.result.transcription.full_transcript, expected.get("jfk"));
    expect(result.result.transcription.languages).toEqual(["en"]);
    const utterances = result.result.transcription.utterances;
    expect(utterances.map((u: any) => u.text).join(" ")).toBe(result.result.transcription.full_transcript);
    expect(result.file).toMatchObject({ filename: "blob", audio_duration: 11 });
    expect(await gladia.preRecorded().delete(result.id)).toBe(true);
  });

  it("upload by URL, the legacy /v2/transcription path, list and Gladia errors", async () => {
    const upload = await fetch(`${server.url}/v2/upload`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ audio_url: `${files.url}/file?path=${encodeURIComponent(short.path)}` }),
    });
    const uploaded = await upload.json();
    expect(uploaded.audio_metadata.size).toBe(readFileSync(short.path).byteLength);
    const created = await fetch(`${server.url}/v2/transcription`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ audio_url: uploaded.audio_url, custom_metadata: { user: "ada" }, diarization: true }),
    });
    expect(created.status).toBe(201);
    const { id, result_url } = await created.json();
    expect(result_url).toBe(`${server.url}/v2/pre-recorded/${id}`);
    let job: any;
    do {
      await sleep(100);
      job = await (await fetch(`${server.url}/v2/transcription/${id}`)).json();
    } while (job.status !== "done" && job.status !== "error");
    expect(job).toMatchObject({ status: "done", custom_metadata: { user: "ada" }, kind: "pre-recorded" });
    expect(job.request_params.diarization).toBe(true);
    expectSameSpeech(job.result.transcription.full_transcript, expected.get("short"));
    // Visible in the native API too.
    expect((await getJob(server.url, id)).kind).toBe("gladia");

    const list = await (await fetch(`${server.url}/v2/pre-recorded?limit=1&status=done`)).json();
    expect(list.items[0].id).toBe(id);
    expect(list.next).toContain("offset=1");

    const bad = await fetch(`${server.url}/v2/pre-recorded`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ language: "en" }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ statusCode: 400, path: "/v2/pre-recorded" });
    expect((await fetch(`${server.url}/v2/pre-recorded/${id}`, { method: "DELETE" })).status).toBe(202);
    const gone = await fetch(`${server.url}/v2/pre-recorded/${id}`);
    expect(gone.status).toBe(404);
    expect((await gone.json()).message).toMatch(/deleted/);
  });
});

describe("CLI", () => {
  const cli = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [CLI, ...args, "--server", server.url], (error, stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
      );
    });

  it("transcribe --async submits every file as a job; jobs list, get and cancel", async () => {
    const run = await cli(["transcribe", "--async", short.path, jfk.path]);
    expect(run.code).toBe(0);
    const [first, second] = run.stdout.split(/^# .*$/m).filter((t) => t.trim());
    expectSameSpeech(first!.trim(), expected.get("short"));
    expectSameSpeech(second!.trim(), expected.get("jfk"));

    const list = await cli(["jobs", "list", "--status", "done", "--limit", "2"]);
    const ids = list.stdout
      .trim()
      .split("\n")
      .map((line) => line.split(/\s+/)[0]!);
    expect(ids).toHaveLength(2);
    const got = await cli(["jobs", "get", ids[0]!, "-f", "text"]);
    expect(got.stdout.trim().length).toBeGreaterThan(0);
    expect((await cli(["jobs", "cancel", ids[0]!])).stdout).toContain("deleted");
    expect((await cli(["jobs", "get", ids[0]!])).code).not.toBe(0);
  });
});

describe("retention", () => {
  it("deletes audio and rows after the TTL; the job then answers 404 saying it expired", async () => {
    const dir = mkdtempSync(join(tmpdir(), "earshot-ttl-"));
    const ttl = await startTestServer({ jobs: { dataDir: dir, retentionMs: 1500 }, engine: { workers: 1 } });
    try {
      const job = await submit(ttl.url, readFileSync(short.path));
      const audioFile = join(dir, "blobs", "audio", job.request_id);
      expect(readFileSync(audioFile).byteLength).toBeGreaterThan(0);
      const done = await waitFor(ttl.url, job.request_id);
      expect(done.status).toBe("done");
      let res: Response;
      do {
        await sleep(200);
        res = await fetch(`${ttl.url}/v1/jobs/${job.request_id}`);
      } while (res.status === 200);
      expect(res.status).toBe(404);
      expect((await res.json()).err_msg).toMatch(/expired/);
      expect(() => readFileSync(audioFile)).toThrow();
      const db = new Database(join(dir, "jobs.db"), { readonly: true });
      expect(db.prepare("SELECT count(*) AS n FROM jobs WHERE id = ?").get(job.request_id)).toEqual({ n: 0 });
      db.close();
    } finally {
      await ttl.close();
    }
  });
});
