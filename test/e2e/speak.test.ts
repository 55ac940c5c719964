/**
 * Text-to-speech end to end: a real server on loopback, real voices, the audio decoded by ffmpeg/ffprobe and
 * understood by Earshot's own recogniser. Driven with our SDK, the official Deepgram SDK v5 and `openai`.
 */
import { DeepgramClient } from "@deepgram/sdk";
import { EarshotClient, type SpeakMetadata, type SpeakSocket } from "@earshot/sdk";
import type { EarshotServer } from "@earshot/server";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "../support/server.js";
import { probe, recognise, sentences, toWav } from "../support/speech.js";

/**
 * Word error rate bounds per voice for the round trip below (4 LJ Speech sentences, 82 words), about ten
 * points above what was measured here (noted beside each; synthesis and recognition are both deterministic), so
 * that a recogniser change does not fail the test while garbled or mislabelled audio (WER near 1) does.
 */
const WER_BOUNDS: Record<string, number> = {
  "festival-slt-hts-en": 0.3, // measured 0.183
  "flite-rms-en": 0.26, // 0.159
  "flite-slt-en": 0.36, // 0.256
  "flite-awb-en": 0.28, // 0.171
  "flite-kal16-en": 0.43, // 0.329
};

let server: EarshotServer;
let client: EarshotClient;
let voices: string[];
const text = sentences(4).join(" ");
const reference = text.replace(/[.,]/g, "");

beforeAll(async () => {
  server = await startTestServer();
  client = new EarshotClient({ baseUrl: server.url, apiKey: "", maxRetries: 0 });
  const models = await (await fetch(`${server.url}/v1/models`)).json();
  voices = models.tts.map((m: { name: string }) => m.name);
});
afterAll(async () => {
  await server?.close();
});

describe("voices", () => {
  it("GET /v1/models lists every voice under tts", async () => {
    expect(voices.sort()).toEqual(Object.keys(WER_BOUNDS).sort());
    const one = await (await fetch(`${server.url}/v1/models/flite-rms-en`)).json();
    expect(one).toMatchObject({ name: "flite-rms-en", architecture: "flite", languages: ["en", "en-US"] });
    expect(one.metadata.accent).toBe("American");
  });

  it.each(Object.keys(WER_BOUNDS))("round trip: %s speaks text the recogniser understands", async (voice) => {
    const audio = await client.speak.v1.audio.generate({
      text,
      model: voice,
      encoding: "linear16",
      container: "wav",
      sample_rate: 16000,
    });
    expect(audio.contentType).toBe("audio/wav");
    expect(audio.modelName).toBe(voice);
    expect(audio.charCount).toBe(text.length);
    const bytes = await audio.bytes();
    const info = probe(bytes);
    expect(info).toMatchObject({ codec: "pcm_s16le", sampleRate: 16000, channels: 1 });
    // 82 words read aloud: anywhere from 12 to 40 s, never a click or a hang.
    expect(info.duration).toBeGreaterThan(12);
    expect(info.duration).toBeLessThan(40);
    const { wer, hypothesis } = await recognise(server.url, bytes, reference);
    console.log(`${voice}: WER ${(wer * 100).toFixed(1)} % — ${hypothesis}`);
    expect(wer, hypothesis).toBeLessThan(WER_BOUNDS[voice]!);
  });
});

