/**
 * The v1 live `Configure` message (Deepgram's SDKs from 2026 send it; `@deepgram/sdk` 5.13 has no sender, so
 * a raw socket stands in): keyterms and formatting features replaced mid-stream, each `Configure` answered by
 * exactly one `ConfigureSuccess` or `ConfigureFailure`, the stream going on either way; and keyterms, from the
 * query or a `Configure`, boosting words in the finals.
 */
import { clip } from "@earshot/bench/corpus";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { chunks, pcm16, silence, sleep } from "../support/live.js";
import { startTestServer } from "../support/server.js";

const lj = clip("ljspeech-dev", "LJ001-0007");
/** "Printing, in the only sense…", which the default model hears as "resulting in the only sense…". */
const printing = clip("ljspeech-dev", "LJ001-0001");
let server: EarshotServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe("Configure on /v1/listen", () => {
  it("replaces keyterms and features, answers each message once, and the stream goes on", async () => {
    const socket = new WebSocket(`${server.url.replace("http", "ws")}/v1/listen?encoding=linear16&sample_rate=16000`);
    const messages: any[] = [];
    socket.on("message", (data) => messages.push(JSON.parse(String(data))));
    const closed = new Promise<number>((resolve) => socket.on("close", (code) => resolve(code)));
    await new Promise((resolve) => socket.on("open", resolve));
    socket.send(JSON.stringify({ type: "Configure", keyterms: ["Earshot", "Flux"], features: { numerals: true } }));
    socket.send(JSON.stringify({ type: "Configure", features: { smart_format: true } }));
    socket.send(JSON.stringify({ type: "Configure", features: { diarize: true } }));
    socket.send(JSON.stringify({ type: "Configure", keyterms: "Earshot" }));
    for (const chunk of chunks(Buffer.concat([pcm16(lj.path, "configure.raw"), silence(1)]), 3200)) {
      socket.send(chunk);
      await sleep(5);
    }
    socket.send(JSON.stringify({ type: "CloseStream" }));
    expect(await closed).toBe(1000);

    const answers = messages.filter((m) => m.type.startsWith("Configure"));
    expect(answers.map((m) => m.type)).toEqual([
      "ConfigureSuccess",
      "ConfigureSuccess",
      "ConfigureFailure",
      "ConfigureFailure",
    ]);
    expect(answers[0]).toMatchObject({ keyterms: ["Earshot", "Flux"], features: { numerals: true, punctuate: false } });
    // A later Configure without keyterms keeps them.
    expect(answers[1]).toMatchObject({
      keyterms: ["Earshot", "Flux"],
      features: { numerals: true, smart_format: true },
    });
    expect(answers[2].description).toMatch(/diarize/);
    expect(answers[3].description).toMatch(/keyterms/);
    expect(messages.filter((m) => m.type === "Results" && m.is_final).length).toBeGreaterThan(0);
    // Results after the second Configure are smart-formatted: punctuated words.
    const finals = messages.filter((m) => m.type === "Results" && m.is_final && m.channel.alternatives[0].words.length);
    expect(finals.at(-1).channel.alternatives[0].words.every((w: any) => w.punctuated_word !== undefined)).toBe(true);
    // What the stream was told to do and does not implement yet is said in Metadata, as for query options.
    const metadata = messages.at(-1);
    expect(metadata.type).toBe("Metadata");
    const warned = (metadata.warnings ?? []).map((w: any) => w.parameter);
    expect(warned).not.toContain("keyterm");
    expect(warned).not.toContain("smart_format");
  });

  /**
   * The clip twice on one socket (`configure`: keyterms sent between the two), each time followed by silence and
   * Finalize; the transcript of each time's finals, and the closing Metadata.
   */
  async function twice(query: string, configure?: string[]): Promise<{ transcripts: string[]; metadata: any }> {
    const url = `${server.url.replace("http", "ws")}/v1/listen?encoding=linear16&sample_rate=16000${query}`;
    const socket = new WebSocket(url);
    const messages: any[] = [];
    socket.on("message", (data) => messages.push(JSON.parse(String(data))));
    const closed = new Promise<number>((resolve) => socket.on("close", (code) => resolve(code)));
    await new Promise((resolve) => socket.on("open", resolve));
    const audio = Buffer.concat([pcm16(printing.path, "printing.raw"), silence(2)]);
    const transcripts: string[] = [];
    for (let time = 0; time < 2; time++) {
      if (time === 1 && configure) socket.send(JSON.stringify({ type: "Configure", keyterms: configure }));
      for (const chunk of chunks(audio, 3200)) {
        socket.send(chunk);
        await sleep(5);
      }
      socket.send(JSON.stringify({ type: "Finalize" }));
      await expect
        .poll(() => messages.some((m) => m.type === "Results" && m.from_finalize), { timeout: 30_000 })
        .toBe(true);
      const finals = messages.splice(0).filter((m) => m.type === "Results" && m.is_final);
      transcripts.push(
        finals
          .map((m) => m.channel.alternatives[0].transcript)
          .join(" ")
          .trim(),
      );
    }
    socket.send(JSON.stringify({ type: "CloseStream" }));
    expect(await closed).toBe(1000);
    return { transcripts, metadata: messages.find((m) => m.type === "Metadata") };
  }

  it("boosts keyterms from the query or from Configure (its next utterance on), on decoders of their own", async () => {
    // A stream's first utterance starts from the warm-up voice's cepstral mean; the second, from the speaker's.
    const [plain, query, configured] = await Promise.all([
      twice(""),
      twice("&keyterm=printing"),
      twice("", ["printing"]),
    ]);
    expect(plain.transcripts.map((t) => t.split(" ")[0])).toEqual(["resulting", "resulting"]);
    expect(query.transcripts[1]).toMatch(/^printing in the only sense/);
    expect(configured.transcripts[0]).toMatch(/^resulting/);
    expect(configured.transcripts[1]).toMatch(/^printing in the only sense/);
    for (const { metadata } of [query, configured]) {
      expect(metadata.warnings ?? []).not.toContainEqual(expect.objectContaining({ parameter: "keyterm" }));
    }
  });
});
