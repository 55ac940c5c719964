/**
 * A second recogniser plugs in through the engine's public option alone: test/support/tone-architecture.mjs
 * (not PocketSphinx) is registered as an architecture, models for it are installed from manifests in a temp
 * models folder, and real `POST /v1/listen` and the real live WebSocket serve them — no server change. The
 * audio is synthetic voiced bursts whose places are known, so words and times are checked exactly.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { wavOf } from "@earshot/bench/corpus";
import { ListenResponseSchema, LiveMetadataSchema, LiveResultsSchema, SttModelSchema } from "@earshot/protocol";
import { EarshotClient, type LiveResults } from "@earshot/sdk";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { chunks } from "../support/live.js";
import { postListen, startTestServer } from "../support/server.js";
import { type Placed, toneSpeech } from "../support/tones.js";

const VOCABULARY = { 110: "low", 165: "middle", 220: "high" };
const word = (p: Placed): string => VOCABULARY[p.pitch as keyof typeof VOCABULARY];

/** Two utterances, 1.5 s apart; the bursts inside one are 80 ms apart, too short a pause to end it. */
const { pcm, placed } = toneSpeech(
  [
    { pitch: 110, duration: 0.4, gap: 1.0 },
    { pitch: 220, duration: 0.35, gap: 0.08 },
    { pitch: 220, duration: 0.5, gap: 1.5 },
    { pitch: 165, duration: 0.3, gap: 0.08 },
    { pitch: 110, duration: 0.45, gap: 0.08 },
  ],
  1.5,
);
/** Energy finds a burst within a frame or two of its edges (the ramps are 50 ms). */
const TOLERANCE = 0.03;

function install(dir: string, name: string, manifest: Record<string, unknown>): void {
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, "vocabulary.json"), JSON.stringify(VOCABULARY));
  const files = { vocabulary: "vocabulary.json" };
  writeFileSync(join(dir, name, "earshot-model.json"), JSON.stringify({ name, languages: ["en"], files, ...manifest }));
}

let server: EarshotServer;

beforeAll(async () => {
  const modelsDir = mkdtempSync(join(tmpdir(), "earshot-plugin-models-"));
  install(modelsDir, "tone-en", { architecture: "tone", capabilities: { streaming: true, punctuation: true } });
  install(modelsDir, "tone-batch", { architecture: "tone" });
  install(modelsDir, "tone-no-live-decoder", { architecture: "tone-batch-only", capabilities: { streaming: true } });
  install(modelsDir, "tone-unregistered", { architecture: "tone-elsewhere" });
  const module = new URL("../support/tone-architecture.mjs", import.meta.url).href;
  server = await startTestServer({
    engine: {
      workers: 1,
      modelsDir,
      architectures: {
        tone: { module, options: { minBurst: 0.1 } },
        "tone-batch-only": { module: new URL("../support/tone-batch-architecture.mjs", import.meta.url).href },
      },
    },
  });
});
afterAll(async () => {
  await server?.close();
});

function expectPlaced(words: { word: string; start: number; end: number }[], expected: Placed[]): void {
  expect(words.map((w) => w.word)).toEqual(expected.map(word));
  for (const [i, w] of words.entries()) {
    expect(Math.abs(w.start - expected[i]!.start)).toBeLessThan(TOLERANCE);
    expect(Math.abs(w.end - expected[i]!.end)).toBeLessThan(TOLERANCE);
  }
}

