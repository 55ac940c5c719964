/**
 * PocketSphinx live decoders are lent per utterance: an utterance's words must not depend on which decoder it
 * ran on or what that decoder decoded before — only on the state its own stream carried from its previous
 * utterance.
 */
import { readFileSync } from "node:fs";
import { loadClips } from "@earshot/bench/corpus";
import { describe, expect, it } from "vitest";
import { decodeWav } from "../src/audio/wav.js";
import { ModelRegistry } from "../src/models/registry.js";
import { loadPocketSphinx } from "../src/pocketsphinx/binding.js";
import { createPocketSphinxLiveDecoder } from "../src/pocketsphinx/live-decoder.js";
import type { LiveDecoder } from "../src/stream/live-decoder.js";

const toPcm = (path: string) =>
  Int16Array.from(decodeWav(readFileSync(path)).channels[0]!, (s) => Math.round(s * 32767));

describe("PocketSphinx live decoder", () => {
  const model = new ModelRegistry().defaultModel;
  const lib = loadPocketSphinx();
  const [warmup, a, b, c] = loadClips("ljspeech-dev", 4).map((clip) => toPcm(clip.path));
  const create = () => createPocketSphinxLiveDecoder(model, lib, "fast", warmup!.subarray(0, 48_000));

  /** One utterance in 100 ms chunks, as a live channel feeds it; the words and what the stream carries on. */
  const utterance = async (decoder: LiveDecoder, pcm: Int16Array, carried?: unknown) => {
    await decoder.start(carried);
    for (let i = 0; i < pcm.length; i += 1600) await decoder.feed(pcm.subarray(i, i + 1600));
    return { words: await decoder.finish(), carry: await decoder.carry?.() };
  };

  it("gives a stream the same words on a borrowed decoder as on its own", async () => {
    // Two built at once, as a worker building a spare while another decoder is warming up.
    const [own, other] = await Promise.all([create(), create()]);
    try {
      // A stream says `a` then `b` on its own decoder…
      const first = await utterance(own, a!);
      // Debian's sphinxbase lets the stream's cepstral mean be read (not the slower warm-up replay per utterance).
      expect(first.carry).toBeDefined();
      const second = await utterance(own, b!, first.carry);
      // …and again with `b` on a decoder that served another stream (`c`) in between.
      await utterance(other, c!);
      const borrowed = await utterance(other, b!, first.carry);
      expect(borrowed.words.length).toBeGreaterThan(3);
      expect(borrowed.words).toEqual(second.words);
      // A stream's first utterance starts from the warmed-up state on any decoder.
      const fresh = await utterance(await create(), c!);
      expect((await utterance(own, c!)).words).toEqual(fresh.words);
    } finally {
      own.dispose();
      other.dispose();
    }
  });
});
