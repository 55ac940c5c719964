/**
 * The same audio gives the same words, times and confidences whatever the server decoded before it and on
 * whichever worker: requests of different clips and containers are interleaved on one worker and on two, and
 * every answer for one clip must be identical, to the last decimal.
 */
import { readFileSync } from "node:fs";
import { clip } from "@earshot/bench/corpus";
import type { EarshotServer } from "@earshot/server";
import { afterAll, describe, expect, it } from "vitest";
import { transcode } from "../support/audio.js";
import { postListen, startTestServer } from "../support/server.js";

const jfk = clip("misc", "jfk");
const other = clip("ljspeech-dev", "LJ001-0003");
const jfkWav = new Uint8Array(readFileSync(jfk.path));
const jfkMp3 = transcode(jfk.path, ["-b:a", "64k"], "jfk.mp3");
const otherWav = new Uint8Array(readFileSync(other.path));
const otherOgg = transcode(other.path, ["-c:a", "libopus", "-b:a", "32k"], "other.ogg");

/** What must not change between two answers for the same audio. */
const essence = (body: any) => {
  const alternative = body.results.channels[0].alternatives[0];
  return { transcript: alternative.transcript, confidence: alternative.confidence, words: alternative.words };
};

describe("determinism", () => {
  const servers: EarshotServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.close();
  });

  const startServer = async (workers: number) => {
    const server = await startTestServer({ engine: { workers } });
    servers.push(server);
    return async (bytes: Uint8Array) => {
      const response = await postListen(server.url, bytes);
      expect(response.status).toBe(200);
      return essence(response.body);
    };
  };
  /** A concurrent burst: the same clip twice among others, so on two workers it lands on both. */
  const burst = async (listen: (bytes: Uint8Array) => Promise<ReturnType<typeof essence>>) => {
    const answers = await Promise.all([jfkWav, otherOgg, jfkMp3, jfkWav].map(listen));
    return [answers[0]!, answers[3]!];
  };

  // The order and the burst decode about 115 s of audio: minutes on a loaded 2-core machine.
  let reference: ReturnType<typeof essence> | undefined;
  it("answers the same clip identically on one worker, whatever came before", { timeout: 600_000 }, async () => {
    const listen = await startServer(1);
    const answers = [];
    // The order the newcomer reported, then other clips and containers, then a concurrent burst.
    for (const bytes of [jfkWav, jfkWav, jfkMp3, otherWav, jfkWav, otherOgg, jfkWav]) {
      const answer = await listen(bytes);
      if (bytes === jfkWav) answers.push(answer);
    }
    answers.push(...(await burst(listen)));
    reference = answers[0];
    expect(reference!.words.length).toBeGreaterThan(10);
    for (const answer of answers) expect(answer).toEqual(reference);
  });

  it("answers it identically on two workers too", { timeout: 600_000 }, async () => {
    expect(reference, "the one-worker test must run first").toBeDefined();
    const listen = await startServer(2);
    // Round-robin puts consecutive requests on alternate workers; the burst then runs on both at once.
    const first = await listen(jfkWav);
    await listen(otherOgg);
    const second = await listen(jfkWav);
    for (const answer of [first, second, ...(await burst(listen))]) expect(answer).toEqual(reference);
  });
});
