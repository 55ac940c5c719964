/**
 * whisper.cpp end to end on whisper.cpp's for-tests models (real hyper-parameters, no tensors: real compute,
 * meaningless words — so nothing here looks at what the words say), installed from manifests in a temp models
 * folder: `POST /v1/listen`, the live WebSocket, a job and the official Deepgram SDK. Short clips and the
 * tiny models keep the file fast.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeepgramClient } from "@deepgram/sdk";
import { clip } from "@earshot/bench/corpus";
import { installForTestsWhisper } from "@earshot/bench/models-for-tests";
import {
  ListenResponseSchema,
  LiveMetadataSchema,
  LiveResultsSchema,
  SttModelSchema,
  type Word,
} from "@earshot/protocol";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { transcode } from "../support/audio.js";
import { chunks, silence } from "../support/live.js";
import { postListen, startTestServer } from "../support/server.js";

const EN = "whisper-tiny.en-for-tests";
const MULTI = "whisper-tiny-for-tests";
const jfk = clip("misc", "jfk");
/** Three seconds of speech; whisper's cost does not depend on what is said, only on how long it is. */
const SECONDS = 3;
const wav = transcode(jfk.path, ["-t", String(SECONDS), "-ac", "1", "-ar", "16000"], "whisper-3s.wav");
const pcm = Buffer.from(
  transcode(jfk.path, ["-t", String(SECONDS), "-f", "s16le", "-ac", "1", "-ar", "16000"], "whisper-3s.raw"),
);

let server: EarshotServer;

beforeAll(async () => {
  const modelsDir = mkdtempSync(join(tmpdir(), "earshot-whisper-models-"));
  const installed = installForTestsWhisper(modelsDir).map((m) => m.name);
  expect(installed).toEqual(expect.arrayContaining([EN, MULTI]));
  mkdirSync(join(modelsDir, "whisper-damaged"));
  writeFileSync(join(modelsDir, "whisper-damaged", "ggml-tiny.bin"), Buffer.alloc(4096, 7));
  writeFileSync(
    join(modelsDir, "whisper-damaged", "earshot-model.json"),
    JSON.stringify({
      name: "whisper-damaged",
      architecture: "whisper",
      languages: ["en"],
      files: { model: "ggml-tiny.bin" },
    }),
  );
  server = await startTestServer({ engine: { workers: 1, modelsDir } });
});
afterAll(async () => {
  await server?.close();
});

/** Word times increase, and every word lies inside the audio. */
function expectTimeline(words: Pick<Word, "start" | "end">[], from: number, duration: number): void {
  let previous = from;
  for (const w of words) {
    expect(w.start).toBeGreaterThanOrEqual(previous);
    expect(w.end).toBeGreaterThanOrEqual(w.start);
    expect(w.end).toBeLessThanOrEqual(duration + 1e-3);
    previous = w.start;
  }
}

describe("whisper models", () => {
  it("are listed with the capabilities of their architecture", async () => {
    const { stt } = await (await fetch(`${server.url}/v1/models`)).json();
    const en = SttModelSchema.parse(stt.find((m: { name: string }) => m.name === EN));
    const multi = SttModelSchema.parse(stt.find((m: { name: string }) => m.name === MULTI));
    expect(en).toMatchObject({ architecture: "whisper", streaming: true, formatted_output: true });
    expect(en.capabilities).toMatchObject({ punctuation: true, language_detection: false, translation: false });
    expect(multi.capabilities).toMatchObject({ language_detection: true, translation: true });
  });
});

