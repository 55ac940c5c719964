/** The PocketSphinx recogniser on real speech: timed words, and the same words whatever was decoded before. */
import { readFileSync } from "node:fs";
import { loadClips } from "@earshot/bench/corpus";
import { createRecognizer, decodeWav, ModelRegistry, type RecognizedWord } from "@earshot/engine";
import { describe, expect, it } from "vitest";

const toPcm = (path: string) =>
  Int16Array.from(decodeWav(readFileSync(path)).channels[0]!, (s) => Math.round(s * 32767));

describe("PocketSphinx recogniser", () => {
  const registry = new ModelRegistry();
  const clips = loadClips("ljspeech-dev", 6).map((c) => ({ ...c, pcm: toPcm(c.path) }));

  // Words, times and confidences must not depend on what the decoder heard before (the front end's noise
  // estimates used to carry over from one utterance to the next).
  it("gives each clip the same words, times and confidences in any decoding order", async () => {
    const decodeAll = async (order: typeof clips) => {
      const recognizer = await createRecognizer(registry.defaultModel);
      try {
        const words: Record<string, RecognizedWord[]> = {};
        for (const c of order) words[c.id] = (await recognizer.recognize(c.pcm)).words;
        return words;
      } finally {
        recognizer.dispose();
      }
    };
    const forward = await decodeAll(clips);
    const backward = await decodeAll([...clips].reverse());
    const twice = await decodeAll([clips[0]!, clips[0]!]);
    for (const c of clips) expect(backward[c.id]).toEqual(forward[c.id]);
    expect(twice[clips[0]!.id]).toEqual(forward[clips[0]!.id]);
  });

  it("returns ordered words inside the audio with confidences in [0, 1]", async () => {
    const recognizer = await createRecognizer(registry.defaultModel);
    const { words } = await recognizer.recognize(clips[0]!.pcm);
    recognizer.dispose();
    expect(words.length).toBeGreaterThan(5);
    const duration = clips[0]!.pcm.length / 16000;
    for (const [i, w] of words.entries()) {
      expect(w.word).toMatch(/^[a-z'.-]+$/);
      expect(w.start).toBeGreaterThanOrEqual(i === 0 ? 0 : words[i - 1]!.end - 1e-9);
      expect(w.end).toBeGreaterThan(w.start);
      expect(w.end).toBeLessThanOrEqual(duration + 0.01);
      expect(w.confidence).toBeGreaterThanOrEqual(0);
      expect(w.confidence).toBeLessThanOrEqual(1);
    }
  });

  it("lists both PocketSphinx models and the Silero VAD in the registry", () => {
    expect(registry.stt().map((m) => m.name)).toEqual(["pocketsphinx-en-us", "pocketsphinx-en-us-debian"]);
    expect(registry.vad()?.name).toBe("silero-vad-v5");
    expect(registry.resolve("nova-3")).toMatchObject({ aliasOf: "nova-3", model: { name: "pocketsphinx-en-us" } });
    expect(() => registry.resolve("pocketsphinx-en-us", "de")).toThrow(/language 'de'/);
  });
});