describe("POST /v1/speak output formats", () => {
  const line = "The quick brown fox jumps over the lazy dog. Then it runs far away.";
  let seconds: number;

  beforeAll(async () => {
    const audio = await client.speak.v1.audio.generate({ text: line, model: "flite-rms-en", encoding: "linear16" });
    seconds = probe(await audio.bytes()).duration;
  });

  it.each([
    // encoding, container, sample_rate, codec, rate, content type, raw demuxer for headerless output
    ["mp3", undefined, undefined, "mp3", 22050, "audio/mpeg", []],
    ["linear16", undefined, undefined, "pcm_s16le", 24000, "audio/wav", []],
    ["linear16", "wav", 48000, "pcm_s16le", 48000, "audio/wav", []],
    [
      "linear16",
      "none",
      8000,
      "pcm_s16le",
      8000,
      "application/octet-stream",
      ["-f", "s16le", "-ar", "8000", "-ac", "1"],
    ],
    ["mulaw", undefined, undefined, "pcm_mulaw", 8000, "audio/wav", []],
    [
      "mulaw",
      "none",
      16000,
      "pcm_mulaw",
      16000,
      "application/octet-stream",
      ["-f", "mulaw", "-ar", "16000", "-ac", "1"],
    ],
    ["alaw", "wav", 16000, "pcm_alaw", 16000, "audio/wav", []],
    [
      "alaw",
      "none",
      undefined,
      "pcm_alaw",
      8000,
      "application/octet-stream",
      ["-f", "alaw", "-ar", "8000", "-ac", "1"],
    ],
    ["opus", undefined, undefined, "opus", 48000, "audio/ogg", []],
    ["opus", "ogg", undefined, "opus", 48000, "audio/ogg", []],
    ["flac", undefined, 16000, "flac", 16000, "audio/flac", []],
    ["flac", undefined, undefined, "flac", 48000, "audio/flac", []],
    ["aac", undefined, undefined, "aac", 22050, "audio/aac", []],
  ] as const)(
    "encoding=%s container=%s sample_rate=%s",
    async (encoding, container, rate, codec, expectedRate, type, input) => {
      const audio = await client.speak.v1.audio.generate({
        text: line,
        model: "flite-rms-en",
        encoding,
        ...(container ? { container } : {}),
        ...(rate ? { sample_rate: rate } : {}),
      });
      expect(audio.contentType).toBe(type);
      const bytes = await audio.bytes();
      const info = probe(bytes, [...input]);
      expect(info.codec).toBe(codec);
      expect(info.sampleRate).toBe(expectedRate);
      expect(info.channels).toBe(1);
      // Codec padding adds at most a frame or two.
      expect(Math.abs(info.duration - seconds)).toBeLessThan(0.15);
    },
  );

  it("speed changes the length, natively (flite) and by time-stretching (festival)", async () => {
    for (const model of ["flite-rms-en", "festival-slt-hts-en"]) {
      const normal = await client.speak.v1.audio.generate({
        text: line,
        model,
        encoding: "linear16",
        sample_rate: 16000,
      });
      const fast = await client.speak.v1.audio.generate({
        text: line,
        model,
        encoding: "linear16",
        sample_rate: 16000,
        speed: 1.5,
      });
      const ratio = probe(await fast.bytes()).duration / probe(await normal.bytes()).duration;
      expect(ratio).toBeGreaterThan(0.55);
      expect(ratio).toBeLessThan(0.8);
    }
  });

  it("streams a long text in several chunks, sentence by sentence", async () => {
    const audio = await client.speak.v1.audio.generate({ text: sentences(6, 40).join(" "), model: "flite-kal16-en" });
    let chunks = 0;
    let bytes = 0;
    for await (const chunk of audio) {
      chunks++;
      bytes += chunk.byteLength;
    }
    expect(chunks).toBeGreaterThan(6);
    expect(bytes).toBeGreaterThan(10_000);
  });

  it("maps Deepgram voice names and defaults to aura-asteria-en's voice", async () => {
    const byName = async (model?: string) =>
      (await client.speak.v1.audio.generate({ text: "Hello.", ...(model ? { model } : {}) })).modelName;
    expect(await byName("aura-2-thalia-en")).toBe("festival-slt-hts-en");
    expect(await byName("aura-2-apollo-en")).toBe("flite-rms-en");
    expect(await byName("aura-helios-en")).toBe("flite-awb-en");
    expect(await byName()).toBe("festival-slt-hts-en");
  });
});