describe("a recogniser registered through EngineOptions.architectures", () => {
  it("is listed by GET /v1/models with the capabilities its manifest declares", async () => {
    const models = await (await fetch(`${server.url}/v1/models`)).json();
    const tone = SttModelSchema.parse(models.stt.find((m: { name: string }) => m.name === "tone-en"));
    expect(tone).toMatchObject({ architecture: "tone", streaming: true, formatted_output: true, languages: ["en"] });
    expect(tone.capabilities).toEqual({
      streaming: true,
      word_timings: true,
      punctuation: true,
      diarization: false,
      language_detection: false,
      translation: false,
    });
    const batchOnly = await (await fetch(`${server.url}/v1/models/tone-batch`)).json();
    expect(batchOnly).toMatchObject({ streaming: false, formatted_output: false, capabilities: { streaming: false } });
  });

  it("transcribes POST /v1/listen?model=… with its own words, times and punctuation", async () => {
    const res = await postListen(server.url, wavOf(pcm), "model=tone-en&punctuate=true&diarize=true");
    expect(res.status).toBe(200);
    const body = ListenResponseSchema.parse(res.body);
    const model = body.metadata.model_info[body.metadata.models[0]!];
    expect(model).toMatchObject({ name: "tone-en", arch: "tone" });
    const alt = body.results.channels[0]!.alternatives[0]!;
    expectPlaced(alt.words, placed);
    // The recogniser punctuates each piece it is given; batch pieces are as long as possible, so one here.
    expect(alt.words.map((w) => w.punctuated_word)).toEqual(["Low", "high", "high", "middle", "low."]);
    expect(alt.transcript).toBe("Low high high middle low.");
    for (const w of alt.words) expect(w.confidence).toBeGreaterThan(0.8);
    // The model punctuates, so `punctuate` is served; it does not diarize, so the engine's diarizer labels speakers.
    const warned = body.metadata.warnings?.map((w) => w.parameter) ?? [];
    expect(warned).not.toContain("punctuate");
    expect(warned).not.toContain("diarize");
    for (const w of alt.words) expect(Number.isInteger(w.speaker)).toBe(true);
  });

  it("punctuates with the text stage on a model that does not punctuate", async () => {
    const res = await postListen(server.url, wavOf(pcm), "model=tone-batch&punctuate=true");
    expect(res.status).toBe(200);
    const alt = res.body.results.channels[0].alternatives[0];
    expect(alt.words.map((w: { word: string }) => w.word)).toEqual(["low", "high", "high", "middle", "low"]);
    expect(alt.words.every((w: { punctuated_word?: string }) => w.punctuated_word !== undefined)).toBe(true);
    expect(alt.transcript).toMatch(/^Low .*\.$/);
    expect(res.body.metadata.warnings).toBeUndefined();
  });

  it("transcribes the live WebSocket with its live decoder: finals in place, interim results, punctuation", async () => {
    const client = new EarshotClient({ baseUrl: server.url, apiKey: "" });
    const conn = client.listen.v1.connect({
      model: "tone-en",
      encoding: "linear16",
      sample_rate: 16_000,
      interim_results: true,
      punctuate: true,
    });
    const results: LiveResults[] = [];
    conn.on("Results", (r) => results.push(LiveResultsSchema.parse(r)));
    for (const chunk of chunks(pcm, 3200)) conn.send(chunk);
    const metadata = LiveMetadataSchema.parse(await conn.finish());

    expect(metadata.model_info[metadata.models[0]!]).toMatchObject({ name: "tone-en", arch: "tone" });
    expect(metadata.warnings?.map((w) => w.parameter) ?? []).not.toContain("punctuate");
    const finals = results.filter((r) => r.is_final && r.channel.alternatives[0]!.words.length > 0);
    expect(finals.map((r) => r.channel.alternatives[0]!.transcript)).toEqual(["Low high.", "High middle low."]);
    expect(finals.every((r) => r.speech_final)).toBe(true);
    expectPlaced(
      finals.flatMap((r) => r.channel.alternatives[0]!.words),
      placed,
    );
    // Interim results carry the bursts finished so far: the start of their utterance's final, times included.
    const wordsOf = (r: LiveResults) => r.channel.alternatives[0]!.words.map(({ word, start }) => ({ word, start }));
    const interims = results.filter((r) => !r.is_final && r.channel.alternatives[0]!.words.length > 0);
    expect(interims.length).toBeGreaterThan(0);
    for (const interim of interims) {
      const final = results.slice(results.indexOf(interim)).find((r) => r.is_final)!;
      expect(wordsOf(final).slice(0, wordsOf(interim).length)).toEqual(wordsOf(interim));
    }
  });

  it.each([
    ["its capabilities say it does not stream", "tone-batch", /cannot transcribe live audio/],
    ["its architecture has no live decoder", "tone-no-live-decoder", /pre-recorded audio only/],
  ])("refuses a live stream for a model whose %s, before the upgrade", async (_label, model, message) => {
    const refusal = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const socket = new WebSocket(
        `${server.url.replace("http", "ws")}/v1/listen?model=${model}&encoding=linear16&sample_rate=16000`,
      );
      socket.on("open", () => reject(new Error("the stream was accepted")));
      socket.on("unexpected-response", (_req, res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
    });
    expect(refusal.status).toBe(400);
    expect(refusal.body.err_code).toBe("MODEL_NOT_STREAMING");
    expect(refusal.body.err_msg).toMatch(message);
  });

  it("answers 503 for a model whose architecture this server does not run, and keeps serving", async () => {
    const res = await postListen(server.url, wavOf(pcm), "model=tone-unregistered");
    expect(res.status).toBe(503);
    expect(res.body.err_code).toBe("SERVICE_UNAVAILABLE");
    expect(res.body.err_msg).toMatch(/'tone-elsewhere' engine/);
    expect((await postListen(server.url, wavOf(pcm), "model=tone-en")).status).toBe(200);
  });
});