describe("POST /v1/listen with a whisper model", () => {
  it("answers the Deepgram shape with the model's info, timed words inside the audio", async () => {
    const res = await postListen(server.url, wav, `model=${EN}&detect_language=true`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const body = ListenResponseSchema.parse(res.body);
    expect(body.metadata.duration).toBeCloseTo(SECONDS, 1);
    expect(Object.values(body.metadata.model_info)).toEqual([{ name: EN, version: "for-tests", arch: "whisper" }]);
    const [channel] = body.results.channels;
    expectTimeline(channel!.alternatives[0]!.words, 0, body.metadata.duration);
    // An English-only model cannot identify languages: it answers with its own, and a warning says so.
    expect(channel!.detected_language).toBe("en");
    expect(body.metadata.warnings).toContainEqual(
      expect.objectContaining({ parameter: "detect_language", type: "limited_feature" }),
    );
  });

  it("detects the language with a multilingual model", async () => {
    const res = await postListen(server.url, wav, `model=${MULTI}&detect_language=true`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const body = ListenResponseSchema.parse(res.body);
    expect(body.results.channels[0]!.detected_language).toMatch(/^[a-z]{2,3}$/);
    expect(body.metadata.warnings ?? []).not.toContainEqual(expect.objectContaining({ parameter: "detect_language" }));
  });

  it("answers a damaged model file with a 503 that names the model", async () => {
    const res = await postListen(server.url, wav, "model=whisper-damaged");
    expect(res.status).toBe(503);
    expect(res.body.err_msg).toMatch(/whisper-damaged.*cannot be loaded/);
    expect((await postListen(server.url, wav, `model=${EN}`)).status).toBe(200);
  });

  it("serves the official Deepgram SDK", async () => {
    const deepgram = new DeepgramClient({ apiKey: "unused", baseUrl: server.url, maxRetries: 0 });
    const result = await deepgram.listen.v1.media.transcribeFile(wav, { model: EN } as never);
    const body = ListenResponseSchema.parse(result);
    expect(body.metadata.models).toHaveLength(1);
    expectTimeline(body.results.channels[0]!.alternatives[0]!.words, 0, body.metadata.duration);
  });
});

describe("a job on a whisper model", () => {
  it("completes with the same response shape, and can be cancelled", async () => {
    const submit = async () => {
      const res = await fetch(`${server.url}/v1/jobs?model=${EN}`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: wav as Uint8Array<ArrayBuffer>,
      });
      expect(res.status).toBe(202);
      return (await res.json()).request_id as string;
    };
    const done = await submit();
    const cancelled = await submit();
    const deleted = await (await fetch(`${server.url}/v1/jobs/${cancelled}`, { method: "DELETE" })).json();
    expect(deleted).toMatchObject({ request_id: cancelled, deleted: true });
    let job: { status: string; result?: unknown };
    do {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = await (await fetch(`${server.url}/v1/jobs/${done}`)).json();
    } while (job.status !== "done" && job.status !== "error");
    expect(job.status).toBe("done");
    const body = ListenResponseSchema.parse(job.result);
    expect(Object.values(body.metadata.model_info)[0]).toMatchObject({ arch: "whisper" });
    expect((await fetch(`${server.url}/v1/jobs/${cancelled}`)).status).toBe(404);
  });
});

describe("the live WebSocket with a whisper model", () => {
  it("streams interim and final results on the audio's timeline, then its metadata", async () => {
    const ws = new WebSocket(
      `${server.url.replace("http", "ws")}/v1/listen?model=${EN}&encoding=linear16&sample_rate=16000&interim_results=true`,
    );
    const messages: { type: string }[] = [];
    const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
    ws.on("message", (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    const audio = Buffer.concat([silence(0.5), pcm, silence(1.5)]);
    for (const chunk of chunks(audio, 3200)) ws.send(chunk);
    ws.send(JSON.stringify({ type: "CloseStream" }));
    expect(await closed).toBe(1000);

    const results = messages.filter((m) => m.type === "Results").map((m) => LiveResultsSchema.parse(m));
    const finals = results.filter((r) => r.is_final);
    expect(finals.length).toBeGreaterThan(0);
    const duration = audio.length / 32_000;
    let end = 0;
    for (const final of finals) {
      expect(final.start).toBeGreaterThanOrEqual(end - 1e-3);
      expectTimeline(final.channel.alternatives[0]!.words, final.start, final.start + final.duration);
      end = final.start + final.duration;
    }
    expect(end).toBeLessThanOrEqual(duration + 1e-3);
    const metadata = LiveMetadataSchema.parse(messages.find((m) => m.type === "Metadata"));
    expect(Object.values(metadata.model_info)).toEqual([{ name: EN, version: "for-tests", arch: "whisper" }]);
  });
});
