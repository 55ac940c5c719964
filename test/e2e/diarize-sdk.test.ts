/**
 * Speaker diarization through the official clients: `diarize=true` with `@deepgram/sdk` (pre-recorded and live),
 * Gladia's `diarization` with `@gladiaio/sdk`, `multichannel` with `diarize`, and `detect_language`. The audio
 * is a two-speaker conversation of held-out speakers (never used to tune the diarizer) built from the shared
 * multi-dev clips by the benchmark's builder; nothing generated is written to the repository.
 */
import { DeepgramClient } from "@deepgram/sdk";
import { ConversationBuilder, conversationSpecs } from "@earshot/bench/conversations";
import { toWav } from "@earshot/bench/corpus";
import { wordSpeakerAccuracy } from "@earshot/bench/der";
import { toSRT, toWebVTT } from "@earshot/sdk";
import type { EarshotServer } from "@earshot/server";
import { GladiaClient } from "@gladiaio/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunks, silence } from "../support/live.js";
import { startTestServer } from "../support/server.js";

const KEY = "diarize-test-key";
// Held-out LibriSpeech 2414 (M) and 2412 (F), one clip each: 21 s in three turns (M 1.5 s, F 10.7 s, M 5.3 s).
const base = conversationSpecs("held-out").find((s) => s.name.endsWith("2spk-03-2414-2412"))!;
const spec = { ...base, clipsPerSpeaker: 1 };
const conversation = new ConversationBuilder(spec.speakers.map((s) => s.id)).build(spec);
const wav = toWav(conversation.samples);

/** A stereo WAV: the conversation's last two turns (two voices) left, its last turn alone (one voice) right. */
function stereoWav(): Buffer {
  const [, second, third] = conversation.turns;
  const rate = 16_000;
  const left = conversation.samples.subarray(Math.round((second!.start - 0.3) * rate));
  const solo = conversation.samples.subarray(
    Math.round((third!.start - 0.3) * rate),
    Math.round((third!.end + 0.3) * rate),
  );
  const length = Math.max(left.length, solo.length);
  const interleaved = new Float32Array(2 * length);
  for (let i = 0; i < length; i++) {
    interleaved[2 * i] = left[i] ?? 0;
    interleaved[2 * i + 1] = solo[i] ?? 0;
  }
  const wav = toWav(interleaved);
  // The interleaved PCM written as mono, relabelled as two channels at 16 kHz.
  wav.writeUInt16LE(2, 22);
  wav.writeUInt32LE(rate * 4, 28);
  wav.writeUInt16LE(4, 32);
  return wav;
}

let server: EarshotServer;
let deepgram: DeepgramClient;

beforeAll(async () => {
  server = await startTestServer({ apiKeys: [KEY] });
  deepgram = new DeepgramClient({ apiKey: KEY, baseUrl: server.url, maxRetries: 0 });
});
afterAll(async () => {
  await server?.close();
});

