/** The PocketSphinx {@link Recognizer}: one decoder per worker, one utterance per call. */
import type { InstalledModel } from "../models/registry.js";
import type { RecognizedWord, Recognizer } from "../recognizer.js";
import { loadPocketSphinx } from "./binding.js";

/** PocketSphinx computes features every 10 ms. */
const FRAMES_PER_SECOND = 100;

/** Fillers and sentence markers the decoder reports alongside words: `<s>`, `<sil>`, `[NOISE]`, `++BREATH++`. */
const NON_WORD = /^(<.*>|\[.*\]|\+\+.*\+\+)$/;

export function pocketSphinxArgs(model: InstalledModel, extra: string[] = []): string[] {
  const { hmm, lm, dict } = model.files;
  if (!hmm || !lm || !dict) throw new Error(`model ${model.name} lacks hmm/lm/dict files`);
  return ["-hmm", hmm, "-lm", lm, "-dict", dict, "-logfn", "/dev/null", ...extra];
}

/**
 * PocketSphinx carries search state from one utterance into the next: the same audio decoded twice in a row
 * can come out differently (measured: 5 of 20 LJ clips changed with the decoding order). A server must answer
 * the same audio the same way whichever worker and whatever came before, so every utterance is preceded by
 * this fixed 0.3 s of faint noise, which brings the decoder to the same state (0 of 20 changed) for ~3 %
 * more decoding time.
 */
const RESET_UTTERANCE = (() => {
  let seed = 1;
  return Int16Array.from({ length: 4800 }, () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed % 64) - 32;
  });
})();

export function createPocketSphinxRecognizer(model: InstalledModel): Recognizer {
  const lib = loadPocketSphinx();
  const decoder = lib.createDecoder(pocketSphinxArgs(model));
  // Whole-utterance mode: the front end sees all of the audio at once, which is more accurate than the live
  // path and keeps frame numbers relative to this call.
  const decode = (pcm: Int16Array): void => {
    lib.startUtt(decoder);
    lib.processRaw(decoder, pcm, true);
    lib.endUtt(decoder);
  };
  return {
    recognize(pcm) {
      decode(RESET_UTTERANCE);
      decode(pcm);
      const words: RecognizedWord[] = [];
      for (const seg of lib.segments(decoder)) {
        if (NON_WORD.test(seg.word)) continue;
        words.push({
          word: seg.word.replace(/\(\d+\)$/, ""),
          start: seg.startFrame / FRAMES_PER_SECOND,
          end: (seg.endFrame + 1) / FRAMES_PER_SECOND,
          confidence: Math.round(Math.min(1, Math.max(0, seg.probability)) * 1000) / 1000,
        });
      }
      return { words };
    },
    dispose: () => lib.free(decoder),
  };
}
