/** `@earshot/sdk` against a real server: every source type, options, progress, errors and retries. */
import { readFileSync } from "node:fs";
import { clip } from "@earshot/bench/corpus";
import { countErrors } from "@earshot/engine";
import { ListenResponseSchema } from "@earshot/protocol";
import { BadRequestError, EarshotClient, RateLimitError, toSRT, toWebVTT } from "@earshot/sdk";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FileServer, startFileServer, startTestServer } from "../support/server.js";

const jfk = clip("misc", "jfk");
const lj = clip("ljspeech-dev", "LJ001-0003");
const bytes = readFileSync(lj.path);

let server: EarshotServer;
let files: FileServer;
let client: EarshotClient;
let expected: string;

beforeAll(async () => {
  [server, files] = await Promise.all([startTestServer(), startFileServer()]);
  client = new EarshotClient({ baseUrl: server.url });
  expected = (await client.listen.v1.media.transcribeFile(bytes)).results.channels[0]!.alternatives[0]!.transcript;
});
afterAll(async () => {
  await Promise.all([server?.close(), files?.close()]);
});

describe("listen.v1.media", () => {
  it("transcribes a Buffer, an ArrayBuffer, a Blob and a ReadableStream alike", async () => {
    const stream = new Blob([bytes]).stream();
    const sources = [
      bytes,
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      new Blob([bytes]),
      stream,
    ];
    for (const source of sources) {
      const result = await client.listen.v1.media.transcribeFile(source);
      ListenResponseSchema.parse(result);
      expect(result.results.channels[0]!.alternatives[0]!.transcript).toBe(expected);
    }
    const c = countErrors(lj.reference, expected);
    expect((c.substitutions + c.deletions + c.insertions) / c.words).toBeLessThan(0.5);
  });

  it("transcribes a URL with typed options", async () => {
    const result = await client.listen.v1.media.transcribeUrl({
      url: `${files.url}/file?path=${encodeURIComponent(jfk.path)}`,
      utterances: true,
      utt_split: 0.5,
      search: ["country"],
      tag: ["sdk"],
    });
    expect(result.metadata.tags).toEqual(["sdk"]);
    expect(result.results.utterances!.length).toBeGreaterThan(1);
    expect(result.results.channels[0]!.search![0]!.query).toBe("country");
  });

  it("reports progress on request and still returns the full response", async () => {
    const seen: number[] = [];
    const result = await client.listen.v1.media.transcribeFile(
      readFileSync(jfk.path),
      {},
      { onProgress: (f) => seen.push(f) },
    );
    ListenResponseSchema.parse(result);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it("throws typed errors carrying status, err_code and request id", async () => {
    const err = await client.listen.v1.media.transcribeFile(new Uint8Array([1, 2, 3])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err).toMatchObject({ status: 400, code: "UNSUPPORTED_AUDIO" });
    expect((err as BadRequestError).requestId).toMatch(/^[0-9a-f-]{36}$/);
    const viaProgress = await client.listen.v1.media
      .transcribeFile(new Uint8Array([1, 2, 3]), {}, { onProgress: () => {} })
      .catch((e: unknown) => e);
    expect(viaProgress).toMatchObject({ status: 400, code: "UNSUPPORTED_AUDIO" });
  });

  it("retries a 429 after Retry-After and gives up with RateLimitError when retries are off", async () => {
    const busy = await startTestServer({ engine: { workers: 1, queueLimit: 1 } });
    try {
      // Each retry waits the 1 s Retry-After; enough of them to outlast a decode on a loaded machine.
      const patient = new EarshotClient({ baseUrl: busy.url, maxRetries: 30 });
      const impatient = new EarshotClient({ baseUrl: busy.url, maxRetries: 0 });
      const [a, b] = await Promise.allSettled([
        patient.listen.v1.media.transcribeFile(bytes),
        (async () => {
          // Let the first request take the only slot.
          await new Promise((r) => setTimeout(r, 100));
          return impatient.listen.v1.media.transcribeFile(bytes);
        })(),
      ]);
      expect(a.status).toBe("fulfilled");
      expect(b.status === "rejected" && b.reason instanceof RateLimitError).toBe(true);
      const retried = await Promise.all([
        patient.listen.v1.media.transcribeFile(bytes),
        patient.listen.v1.media.transcribeFile(bytes),
      ]);
      for (const r of retried) expect(r.results.channels[0]!.alternatives[0]!.transcript).toBe(expected);
    } finally {
      await busy.close();
    }
  });
});

describe("captions", () => {
  it("turns a real response into SRT and WebVTT with the transcript's words in order", async () => {
    const result = await client.listen.v1.media.transcribeFile(readFileSync(jfk.path), { utterances: true });
    const words = result.results.channels[0]!.alternatives[0]!.words.map((w) => w.word);
    const srt = toSRT(result);
    const vtt = toWebVTT(result);
    expect(srt).toMatch(/^1\n\d{2}:\d{2}:\d{2},\d{3} --> \d{2}:\d{2}:\d{2},\d{3}\n/);
    expect(vtt.startsWith("WEBVTT\n")).toBe(true);
    const cueText = (text: string) =>
      text
        .split("\n")
        .filter((line) => line && !/^\d+$/.test(line) && !line.includes("-->") && line !== "WEBVTT")
        .join(" ")
        .split(/\s+/);
    expect(cueText(srt)).toEqual(words);
    expect(cueText(vtt)).toEqual(words);
  });
});
