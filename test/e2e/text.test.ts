/**
 * The text stage on every surface, through the official Deepgram SDK v5 where it reaches: punctuation, smart
 * formatting, paragraphs and intelligence on `/v1/listen`, `/v1/read`, punctuated live finals, and a callback job
 * whose redacted numbers reach neither the callback, the stored job, the data directory nor the log.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Writable } from "node:stream";
import { DeepgramClient } from "@deepgram/sdk";
import { clip } from "@earshot/bench/corpus";
import { ListenResponseSchema, ReadResponseSchema } from "@earshot/protocol";
import { EarshotClient } from "@earshot/sdk";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/app.js";
import { runCli } from "../support/cli.js";
import { chunks, pcm16, silence, sleep } from "../support/live.js";
import { type FileServer, postListen, startFileServer, startTestServer } from "../support/server.js";

/** "Fourteen sixty-nine, fourteen seventy." — numbers to format and to redact. */
const years = clip("ljspeech-dev", "LJ001-0045");
/** Says "woodcuts", a word PocketSphinx's dictionary lacks. */
const woodcuts = clip("ljspeech-dev", "LJ001-0179");
/** One long sentence about printing. */
const printing = clip("ljspeech-dev", "LJ001-0001");
const REVIEW =
  "I love this phone. The battery lasts all day and the camera is great. But the screen cracked after a week, and support never answered my emails. I want a refund.";

const dataDir = tempDir("text-data");
const logLines: string[] = [];
const logStream = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(String(chunk));
    done();
  },
});

let server: EarshotServer;
let files: FileServer;
let deepgram: DeepgramClient;

beforeAll(async () => {
  [server, files] = await Promise.all([
    // Debug level: every request line the server would ever log is there to search.
    startTestServer({ logLevel: "debug", jobs: { dataDir } }, { logStream }),
    startFileServer(),
  ]);
  deepgram = new DeepgramClient({ apiKey: "unused", baseUrl: server.url, maxRetries: 0 });
});
afterAll(async () => {
  await Promise.all([server?.close(), files?.close()]);
});

/** Spoken numbers and digits, outside `[NUMBER_1]`-style redaction labels. */
const NUMBER_TEXT = /\d|fourteen|sixty|seventy|seventeen/i;
const unredacted = (text: string): boolean => NUMBER_TEXT.test(text.replace(/\[[A-Z_]+_\d+\]/g, ""));

describe("POST /v1/listen through the official Deepgram SDK v5", () => {
  it("punctuates, formats, builds paragraphs from sentences and adds summary, topics, intents and sentiment", async () => {
    const response = await deepgram.listen.v1.media.transcribeFile(readFileSync(printing.path), {
      smart_format: true,
      paragraphs: true,
      utterances: true,
      summarize: "v2",
      topics: true,
      intents: true,
      sentiment: true,
      detect_entities: true,
    });
    const body = ListenResponseSchema.parse(response);
    expect(body.metadata.warnings).toBeUndefined();
    const alt = body.results.channels[0]!.alternatives[0]!;
    expect(alt.transcript).toMatch(/^[A-Z].*[.?!]$/);
    // Deepgram's shape: `word` as spoken, `punctuated_word` cased and marked, the transcript made of the latter.
    for (const w of alt.words) expect(w.word).toBe(w.word.toLowerCase());
    expect(alt.words.map((w) => w.punctuated_word).join(" ")).toBe(alt.transcript);
    expect(alt.paragraphs!.transcript.trim()).toBe(alt.transcript);
    const sentences = alt.paragraphs!.paragraphs.flatMap((p) => p.sentences);
    expect(sentences.at(-1)!.text).toMatch(/[.?!]$/);
    expect(body.results.utterances!.map((u) => u.transcript).join(" ")).toBe(alt.transcript);
    expect(alt.entities).toBeInstanceOf(Array);

    expect(body.results.summary).toMatchObject({ result: "success", short: expect.stringMatching(/\w/) });
    expect(body.results.topics!.results.topics.segments.length).toBeGreaterThan(0);
    expect(body.results.intents!.results.intents.segments).toBeInstanceOf(Array);
    expect(body.results.sentiments!.average.sentiment).toMatch(/positive|neutral|negative/);
    for (const key of ["summary_info", "topics_info", "intents_info", "sentiment_info"] as const) {
      expect(body.metadata[key]).toMatchObject({ input_tokens: alt.words.length });
    }
  });

  it("writes numbers as digits with smart_format and hides them with redact, from a URL too", async () => {
    const url = `${files.url}/file?path=${encodeURIComponent(years.path)}`;
    const formatted = ListenResponseSchema.parse(
      await deepgram.listen.v1.media.transcribeUrl({ url, smart_format: true }),
    );
    const formattedAlt = formatted.results.channels[0]!.alternatives[0]!;
    expect(formattedAlt.transcript).toMatch(/\d{4}/);
    // A formatted number is one word spanning the spoken words, spelled as spoken in `word`.
    const number = formattedAlt.words.find((w) => /\d{4}/.test(w.punctuated_word ?? ""))!;
    expect(number.word).toMatch(/^fourteen /);

    const redacted = ListenResponseSchema.parse(
      await deepgram.listen.v1.media.transcribeUrl({ url, punctuate: true, redact: "numbers" }),
    );
    const alt = redacted.results.channels[0]!.alternatives[0]!;
    expect(alt.transcript).toMatch(/\[NUMBER_1\]/);
    expect(unredacted(alt.transcript)).toBe(false);
    for (const w of alt.words) expect(unredacted(`${w.word} ${w.punctuated_word}`)).toBe(false);
  });

  it("refuses an unknown redact value with Deepgram's error body", async () => {
    const res = await postListen(server.url, readFileSync(years.path), "redact=shoe_size");
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ err_code: "Bad Request", err_msg: expect.stringMatching(/shoe_size/) });
  });
});

