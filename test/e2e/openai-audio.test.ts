/**
 * OpenAI's speech-to-text API driven by the official `openai` client, unmodified: `audio.transcriptions.create`
 * in every response format, word and segment timestamps, log probabilities, streaming as server-sent events,
 * translations (refused in OpenAI's shape: no installed model translates), and OpenAI's errors and size limit.
 */
import { readFileSync } from "node:fs";
import { clip } from "@earshot/bench/corpus";
import { wordErrorRate } from "@earshot/engine";
import type { EarshotServer } from "@earshot/server";
import OpenAI, { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transcode } from "../support/audio.js";
import { startTestServer } from "../support/server.js";

const KEY = "openai-audio-key";
const lj = clip("ljspeech-dev", "LJ001-0001");
const wav = readFileSync(lj.path);
/** The limit the second server takes, under the clip's size. */
const SMALL_LIMIT = 128 * 1024;

let server: EarshotServer;
let small: EarshotServer;
let openai: OpenAI;

const file = () => toFile(wav, "speech.wav", { type: "audio/wav" });
const wer = (hypothesis: string): number => wordErrorRate([{ reference: lj.reference, hypothesis }]);

beforeAll(async () => {
  server = await startTestServer({ apiKeys: [KEY] });
  small = await startTestServer({ apiKeys: [KEY], openAiMaxBytes: SMALL_LIMIT });
  openai = new OpenAI({ apiKey: KEY, baseURL: `${server.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await server?.close();
  await small?.close();
});

describe("audio.transcriptions.create", () => {
  it("json: the transcript and the billed duration", async () => {
    const result = await openai.audio.transcriptions.create({ file: await file(), model: "whisper-1" });
    expect(wer(result.text), result.text).toBeLessThan(0.4);
    expect(result.usage).toEqual({ type: "duration", seconds: Math.ceil(lj.duration) });
  });

  it("text, srt and vtt come back as the strings the client returns", async () => {
    const text = await openai.audio.transcriptions.create({
      file: await file(),
      model: "gpt-4o-transcribe",
      response_format: "text",
    });
    expect(wer(text)).toBeLessThan(0.4);
    const srt = await openai.audio.transcriptions.create({
      file: await file(),
      model: "whisper-1",
      response_format: "srt",
    });
    expect(srt).toMatch(/^1\n00:00:\d\d,\d{3} --> 00:00:\d\d,\d{3}\n\S/);
    const vtt = await openai.audio.transcriptions.create({
      file: await file(),
      model: "whisper-1",
      response_format: "vtt",
    });
    expect(vtt).toMatch(/^WEBVTT\n\n00:00:\d\d\.\d{3} --> 00:00:\d\d\.\d{3}\n\S/);
    // The cues hold the same words as the text.
    const cueWords = vtt
      .split("\n")
      .filter((line) => line && !line.startsWith("WEBVTT") && !line.includes("-->"))
      .join(" ");
    expect(cueWords.split(/\s+/)).toEqual(text.trim().split(/\s+/));
  });

  it("verbose_json: language, duration, segments and words on the clip's timeline", async () => {
    const result = await openai.audio.transcriptions.create({
      file: await file(),
      model: "whisper-1",
      response_format: "verbose_json",
      timestamp_granularities: ["word", "segment"],
      language: "en",
      temperature: 0.2,
    });
    expect(result).toMatchObject({ task: "transcribe", language: "english", usage: { type: "duration" } });
    expect(result.duration).toBeCloseTo(lj.duration, 1);
    expect(wer(result.text)).toBeLessThan(0.4);
    const segments = result.segments ?? [];
    expect(segments.length).toBeGreaterThan(0);
    expect(segments.map((s) => s.text.trim()).join(" ")).toBe(result.text);
    for (const segment of segments) {
      expect(segment).toMatchObject({ temperature: 0.2, tokens: [], no_speech_prob: 0 });
      expect(segment.start).toBeLessThan(segment.end);
      expect(segment.avg_logprob).toBeLessThanOrEqual(0);
    }
    const words = result.words ?? [];
    expect(words.map((w) => w.word).join(" ")).toBe(result.text);
    expect(words.every((w, i) => w.start <= w.end && (i === 0 || words[i - 1]!.end <= w.start))).toBe(true);
    expect(words.at(-1)!.end).toBeLessThanOrEqual(lj.duration);
  });

  it("segments only, unless words are asked for", async () => {
    const result = await openai.audio.transcriptions.create({
      file: await file(),
      model: "whisper-1",
      response_format: "verbose_json",
    });
    expect(result.segments?.length).toBeGreaterThan(0);
    expect(result.words).toBeUndefined();
  });

  it("include[]=logprobs: one log probability per word", async () => {
    const result = await openai.audio.transcriptions.create({
      file: await file(),
      model: "gpt-4o-transcribe",
      include: ["logprobs"],
    });
    expect(result.logprobs?.map((l) => l.token).join(" ")).toBe(result.text);
    expect(result.logprobs?.every((l) => (l.logprob ?? 1) <= 0)).toBe(true);
  });

  it("stream=true: transcript.text.delta events, then transcript.text.done with the whole text", async () => {
    const stream = await openai.audio.transcriptions.create({
      file: await file(),
      model: "gpt-4o-transcribe",
      stream: true,
    });
    const events: any[] = [];
    for await (const event of stream) events.push(event);
    const deltas = events.filter((e) => e.type === "transcript.text.delta");
    const done = events.at(-1);
    expect(deltas.length).toBeGreaterThan(0);
    expect(done).toMatchObject({ type: "transcript.text.done", usage: { type: "duration" } });
    expect(deltas.map((e) => e.delta).join("")).toBe(done.text);
    expect(wer(done.text)).toBeLessThan(0.4);
  });
});

describe("errors in OpenAI's shape", () => {
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    return error as InstanceType<typeof OpenAI.APIError>;
  };

  it("translations: no installed model translates, and the error says so", async () => {
    const error = await failure(openai.audio.translations.create({ file: await file(), model: "whisper-1" }));
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({
      type: "invalid_request_error",
      param: "model",
      code: "translation_unsupported",
    });
    expect(error.message).toMatch(/no installed speech model translates \(installed: pocketsphinx-en-us/);
  });

  it("a language the model does not speak, a bad format, granularities without verbose_json, not audio", async () => {
    const french = await failure(
      openai.audio.transcriptions.create({ file: await file(), model: "whisper-1", language: "fr" }),
    );
    expect(french.status).toBe(400);
    expect(french.error).toMatchObject({ param: "language" });
    const format = await failure(
      openai.audio.transcriptions.create({ file: await file(), model: "whisper-1", response_format: "csv" as "json" }),
    );
    expect(format.error).toMatchObject({ param: "response_format", type: "invalid_request_error" });
    const granularity = await failure(
      openai.audio.transcriptions.create({ file: await file(), model: "whisper-1", timestamp_granularities: ["word"] }),
    );
    expect(granularity.error).toMatchObject({ param: "timestamp_granularities" });
    const garbage = await failure(
      openai.audio.transcriptions.create({ file: await toFile(Buffer.from("not audio"), "x.wav"), model: "whisper-1" }),
    );
    expect(garbage.status).toBe(400);
    expect(garbage.error).toMatchObject({ code: "unsupported_audio" });
  });

  it("missing file or model, a wrong key", async () => {
    const form = new FormData();
    form.append("model", "whisper-1");
    const noFile = await fetch(`${server.url}/v1/audio/transcriptions`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}` },
      body: form,
    });
    expect(noFile.status).toBe(400);
    expect(await noFile.json()).toMatchObject({ error: { param: "file", type: "invalid_request_error" } });
    const noModel = new FormData();
    noModel.append("file", new Blob([wav]), "speech.wav");
    const missing = await fetch(`${server.url}/v1/audio/transcriptions`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}` },
      body: noModel,
    });
    expect(await missing.json()).toMatchObject({
      error: { param: "model", message: "Missing required parameter: 'model'." },
    });
    const wrong = new OpenAI({ apiKey: "wrong", baseURL: `${server.url}/v1`, maxRetries: 0 });
    const error = await failure(wrong.audio.transcriptions.create({ file: await file(), model: "whisper-1" }));
    expect(error.status).toBe(401);
    expect(error.error).toMatchObject({ type: "authentication_error", code: "invalid_api_key" });
  });

  it("a file over the configured limit is a 413, and the server goes on serving", async () => {
    expect(wav.byteLength).toBeGreaterThan(SMALL_LIMIT);
    const client = new OpenAI({ apiKey: KEY, baseURL: `${small.url}/v1`, maxRetries: 0 });
    const error = await failure(client.audio.transcriptions.create({ file: await file(), model: "whisper-1" }));
    expect(error.status).toBe(413);
    expect(error.error).toMatchObject({ param: "file", message: expect.stringContaining(`${SMALL_LIMIT} bytes`) });
    const mp3 = transcode(lj.path, ["-b:a", "32k"], "openai-small.mp3");
    expect(mp3.byteLength).toBeLessThan(SMALL_LIMIT);
    const ok = await client.audio.transcriptions.create({ file: await toFile(mp3, "speech.mp3"), model: "whisper-1" });
    expect(wer(ok.text)).toBeLessThan(0.5);
  });
});