describe("diarize=true with the official @deepgram/sdk", () => {
  it("labels every word with its speaker, splits utterances and paragraphs by speaker, and captions name them", async () => {
    const result: any = await deepgram.listen.v1.media.transcribeFile(wav, {
      model: "nova-3",
      diarize: true,
      utterances: true,
      paragraphs: true,
      detect_language: true,
    } as any);
    const channel = result.results.channels[0];
    const words = channel.alternatives[0].words;
    expect(words.length).toBeGreaterThan(20);
    for (const word of words) {
      expect(Number.isInteger(word.speaker)).toBe(true);
      expect(word.speaker_confidence).toBeGreaterThanOrEqual(0);
      expect(word.speaker_confidence).toBeLessThanOrEqual(1);
    }
    expect(new Set(words.map((w: any) => w.speaker))).toEqual(new Set([0, 1]));
    expect(words[0].speaker).toBe(0);
    expect(wordSpeakerAccuracy(conversation.reference, words).accuracy).toBeGreaterThan(0.8);

    const utterances = result.results.utterances;
    for (const utterance of utterances) {
      expect(utterance.words.every((w: any) => w.speaker === utterance.speaker)).toBe(true);
    }
    expect(new Set(utterances.map((u: any) => u.speaker))).toEqual(new Set([0, 1]));

    const { paragraphs, transcript } = channel.alternatives[0].paragraphs;
    expect(transcript).toMatch(/^\nSpeaker 0: /);
    expect(transcript).toContain("\n\nSpeaker 1: ");
    expect(paragraphs.every((p: any) => p.speaker === 0 || p.speaker === 1)).toBe(true);

    expect(toWebVTT(result)).toContain("<v Speaker 1>");
    expect(toSRT(result)).toMatch(/\n\[Speaker 1\]\n/);

    // PocketSphinx speaks only English: it says so, and reports how well English explains the speech.
    expect(channel.detected_language).toBe("en");
    expect(channel.language_confidence).toBeGreaterThan(0.3);
    const warnings = result.metadata.warnings ?? [];
    expect(warnings.map((w: any) => w.parameter)).not.toContain("diarize");
    expect(warnings).toContainEqual(expect.objectContaining({ parameter: "detect_language", type: "limited_feature" }));
  });

  it("numbers speakers per channel with multichannel=true", async () => {
    const result: any = await deepgram.listen.v1.media.transcribeFile(stereoWav(), {
      multichannel: true,
      diarize: true,
    } as any);
    const [left, right] = result.results.channels.map((c: any) => c.alternatives[0].words);
    expect(new Set(left.map((w: any) => w.speaker))).toEqual(new Set([0, 1]));
    expect(right.length).toBeGreaterThan(3);
    // The right channel holds one voice: its speakers count from 0 again, independently of the left.
    expect(new Set(right.map((w: any) => w.speaker))).toEqual(new Set([0]));
  });

  it("labels interim and final words of a live stream, stable across its pauses", async () => {
    const socket = await deepgram.listen.v1.connect({
      model: "nova-3",
      encoding: "linear16",
      sample_rate: 16000,
      interim_results: "true",
      diarize: "true",
      Authorization: `Token ${KEY}`,
    } as any);
    const messages: any[] = [];
    const closed = new Promise<any>((resolve) => socket.on("close", resolve));
    socket.on("message", (m: any) => messages.push(m));
    socket.connect();
    await socket.waitForOpen();
    const pcm = Buffer.from(wav.subarray(44));
    for (const chunk of chunks(Buffer.concat([pcm, silence(1)]), 3200)) socket.sendMedia(chunk);
    socket.sendCloseStream({ type: "CloseStream" });
    expect((await closed).code).toBe(1000);
    const results = messages.filter((m) => m.type === "Results");
    const interim = results.filter((m) => !m.is_final).flatMap((m) => m.channel.alternatives[0].words);
    const final = results.filter((m) => m.is_final).flatMap((m) => m.channel.alternatives[0].words);
    expect(interim.length).toBeGreaterThan(0);
    expect(interim.every((w: any) => Number.isInteger(w.speaker))).toBe(true);
    expect(final.every((w: any) => Number.isInteger(w.speaker) && w.speaker_confidence >= 0)).toBe(true);
    expect(new Set(final.map((w: any) => w.speaker))).toEqual(new Set([0, 1]));
    expect(wordSpeakerAccuracy(conversation.reference, final).accuracy).toBeGreaterThan(0.7);
    const metadata = messages.at(-1);
    expect(metadata.type).toBe("Metadata");
    expect((metadata.warnings ?? []).map((w: any) => w.parameter)).not.toContain("diarize");
  });
});

describe("Gladia diarization with the official @gladiaio/sdk", () => {
  it("gives utterances their speakers within diarization_config's bounds", async () => {
    const gladia = new GladiaClient({ apiKey: KEY, apiUrl: server.url });
    const result: any = await gladia
      .preRecorded()
      .transcribe(
        new Blob([new Uint8Array(wav)], { type: "audio/wav" }),
        { diarization: true, diarization_config: { number_of_speakers: 2 } } as any,
        { interval: 200 } as any,
      );
    expect(result.status).toBe("done");
    const { utterances, languages } = result.result.transcription;
    expect(languages).toEqual(["en"]);
    expect(new Set(utterances.map((u: any) => u.speaker))).toEqual(new Set([0, 1]));
    const words = utterances.flatMap((u: any) => u.words.map((w: any) => ({ ...w, speaker: u.speaker })));
    expect(wordSpeakerAccuracy(conversation.reference, words).accuracy).toBeGreaterThan(0.8);
  });
});