describe("keyterm", () => {
  it("add a word the dictionary lacks, with a letter-to-sound pronunciation, and recognise it", async () => {
    // "Even when the woodcuts are very rude indeed": CMUdict has no "woodcuts", so without help it cannot be heard.
    const bytes = readFileSync(woodcuts.path);
    const plain = await postListen(server.url, bytes);
    expect(plain.body.results.channels[0].alternatives[0].transcript).not.toMatch(/woodcuts/);

    const boosted = ListenResponseSchema.parse(
      await deepgram.listen.v1.media.transcribeFile(bytes, { keyterm: ["woodcuts"], punctuate: true }),
    );
    expect(boosted.metadata.warnings).toBeUndefined();
    const alt = boosted.results.channels[0]!.alternatives[0]!;
    expect(alt.words.map((w) => w.word)).toContain("woodcuts");
    expect(alt.transcript).toMatch(/woodcuts/i);
  });
});

describe("POST /v1/read", () => {
  it("analyses text with read.v1.text.analyze from the official SDK", async () => {
    const response = await deepgram.read.v1.text.analyze({
      body: { text: REVIEW },
      summarize: "v2",
      topics: true,
      intents: true,
      sentiment: true,
    });
    const body = ReadResponseSchema.parse(response);
    expect(body.metadata.language).toBe("en");
    expect(body.results.summary!.text.length).toBeGreaterThan(0);
    expect(body.results.topics!.results.topics.segments.length).toBeGreaterThan(0);
    const segments = body.results.sentiments!.segments;
    expect(segments.map((s) => s.sentiment)).toContain("positive");
    expect(segments.at(-1)!.end_word).toBe(REVIEW.split(/\s+/).length);
  });

  it("reads a document at a URL with @earshot/sdk, and refuses an empty body", async () => {
    const path = join(tempDir("read-doc"), "review.txt");
    writeFileSync(path, REVIEW);
    const client = new EarshotClient({ baseUrl: server.url, maxRetries: 0 });
    const response = await client.read.v1.text.analyze({
      body: { url: `${files.url}/file?path=${encodeURIComponent(path)}` },
      sentiment: true,
    });
    const segments = response.results.sentiments!.segments;
    expect(segments.at(-1)!.end_word).toBe(REVIEW.split(/\s+/).length);
    expect(response.results.summary).toBeUndefined();

    const empty = await fetch(`${server.url}/v1/read?sentiment=true`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "" }),
    });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ err_code: "Bad Request", request_id: expect.any(String) });
  });
});

