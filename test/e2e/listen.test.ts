/**
 * `POST /v1/listen` end to end: a real server on loopback, real PocketSphinx, real speech from the shared set,
 * driven with plain fetch and with the official Deepgram SDK v5.
 */
import { readFileSync } from "node:fs";
import { DeepgramClient } from "@deepgram/sdk";
import { clip } from "@earshot/bench/corpus";
import { ListenResponseSchema } from "@earshot/protocol";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ffmpeg, transcode } from "../support/audio.js";
import { type FileServer, postListen, startFileServer, startTestServer } from "../support/server.js";
import { werOf } from "../support/wer.js";

const jfk = clip("misc", "jfk");
const lj = clip("ljspeech-dev", "LJ001-0001");
const libri = clip("misc", "1089-134686-0000");

const transcriptOf = (body: any, channel = 0): string => body.results.channels[channel].alternatives[0].transcript;

let server: EarshotServer;
let files: FileServer;
let baseline: string;

beforeAll(async () => {
  [server, files] = await Promise.all([startTestServer(), startFileServer()]);
  const { body } = await postListen(server.url, readFileSync(lj.path));
  baseline = transcriptOf(body);
});
afterAll(async () => {
  await Promise.all([server?.close(), files?.close()]);
});

describe("POST /v1/listen with audio bytes", () => {
  it("returns the full Deepgram response shape for a WAV file", async () => {
    const res = await postListen(server.url, readFileSync(jfk.path), "model=nova-3&language=en");
    expect(res.status).toBe(200);
    const body = ListenResponseSchema.parse(res.body);
    expect(res.headers.get("dg-request-id")).toBe(body.metadata.request_id);
    expect(body.metadata.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(body.metadata.duration).toBeCloseTo(11.0, 1);
    expect(body.metadata.channels).toBe(1);
    const uuid = body.metadata.models[0]!;
    expect(body.metadata.model_info[uuid]).toMatchObject({ name: "pocketsphinx-en-us", arch: "pocketsphinx" });
    expect(body.metadata.warnings?.[0]).toMatchObject({ parameter: "model", type: "model_substituted" });
    const alt = body.results.channels[0]!.alternatives[0]!;
    expect(werOf(jfk.reference, alt.transcript)).toBeLessThan(0.5);
    expect(alt.confidence).toBeGreaterThan(0);
    expect(alt.confidence).toBeLessThanOrEqual(1);
    for (const [i, w] of alt.words.entries()) {
      expect(w.end).toBeGreaterThan(w.start);
      expect(w.end).toBeLessThanOrEqual(body.metadata.duration + 0.05);
      if (i > 0) expect(w.start).toBeGreaterThanOrEqual(alt.words[i - 1]!.end - 0.001);
    }
    expect(alt.words.map((w) => w.word).join(" ")).toBe(alt.transcript);
  });

  it.each([
    ["mp3", ["-c:a", "libmp3lame", "-b:a", "128k"], "a.mp3"],
    ["flac", ["-c:a", "flac"], "a.flac"],
    ["ogg/opus", ["-c:a", "libopus", "-b:a", "48k"], "a.ogg"],
    ["webm/opus", ["-c:a", "libopus", "-b:a", "48k"], "a.webm"],
    ["m4a/aac", ["-c:a", "aac", "-b:a", "128k"], "a.m4a"],
    ["44.1 kHz stereo float WAV", ["-ar", "44100", "-ac", "2", "-c:a", "pcm_f32le"], "a-f32.wav"],
    ["48 kHz 24-bit WAV", ["-ar", "48000", "-c:a", "pcm_s24le"], "a-s24.wav"],
    ["16 kHz 8-bit WAV", ["-c:a", "pcm_u8"], "a-u8.wav"],
    ["22.05 kHz 32-bit WAV", ["-ar", "22050", "-c:a", "pcm_s32le"], "a-s32.wav"],
  ])("decodes %s whatever the Content-Type says", async (_label, args, name) => {
    const bytes = transcode(lj.path, args, name);
    const res = await postListen(server.url, bytes, "", { "content-type": "text/plain" });
    expect(res.status).toBe(200);
    ListenResponseSchema.parse(res.body);
    expect(res.body.metadata.duration).toBeCloseTo(lj.duration, 0);
    // Lossy codecs and rate changes move a word or two; the transcript must stay that of the same speech.
    const drift = werOf(baseline, transcriptOf(res.body));
    const limit = name.includes("u8") ? 0.5 : 0.35;
    expect(drift, `${transcriptOf(res.body)} vs ${baseline}`).toBeLessThanOrEqual(limit);
  });

  it("reads headerless linear16 and mulaw with encoding and sample_rate", async () => {
    const linear = transcode(lj.path, ["-f", "s16le", "-c:a", "pcm_s16le"], "a.raw");
    const res = await postListen(server.url, linear, "encoding=linear16&sample_rate=16000&channels=1");
    expect(res.status).toBe(200);
    expect(transcriptOf(res.body)).toBe(baseline);
    const mulaw = transcode(lj.path, ["-ar", "8000", "-f", "mulaw"], "a.ulaw");
    const res8k = await postListen(server.url, mulaw, "encoding=mulaw&sample_rate=8000");
    expect(res8k.status).toBe(200);
    expect(res8k.body.metadata.duration).toBeCloseTo(lj.duration, 1);
    expect(werOf(lj.reference, transcriptOf(res8k.body))).toBeLessThan(0.6);
  });

  it("keeps channels apart with multichannel=true", async () => {
    const stereo = ffmpeg(
      [lj.path, libri.path],
      ["-filter_complex", "[0:a][1:a]amerge=inputs=2[a]", "-map", "[a]", "-c:a", "pcm_s16le"],
      "stereo.wav",
    );
    const res = await postListen(server.url, stereo, "multichannel=true");
    expect(res.status).toBe(200);
    expect(res.body.metadata.channels).toBe(2);
    expect(res.body.results.channels).toHaveLength(2);
    expect(werOf(lj.reference, transcriptOf(res.body, 0))).toBeLessThan(0.5);
    expect(werOf(libri.reference, transcriptOf(res.body, 1))).toBeLessThan(0.5);
    const mixed = await postListen(server.url, stereo);
    expect(mixed.body.results.channels).toHaveLength(1);
    expect(mixed.body.metadata.channels).toBe(2);
  });

  it("adds utterances, paragraphs, search, replace, tags and extra", async () => {
    const query =
      "utterances=true&utt_split=0.3&paragraphs=true&search=fellow%20americans&search=country&replace=country:nation" +
      "&tag=test&tag=e2e&extra=team:speech&extra=run:1&no_such_option=1";
    const res = await postListen(server.url, readFileSync(jfk.path), query);
    expect(res.status).toBe(200);
    const body = ListenResponseSchema.parse(res.body);
    expect(body.metadata.tags).toEqual(["test", "e2e"]);
    expect(body.metadata.extra).toEqual({ team: "speech", run: "1" });
    expect(body.metadata.warnings).toBeUndefined();
    const alt = body.results.channels[0]!.alternatives[0]!;
    expect(alt.transcript).toContain("nation");
    expect(alt.transcript).not.toContain("country");
    const utterances = body.results.utterances!;
    expect(utterances.length).toBeGreaterThan(1);
    expect(utterances.flatMap((u) => u.words)).toEqual(alt.words);
    for (const [i, u] of utterances.entries()) {
      expect(u.channel).toBe(0);
      if (i > 0) expect(u.start - utterances[i - 1]!.end).toBeGreaterThan(0.3);
    }
    const paragraphs = alt.paragraphs!;
    expect(paragraphs.paragraphs.reduce((n, p) => n + p.num_words, 0)).toBe(alt.words.length);
    const search = body.results.channels[0]!.search!;
    expect(search.map((s) => s.query)).toEqual(["fellow americans", "country"]);
    const fellow = search[0]!.hits[0]!;
    expect(fellow.snippet).toBe("fellow americans");
    expect(fellow.confidence).toBeGreaterThan(0.5);
    // Search runs on the words as recognised, before replacement is shown: "country" is still found.
    expect(search[1]!.hits.length).toBeGreaterThan(0);
  });

  it("serves every option it parses: nothing is reported as ignored", async () => {
    const res = await postListen(server.url, readFileSync(lj.path), "keywords=snuffleupagus:5&punctuate=false");
    expect(res.status).toBe(200);
    // keywords reach PocketSphinx's dictionary (a word it did not know, boosted); nothing else is left to warn of.
    expect(res.body.metadata.warnings).toBeUndefined();
  });
});

describe("POST /v1/listen with a URL", () => {
  it("fetches, follows redirects and transcribes", async () => {
    const direct = await postListen(server.url, { url: `${files.url}/file?path=${encodeURIComponent(lj.path)}` });
    expect(direct.status).toBe(200);
    expect(transcriptOf(direct.body)).toBe(baseline);
    const target = encodeURIComponent(`/file?path=${encodeURIComponent(lj.path)}`);
    const redirected = await postListen(server.url, { url: `${files.url}/redirect?to=${target}` });
    expect(redirected.status).toBe(200);
    expect(transcriptOf(redirected.body)).toBe(baseline);
  });
});

describe("the official @deepgram/sdk v5 against Earshot", () => {
  const client = () => new DeepgramClient({ apiKey: "unused", baseUrl: server.url });

  it("transcribeFile returns what the SDK types promise", async () => {
    const result = await client().listen.v1.media.transcribeFile(readFileSync(jfk.path), {
      model: "nova-3",
      utterances: true,
    });
    if (!("results" in result)) throw new Error("expected a synchronous response");
    expect(result.metadata.request_id).toMatch(/^[0-9a-f-]{36}$/);
    const alt = result.results.channels[0]!.alternatives![0]!;
    expect(werOf(jfk.reference, alt.transcript ?? "")).toBeLessThan(0.5);
    expect(alt.words?.[0]?.start).toBeTypeOf("number");
    expect(result.results.utterances?.length).toBeGreaterThan(0);
  });

  it("transcribeUrl returns the same transcript as the file", async () => {
    const result = await client().listen.v1.media.transcribeUrl({
      url: `${files.url}/file?path=${encodeURIComponent(lj.path)}`,
      model: "nova-3",
    });
    if (!("results" in result)) throw new Error("expected a synchronous response");
    expect(result.results.channels[0]!.alternatives![0]!.transcript).toBe(baseline);
  });

  it("surfaces our errors as DeepgramError with the status and body", async () => {
    const err = await client()
      .listen.v1.media.transcribeFile(new TextEncoder().encode("definitely not audio"), {}, { maxRetries: 0 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 400, body: { err_code: "UNSUPPORTED_AUDIO" } });
  });
});