describe("official clients", () => {
  it("@deepgram/sdk v5 speak.v1.audio.generate", async () => {
    const deepgram = new DeepgramClient({ apiKey: "unused", baseUrl: server.url });
    const response = await deepgram.speak.v1.audio.generate({
      text: "Earshot speaks to the Deepgram client.",
      model: "aura-2-thalia-en",
      encoding: "linear16",
      container: "wav",
      sample_rate: 24000,
    });
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(probe(bytes)).toMatchObject({ codec: "pcm_s16le", sampleRate: 24000 });
    const { wer } = await recognise(server.url, bytes, "earshot speaks to the deepgram client");
    expect(wer).toBeLessThan(0.7);
  });

  it("@deepgram/sdk v5 speak.v1.connect: Metadata, audio, Flushed, Cleared, close 1000", async () => {
    const deepgram = new DeepgramClient({ apiKey: "unused", baseUrl: server.url });
    const socket = await deepgram.speak.v1.connect({
      model: "aura-2-apollo-en",
      encoding: "linear16",
      sample_rate: "16000",
      Authorization: "Token unused",
      reconnectAttempts: 0,
    });
    const messages: any[] = [];
    const audio: Uint8Array[] = [];
    const closed = new Promise<number>((resolve) => socket.on("close", (e) => resolve(e.code)));
    const flushed = new Promise<void>((resolve) =>
      socket.on("message", async (message: any) => {
        if (message instanceof Blob) audio.push(new Uint8Array(await message.arrayBuffer()));
        else if (typeof message === "object") messages.push(message);
        if (message?.type === "Flushed") resolve();
      }),
    );
    socket.connect();
    await socket.waitForOpen();
    socket.sendText({ type: "Speak", text: "The weather is fine today. " });
    socket.sendText({ type: "Speak", text: "We will walk to the park." });
    socket.sendFlush({ type: "Flush" });
    await flushed;
    socket.sendClear({ type: "Clear" });
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.sendClose({ type: "Close" });
    expect(await closed).toBe(1000);
    expect(messages[0]).toMatchObject({ type: "Metadata", model_name: "flite-rms-en" });
    expect(messages.map((m) => m.type)).toEqual(["Metadata", "Flushed", "Cleared"]);
    const pcm = Buffer.concat(audio);
    const info = probe(pcm, ["-f", "s16le", "-ar", "16000", "-ac", "1"]);
    expect(info.duration).toBeGreaterThan(2);
    const { wer } = await recognise(
      server.url,
      toWav(pcm, ["-f", "s16le", "-ar", "16000", "-ac", "1"]),
      "the weather is fine today we will walk to the park",
    );
    expect(wer).toBeLessThan(0.5);
  });

  it("openai audio.speech.create in every response_format", async () => {
    const openai = new OpenAI({ apiKey: "unused", baseURL: `${server.url}/v1`, maxRetries: 0 });
    for (const [format, codec, rate] of [
      ["mp3", "mp3", 24000],
      ["wav", "pcm_s16le", 24000],
      ["opus", "opus", 48000],
      ["flac", "flac", 24000],
      ["aac", "aac", 24000],
    ] as const) {
      const response = await openai.audio.speech.create({
        model: "tts-1",
        voice: "onyx",
        input: "Hello from the OpenAI client.",
        response_format: format,
      });
      const info = probe(new Uint8Array(await response.arrayBuffer()));
      expect([info.codec, info.sampleRate], format).toEqual([codec, rate]);
    }
    const pcm = await openai.audio.speech.create({
      model: "tts-1",
      voice: "alloy",
      input: "Good morning, everyone.",
      response_format: "pcm",
      speed: 1.2,
    });
    const bytes = new Uint8Array(await pcm.arrayBuffer());
    const { wer } = await recognise(
      server.url,
      toWav(bytes, ["-f", "s16le", "-ar", "24000", "-ac", "1"]),
      "good morning everyone",
    );
    expect(wer).toBeLessThan(0.7);
  });
});

describe("our SDK: speak.v1.connect", () => {
  const collect = (socket: SpeakSocket) => {
    const events: string[] = [];
    for (const type of ["Metadata", "Flushed", "Cleared", "Warning"] as const) socket.on(type, () => events.push(type));
    return events;
  };

  it("speaks flushed text as raw audio, with events and an async iterator", async () => {
    const socket = client.speak.v1.connect({ model: "flite-rms-en", encoding: "linear16", sample_rate: 16000 });
    const events = collect(socket);
    const metadata = new Promise<SpeakMetadata>((resolve) => socket.on("Metadata", resolve));
    const flushes: number[] = [];
    socket.on("Flushed", (m) => flushes.push(m.sequence_id));
    await socket.opened;
    socket.sendText("Printing, in the only sense with which we are at present concerned. ");
    socket.flush();
    socket.sendText("It differs from most if not from all the arts and crafts.");
    socket.flush();
    const done = socket.close();
    const chunks: Uint8Array[] = [];
    for await (const chunk of socket) chunks.push(chunk);
    expect((await done).code).toBe(1000);
    expect((await metadata).model_uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(flushes).toEqual([0, 1]);
    expect(events).toEqual(["Metadata", "Flushed", "Flushed"]);
    const pcm = Buffer.concat(chunks);
    const { wer } = await recognise(
      server.url,
      toWav(pcm, ["-f", "s16le", "-ar", "16000", "-ac", "1"]),
      "printing in the only sense with which we are at present concerned it differs from most if not from all the arts and crafts",
    );
    expect(wer).toBeLessThan(0.35);
  });

  it("mulaw at 8 kHz, and Clear stops audio in progress", async () => {
    const socket = client.speak.v1.connect({ model: "aura-2-thalia-en", encoding: "mulaw" });
    const events = collect(socket);
    let bytes = 0;
    socket.on("Audio", (chunk) => {
      bytes += chunk.byteLength;
    });
    socket.sendText(sentences(8, 60).join(" "));
    socket.flush();
    await new Promise<void>((resolve) => socket.on("Audio", () => resolve()));
    socket.clear();
    await new Promise<void>((resolve) => socket.on("Cleared", () => resolve()));
    const atClear = bytes;
    await socket.close();
    // Eight long sentences are well over a minute at 8000 bytes/s; Clear cut them short and no Flushed came.
    expect(atClear).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(8000 * 60);
    expect(events).toEqual(["Metadata", "Cleared"]);
  });
});
