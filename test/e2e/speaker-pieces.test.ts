/**
 * Pieces cut where the speaker changes: two-speaker conversations of held-out speakers (built from the shared
 * multi-dev clips by the benchmark's builder) through `POST /v1/listen`, on the default server and on one whose
 * engine lets a piece run across a change of speaker (`speakerPieces: false`, as before). Each conversation is
 * scored on its whole turns (the turns that are a whole clip, whose reference is known).
 */
import { ConversationBuilder, conversationSpecs, wholeTurnPairs } from "@earshot/bench/conversations";
import { toWav } from "@earshot/bench/corpus";
import { wordErrorRate } from "@earshot/engine";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postListen, startTestServer } from "../support/server.js";

// Every third two-speaker pairing of the held-out speakers, three clips a speaker: ~3 minutes of conversation.
const specs = conversationSpecs("held-out")
  .filter((spec) => spec.speakers.length === 2)
  .filter((_, i) => i % 3 === 0)
  .map((spec) => ({ ...spec, clipsPerSpeaker: 3 }));
const builder = new ConversationBuilder([...new Set(specs.flatMap((spec) => spec.speakers.map((s) => s.id)))]);
const conversations = specs.map((spec) => builder.build(spec));

/** WER of the conversations' whole turns as `server` transcribes them. */
async function turnWer(server: EarshotServer): Promise<number> {
  const pairs = [];
  for (const conversation of conversations) {
    const res = await postListen(server.url, toWav(conversation.samples));
    expect(res.status).toBe(200);
    pairs.push(...wholeTurnPairs(conversation, res.body.results.channels[0].alternatives[0].words));
  }
  return wordErrorRate(pairs);
}

describe("pieces cut at changes of speaker", () => {
  let cut: EarshotServer;
  let across: EarshotServer;
  beforeAll(async () => {
    [cut, across] = await Promise.all([startTestServer(), startTestServer({ engine: { speakerPieces: false } })]);
  });
  afterAll(async () => {
    await Promise.all([cut?.close(), across?.close()]);
  });

  it("transcribes a conversation's turns with fewer errors than pieces that run across speakers", async () => {
    const withCuts = await turnWer(cut);
    const without = await turnWer(across);
    console.log(
      `${conversations.length} conversations: whole-turn WER ${(withCuts * 100).toFixed(2)} % cut at speakers, ${(without * 100).toFixed(2)} % across`,
    );
    expect(withCuts).toBeLessThan(without);
  }, 600_000);
});
