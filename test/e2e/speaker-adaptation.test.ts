/**
 * `speaker_adaptation=true` through the HTTP API on real speech: each piece is decoded a second time with the
 * default model adapted to its speaker (an MLLR transform estimated by SphinxTrain's tools on the first pass's
 * words). The second pass is real (its words differ from the first pass's), the model is restored for the
 * requests after it (a plain request answers as before, to the last decimal), and a malformed value is a 400.
 */
import { readFileSync } from "node:fs";
import { loadClips } from "@earshot/bench/corpus";
import { wordErrorRate } from "@earshot/engine";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postListen, startTestServer } from "../support/server.js";

// Two clips of speaker 1688 of LibriSpeech test-other (12.6 and 2.8 s): a voice the model finds hard.
const clips = loadClips("multi-dev", 3).slice(1);

let server: EarshotServer;
beforeAll(async () => {
  // One worker: every request meets the decoder the adapted ones used.
  server = await startTestServer({ engine: { workers: 1 } });
});
afterAll(async () => {
  await server?.close();
});

const alternativeOf = (body: any) => body.results.channels[0].alternatives[0];

async function listen(bytes: Uint8Array, query = ""): Promise<any> {
  const response = await postListen(server.url, bytes, query);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return alternativeOf(response.body);
}

describe("speaker adaptation", () => {
  it("decodes each piece again with the model adapted to its speaker, then restores the model", async () => {
    const plain: any[] = [];
    const adapted: any[] = [];
    for (const c of clips) {
      const bytes = new Uint8Array(readFileSync(c.path));
      plain.push(await listen(bytes));
      adapted.push(await listen(bytes, "speaker_adaptation=true"));
    }
    const score = (alternatives: any[]) =>
      wordErrorRate(clips.map((c, i) => ({ reference: c.reference, hypothesis: alternatives[i].transcript })));
    const percent = (wer: number) => `${(wer * 100).toFixed(2)} %`;
    console.log(
      `WER of ${clips.length} multi-dev clips: plain ${percent(score(plain))}, adapted ${percent(score(adapted))}`,
    );
    expect(adapted.some((a, i) => a.transcript !== plain[i].transcript)).toBe(true);
    for (const a of adapted) expect(a.words.length).toBeGreaterThan(3);

    // After the adapted requests, the same decoder answers a plain one exactly as before them.
    expect(await listen(new Uint8Array(readFileSync(clips[0]!.path)))).toEqual(plain[0]);
  });

  it("refuses a value that is not a boolean", async () => {
    const response = await postListen(
      server.url,
      new Uint8Array(readFileSync(clips[0]!.path)),
      "speaker_adaptation=maybe",
    );
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ err_code: "INVALID_QUERY_PARAMETER" });
    expect(response.body.err_msg).toMatch(/speaker_adaptation/);
  });
});
