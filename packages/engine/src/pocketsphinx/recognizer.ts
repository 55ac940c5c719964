/** The PocketSphinx {@link Recognizer}: one decoder per worker, one utterance per call. */
import type { InstalledModel } from "../models/registry.js";
import type { RecognizedWord, Recognizer } from "../recognizer.js";
import type { PocketSphinxLib, Segment } from "./binding.js";

/** PocketSphinx computes features every 10 ms. */
const FRAMES_PER_SECOND = 100;

/** Fillers and sentence markers the decoder reports alongside words: `<s>`, `<sil>`, `[NOISE]`, `++BREATH++`. */
const NON_WORD = /^(<.*>|\[.*\]|\+\+.*\+\+)$/;

export function pocketSphinxArgs(model: InstalledModel, extra: string[] = []): string[] {
  const { hmm, lm, dict } = model.files;
  if (!hmm || !lm || !dict) throw new Error(`model ${model.name} lacks hmm/lm/dict files`);
  return ["-hmm", hmm, "-lm", lm, "-dict", dict, "-logfn", "/dev/null", ...extra];
}

/** The words among the segments of a hypothesis, timed from frame `base`. */
export function wordsOf(segments: Segment[], base = 0): RecognizedWord[] {
  const words: RecognizedWord[] = [];
  for (const seg of segments) {
    if (NON_WORD.test(seg.word)) continue;
    words.push({
      word: seg.word.replace(/\(\d+\)$/, ""),
      start: (seg.startFrame - base) / FRAMES_PER_SECOND,
      end: (seg.endFrame + 1 - base) / FRAMES_PER_SECOND,
      confidence: Math.min(1, Math.max(0, seg.probability)),
    });
  }
  return words;
}

export function createPocketSphinxRecognizer(model: InstalledModel, lib: PocketSphinxLib): Recognizer {
  const decoder = lib.createDecoder(pocketSphinxArgs(model));
  return {
    recognize(pcm) {
      // Each piece is a stream of its own: the front end's noise-removal estimates carry over between utterances
      // of one stream, which made the same audio decode differently depending on what the worker decoded before
      // (jfk.wav: "and when you can do" or "and what you can do"). Whole-utterance mode then lets the front end
      // see all of the audio at once (batch cepstral mean), and keeps frame numbers relative to this call.
      lib.startStream(decoder);
      lib.startUtt(decoder);
      lib.processRaw(decoder, pcm, true);
      lib.endUtt(decoder);
      const words = wordsOf(lib.segments(decoder)).map((w) => ({
        ...w,
        confidence: Math.round(w.confidence * 1000) / 1000,
      }));
      return { words };
    },
    dispose: () => lib.free(decoder),
  };
}
