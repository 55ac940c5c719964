/**
 * A text-to-speech voice installed from a manifest (`kind: "tts"` with its `voice` fields) in a temp models
 * folder: listed by `GET /v1/models`, spoken by `POST /v1/speak`, and understood by the recogniser.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TtsModelSchema } from "@earshot/protocol";
import { EarshotClient } from "@earshot/sdk";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "../support/server.js";
import { probe, recognise, sentences } from "../support/speech.js";

const VOICE = "my-scottish-voice";

let server: EarshotServer;

beforeAll(async () => {
  const modelsDir = mkdtempSync(join(tmpdir(), "earshot-voice-models-"));
  mkdirSync(join(modelsDir, VOICE));
  const manifest = {
    name: VOICE,
    kind: "tts",
    architecture: "flite",
    languages: ["en"],
    version: "2.2",
    voice: {
      engineVoice: "awb",
      sampleRate: 16000,
      gender: "masculine",
      accent: "Scottish",
      nativeSpeed: true,
      description: "flite's awb, installed from a manifest",
    },
  };
  writeFileSync(join(modelsDir, VOICE, "earshot-model.json"), JSON.stringify(manifest));
  server = await startTestServer({ engine: { workers: 1, modelsDir } });
});
afterAll(async () => {
  await server?.close();
});

describe("a voice installed from a manifest", () => {
  it("is listed under tts with its accent, gender and rate", async () => {
    const models = await (await fetch(`${server.url}/v1/models`)).json();
    const voice = TtsModelSchema.parse(models.tts.find((m: { name: string }) => m.name === VOICE));
    expect(voice).toMatchObject({ architecture: "flite", languages: ["en"], version: "2.2" });
    expect(voice.metadata.accent).toBe("Scottish");
    expect(voice.metadata.tags).toEqual(["masculine", "16000 Hz", "flite's awb, installed from a manifest"]);
    expect(models.stt.some((m: { name: string }) => m.name === VOICE)).toBe(false);
  });

  it("speaks text the recogniser understands", async () => {
    const client = new EarshotClient({ baseUrl: server.url, apiKey: "", maxRetries: 0 });
    const text = sentences(2).join(" ");
    const audio = await client.speak.v1.audio.generate({
      text,
      model: VOICE,
      encoding: "linear16",
      container: "wav",
      sample_rate: 16000,
    });
    expect(audio.modelName).toBe(VOICE);
    const bytes = await audio.bytes();
    expect(probe(bytes)).toMatchObject({ codec: "pcm_s16le", sampleRate: 16000, channels: 1 });
    const { wer, hypothesis } = await recognise(server.url, bytes, text.replace(/[.,]/g, ""));
    // flite's awb measured 17 % over four sentences (speak.test.ts); garbled or silent audio is near 100 %.
    expect(wer, hypothesis).toBeLessThan(0.4);
  });
});
