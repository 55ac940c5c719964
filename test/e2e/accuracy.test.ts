/**
 * Accuracy regression guard: real speech from the shared set through the HTTP API, scored with one
 * normaliser. Bounds sit a little above what was measured (see the README's figures), so a change that
 * makes recognition worse fails here; they are not goals.
 */
import { readFileSync } from "node:fs";
import { type Clip, loadClips } from "@earshot/bench/corpus";
import { wordErrorRate } from "@earshot/engine";
import { EarshotClient } from "@earshot/sdk";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "../support/server.js";

let server: EarshotServer;
let client: EarshotClient;

beforeAll(async () => {
  server = await startTestServer({ engine: { workers: 2, queueLimit: 1000 } });
  client = new EarshotClient({ baseUrl: server.url });
});
afterAll(async () => {
  await server?.close();
});

async function werOf(clips: Clip[]): Promise<number> {
  const pairs = await Promise.all(
    clips.map(async (c) => {
      const result = await client.listen.v1.media.transcribeFile(readFileSync(c.path));
      return { reference: c.reference, hypothesis: result.results.channels[0]!.alternatives[0]!.transcript };
    }),
  );
  return wordErrorRate(pairs);
}

describe("word error rate on the shared speech set", () => {
  it.each([
    // [set, clips, measured WER, bound]
    ["ljspeech-dev", 50, 0.22, 0.25],
    ["misc", 10, 0.2, 0.25],
    ["multi-dev", 30, 0.46, 0.5],
  ] as const)(
    "%s (first %i clips) stays under its bound",
    async (set, count, _measured, bound) => {
      const wer = await werOf(loadClips(set, count));
      console.log(`WER ${set} first ${count} clips: ${(wer * 100).toFixed(2)} %`);
      expect(wer).toBeLessThan(bound);
    },
    300_000,
  );
});
