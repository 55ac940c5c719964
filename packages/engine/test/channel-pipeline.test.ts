/**
 * A live channel whose speaker starts while no decoder is free keeps the audio and catches up when one arrives:
 * real Silero VAD, real PocketSphinx decoders and real speech, fed in 100 ms chunks as a stream is; only when the
 * decoder arrives is staged by the test.
 */
import { readFileSync } from "node:fs";
import { loadClips } from "@earshot/bench/corpus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toInt16 } from "../src/audio/pcm.js";
import { decodeWav } from "../src/audio/wav.js";
import { ModelRegistry } from "../src/models/registry.js";
import { loadPocketSphinx } from "../src/pocketsphinx/binding.js";
import { createPocketSphinxLiveDecoder } from "../src/pocketsphinx/live-decoder.js";
import { ChannelPipeline, VAD_MIN_SPEECH } from "../src/stream/channel-pipeline.js";
import type { DecoderLender } from "../src/stream/decoder-pool.js";
import type { LiveDecoder } from "../src/stream/live-decoder.js";
import type { LiveEvent } from "../src/stream/types.js";
import { SileroModel, StreamVad } from "../src/vad/silero-stream.js";

const registry = new ModelRegistry();
const [warmup, first, second] = loadClips("ljspeech-dev", 3).map(
  (clip) => decodeWav(readFileSync(clip.path)).channels[0]!,
);
const silence = (seconds: number) => new Float32Array(Math.round(seconds * 16_000));

/** Two utterances with pauses around them. */
const audio = Float32Array.from([...silence(0.5), ...first!, ...silence(1), ...second!, ...silence(1)]);

/** Lends one decoder; `take` answers only when the test lets it (a build in progress), `tryTake` never. */
function slowLender(decoder: LiveDecoder): DecoderLender & { arrive(): void; waited: boolean } {
  let arrive = () => {};
  const lender = {
    waited: false,
    tryTake: () => undefined,
    take: () => {
      lender.waited = true;
      return new Promise<LiveDecoder>((resolve) => {
        arrive = () => resolve(decoder);
      });
    },
    give: () => {},
    close: () => {},
    arrive: () => arrive(),
  };
  return lender;
}

async function finals(
  lender: DecoderLender,
  onChunk: (second: number) => void = () => {},
): Promise<{ text: string; events: LiveEvent[] }> {
  const vad = new StreamVad(await SileroModel.load(registry.vad()!.files.model!), {
    minSilence: 0.3,
    minSpeech: VAD_MIN_SPEECH,
    maxSpeech: 30,
  });
  const settings = { interimResults: true, endpointingMs: 300, utteranceEndMs: undefined, vadEvents: false };
  const pipeline = new ChannelPipeline(0, vad, lender, settings);
  const events: LiveEvent[] = [];
  for (let i = 0; i < audio.length; i += 1600) {
    onChunk(i / 16_000);
    events.push(...(await pipeline.feed(audio.subarray(i, i + 1600))));
  }
  events.push(...(await pipeline.close()));
  const text = events
    .filter((e) => e.type === "result" && e.isFinal)
    .flatMap((e) => (e.type === "result" ? e.words.map((w) => w.word) : []))
    .join(" ");
  return { text, events };
}

describe("live channel waiting for a decoder", () => {
  const model = registry.defaultModel;
  const lib = loadPocketSphinx();
  const build = () => createPocketSphinxLiveDecoder(model, lib, "fast", toInt16(warmup!).subarray(0, 48_000));

  let decoder: LiveDecoder;
  let direct: { text: string };
  beforeAll(async () => {
    decoder = await build();
    direct = await finals({ tryTake: () => decoder, take: async () => decoder, give: () => {}, close: () => {} });
  });
  afterAll(() => decoder.dispose());

  it("gets the same words when its decoder arrives mid-utterance as with one at hand", async () => {
    expect(direct.text.split(" ").length).toBeGreaterThan(5);

    // The decoder arrives 1.5 s into the first utterance: until then the channel keeps the audio, sends no
    // interim results, and does not hold up the feed.
    const slow = slowLender(decoder);
    const late = await finals(slow, (second) => {
      if (second >= 2) slow.arrive();
    });
    expect(slow.waited).toBe(true);
    expect(late.text).toBe(direct.text);
    const interims = late.events.filter((e) => e.type === "result" && !e.isFinal && e.start < 2);
    const firstInterim = interims[0];
    expect(firstInterim && firstInterim.type === "result" ? firstInterim.end : 0).toBeGreaterThanOrEqual(1.9);
  });

  it("waits for the decoder when the utterance ends before it arrives", async () => {
    // Fed faster than real time, the first utterance (and its VAD end) is through long before 0.5 s: its final
    // has to wait for the decoder.
    const late: DecoderLender = {
      tryTake: () => undefined,
      take: () => new Promise((resolve) => setTimeout(() => resolve(decoder), 500)),
      give: () => {},
      close: () => {},
    };
    const started = performance.now();
    const result = await finals(late);
    expect(performance.now() - started).toBeGreaterThan(500);
    expect(result.text).toBe(direct.text);
  });
});