describe("the earshot CLI", () => {
  it("transcribes with --smart-format and --redact, and reads a text with earshot read", async () => {
    const transcribed = await runCli([
      "transcribe",
      years.path,
      "--server",
      server.url,
      "--no-progress",
      "--punctuate",
      "--redact",
      "numbers",
    ]);
    expect(transcribed.code, transcribed.stderr).toBe(0);
    expect(transcribed.stdout).toMatch(/^\[NUMBER_1\]/);
    expect(unredacted(transcribed.stdout)).toBe(false);

    const read = await runCli(["read", REVIEW, "--server", server.url, "--sentiment", "--topics"]);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toMatch(/^Topics: .+\nSentiment: (positive|neutral|negative) \(/);
  });
});

describe("live finals", () => {
  it("are punctuated and smart-formatted, and intelligence options are said to be pre-recorded only", async () => {
    const socket = await deepgram.listen.v1.connect({
      model: "nova-3",
      encoding: "linear16",
      sample_rate: 16000,
      smart_format: "true",
      sentiment: "true",
      Authorization: "Token unused",
    } as any);
    const messages: any[] = [];
    const closed = new Promise<any>((resolve) => socket.on("close", resolve));
    socket.on("message", (m: any) => messages.push(m));
    socket.connect();
    await socket.waitForOpen();
    for (const chunk of chunks(Buffer.concat([pcm16(years.path, "text-live.raw"), silence(1)]), 3200)) {
      socket.sendMedia(chunk);
    }
    socket.sendCloseStream({ type: "CloseStream" });
    expect((await closed).code).toBe(1000);
    const finals = messages.filter((m) => m.type === "Results" && m.is_final && m.channel.alternatives[0].words.length);
    expect(finals.length).toBeGreaterThan(0);
    const words = finals.flatMap((m) => m.channel.alternatives[0].words);
    for (const w of words) expect(w.punctuated_word).toBeDefined();
    expect(finals.map((m) => m.channel.alternatives[0].transcript).join(" ")).toMatch(/^[A-Z0-9].*\d.*[.?!]$/);
    const metadata = messages.at(-1);
    expect(metadata.type).toBe("Metadata");
    const warned = metadata.warnings.map((w: any) => w.parameter);
    expect(warned).toContain("sentiment");
    expect(warned).not.toContain("smart_format");
  });
});

describe("a callback job with redact", () => {
  it("delivers redacted text, and neither the stored job, the data directory nor the log holds the numbers", async () => {
    const bodies: string[] = [];
    const receiver: Server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        bodies.push(body);
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const callback = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    try {
      const res = await postListen(
        server.url,
        readFileSync(years.path),
        `callback=${encodeURIComponent(callback)}&punctuate=true&redact=numbers&paragraphs=true&utterances=true`,
      );
      expect(res.status).toBe(200);
      while (bodies.length === 0) await sleep(100);
      const delivered = JSON.parse(bodies[0]!);
      const alt = delivered.results.channels[0].alternatives[0];
      expect(alt.transcript).toMatch(/^\[NUMBER_1\]/);
      expect(alt.words.every((w: any) => w.punctuated_word !== undefined)).toBe(true);
      const texts = [
        alt.transcript,
        alt.paragraphs.transcript,
        ...alt.words.flatMap((w: any) => [w.word, w.punctuated_word]),
        ...delivered.results.utterances.map((u: any) => u.transcript),
      ];
      for (const text of texts) expect(unredacted(text)).toBe(false);
      for (const body of bodies) expect(body).not.toMatch(/fourteen|sixty|seventy|seventeen/i);

      const job = await (await fetch(`${server.url}/v1/jobs/${res.body.request_id}`)).json();
      expect(job.result.results.channels[0].alternatives[0].transcript).toBe(alt.transcript);
      // Nothing written anywhere spells the numbers: the job store, the blobs (audio only), the log.
      const written = filesUnder(dataDir).map((file) => readFileSync(file).toString("latin1"));
      for (const text of [...written, ...logLines]) expect(text).not.toMatch(/fourteen|sixty|seventy|seventeen/i);
      expect(logLines.some((line) => line.includes(res.body.request_id))).toBe(true);
    } finally {
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
