/**
 * AssemblyAI's v2 API under `/assemblyai`, driven by the official `assemblyai` SDK unmodified (`baseUrl`):
 * upload + submit + poll (`transcripts.transcribe`), `submit` + `waitUntilReady`, `get`, `list`, `delete`,
 * sentences, paragraphs and subtitles; the webhook with its auth header; AssemblyAI's bare-key auth and errors.
 * The transcripts are jobs: they show in `/v1/jobs` too.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { clip } from "@earshot/bench/corpus";
import { wordErrorRate } from "@earshot/engine";
import type { EarshotServer } from "@earshot/server";
import { AssemblyAI } from "assemblyai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "../support/server.js";

const KEY = "assemblyai-key";
const lj = clip("ljspeech-dev", "LJ001-0003");
const wer = (hypothesis: string | null | undefined): number =>
  wordErrorRate([{ reference: lj.reference, hypothesis: hypothesis ?? "" }]);
const FAST = { pollingInterval: 250 };

let server: EarshotServer;
let client: AssemblyAI;

interface Delivery {
  headers: IncomingHttpHeaders;
  body: any;
}

/** A webhook receiver on loopback that records what it gets. */
async function startReceiver(): Promise<{ url: string; deliveries: Delivery[]; close(): Promise<void> }> {
  const deliveries: Delivery[] = [];
  const receiver: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      deliveries.push({ headers: req.headers, body: JSON.parse(body) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
    deliveries,
    close: () => new Promise((resolve) => receiver.close(() => resolve())),
  };
}

beforeAll(async () => {
  server = await startTestServer({ apiKeys: [KEY] });
  client = new AssemblyAI({ apiKey: KEY, baseUrl: `${server.url}/assemblyai` });
});
afterAll(async () => {
  await server?.close();
});

describe("the official assemblyai SDK", () => {
  it("transcripts.transcribe uploads a local file, submits it and polls it to completed", async () => {
    const transcript = await client.transcripts.transcribe({ audio: lj.path, speaker_labels: true }, FAST);
    expect(transcript.status).toBe("completed");
    expect(wer(transcript.text), transcript.text ?? "").toBeLessThan(0.4);
    expect(transcript.audio_url).toMatch(/\/assemblyai\/v2\/upload\/[0-9a-f-]{36}$/);
    expect(transcript.audio_duration).toBeCloseTo(lj.duration, 1);
    expect(transcript.confidence).toBeGreaterThan(0);
    expect(transcript).toMatchObject({
      language_code: "en_us",
      punctuate: true,
      format_text: true,
      speaker_labels: true,
    });
    // Word times are milliseconds, speakers letters.
    const words = transcript.words ?? [];
    expect(words.map((w) => w.text).join(" ")).toBe(transcript.text);
    expect(words.at(-1)!.end).toBeGreaterThan(1000);
    expect(words.at(-1)!.end).toBeLessThanOrEqual(lj.duration * 1000);
    expect(words.every((w) => w.speaker === "A")).toBe(true);
    const utterances = transcript.utterances ?? [];
    expect(utterances.length).toBeGreaterThan(0);
    expect(utterances.map((u) => u.text).join(" ")).toBe(transcript.text);
    expect(utterances[0]).toMatchObject({ speaker: "A" });
  });

  it("submit by URL, waitUntilReady, get; sentences, paragraphs, srt and vtt", async () => {
    const upload = await client.files.upload(lj.path);
    const submitted = await client.transcripts.submit({ audio_url: upload, language_code: "en_us", punctuate: false });
    expect(submitted.status).toBe("queued");
    expect(submitted).toMatchObject({ punctuate: false, speaker_labels: false, utterances: null, text: null });
    const ready = await client.transcripts.waitUntilReady(submitted.id, FAST);
    expect(ready.status).toBe("completed");
    expect(ready.utterances).toBeNull();
    expect(ready.words?.every((w) => w.speaker === null)).toBe(true);
    expect((await client.transcripts.get(submitted.id)).text).toBe(ready.text);

    const { sentences } = await client.transcripts.sentences(submitted.id);
    expect(sentences.map((s) => s.text).join(" ")).toBe(ready.text);
    expect(sentences.flatMap((s) => s.words).map((w) => w.text)).toEqual(ready.words?.map((w) => w.text));
    const { paragraphs } = await client.transcripts.paragraphs(submitted.id);
    expect(paragraphs.map((p) => p.text).join(" ")).toBe(ready.text);
    expect(paragraphs[0]!.start).toBe(ready.words![0]!.start);

    const srt = await client.transcripts.subtitles(submitted.id, "srt");
    expect(srt).toMatch(/^1\n00:00:\d\d,\d{3} --> /);
    const vtt = await client.transcripts.subtitles(submitted.id, "vtt", 20);
    const lines = vtt.split("\n").filter((l) => l && !l.startsWith("WEBVTT") && !l.includes("-->"));
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.join(" ")).toBe(ready.text);
  });

  it("list pages through transcripts; delete removes one", async () => {
    const first = await client.transcripts.submit({ audio: lj.path });
    const second = await client.transcripts.submit({ audio: lj.path });
    await client.transcripts.waitUntilReady(second.id, FAST);
    const page = await client.transcripts.list({ limit: 1 });
    expect(page.transcripts).toHaveLength(1);
    expect(page.transcripts[0]!.id).toBe(second.id);
    expect(page.transcripts[0]!.created).toBeInstanceOf(Date);
    expect(page.page_details.next_url).toBeTruthy();
    const next = await client.transcripts.list(page.page_details.next_url!);
    expect(next.transcripts[0]!.id).toBe(first.id);
    const completed = await client.transcripts.list({ status: "completed", limit: 50 });
    expect(completed.transcripts.every((t) => t.status === "completed")).toBe(true);

    const deleted = await client.transcripts.delete(second.id);
    expect(deleted).toMatchObject({ id: second.id, status: "completed", text: null, words: null });
    await expect(client.transcripts.get(second.id)).rejects.toThrow(/deleted/);
    // The same jobs, seen through the native API.
    const job = await fetch(`${server.url}/v1/jobs/${first.id}`, { headers: { authorization: `Token ${KEY}` } });
    expect((await job.json()).kind).toBe("assemblyai");
  });

  it("webhook_url gets the id and status, with the auth header the client asked for", async () => {
    const receiver = await startReceiver();
    try {
      const transcript = await client.transcripts.transcribe(
        {
          audio: lj.path,
          webhook_url: receiver.url,
          webhook_auth_header_name: "X-Hook-Secret",
          webhook_auth_header_value: "s3cret",
        },
        FAST,
      );
      expect(transcript).toMatchObject({ webhook_url: receiver.url, webhook_auth: true });
      expect(transcript).not.toHaveProperty("webhook_auth_header_value");
      for (let i = 0; i < 100 && receiver.deliveries.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(receiver.deliveries).toHaveLength(1);
      const [delivery] = receiver.deliveries;
      expect(delivery!.body).toEqual({ transcript_id: transcript.id, status: "completed" });
      expect(delivery!.headers["x-hook-secret"]).toBe("s3cret");
      expect(delivery!.headers["webhook-signature"]).toMatch(/^v1,/);
      expect((await client.transcripts.get(transcript.id)).webhook_status_code).toBe(200);
    } finally {
      await receiver.close();
    }
  });
});

describe("AssemblyAI's errors", () => {
  it("a wrong key, a missing audio_url, an unknown id, audio that is not audio", async () => {
    const stranger = new AssemblyAI({ apiKey: "wrong", baseUrl: `${server.url}/assemblyai` });
    await expect(stranger.transcripts.list()).rejects.toThrow("Invalid credentials.");
    const noUrl = await fetch(`${server.url}/assemblyai/v2/transcript`, {
      method: "POST",
      headers: { authorization: KEY, "content-type": "application/json" },
      body: JSON.stringify({ speaker_labels: true }),
    });
    expect(noUrl.status).toBe(400);
    expect(await noUrl.json()).toEqual({ error: expect.stringContaining("audio_url") });
    await expect(client.transcripts.get("00000000-0000-4000-8000-000000000000")).rejects.toThrow(/No job/);
    const garbage = await client.transcripts.transcribe({ audio: Buffer.from("not audio at all") }, FAST);
    expect(garbage.status).toBe("error");
    expect(garbage.error).toMatch(/unrecognised format/);
    await expect(client.transcripts.sentences(garbage.id)).rejects.toThrow(/in error/);
  });
});
