/** The PocketSphinx {@link Recognizer}: one decoder per worker, one utterance per call. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isNarrowband } from "../audio/bandwidth.js";
import type { InstalledModel } from "../models/registry.js";
import { type Keyterm, RECOGNIZER_SAMPLE_RATE, type RecognizedWord, type Recognizer } from "../recognizer.js";
import { type Adapter, createAdapter, identityTransform, MODEL_STREAMS } from "./adaptation.js";
import type { Decoder, PocketSphinxLib, Segment } from "./binding.js";
import { type CalibrationMap, calibrate } from "./confidence.js";
import { keytermWords, letterToSound } from "./pronounce.js";

/** PocketSphinx computes features every 10 ms. */
const FRAMES_PER_SECOND = 100;

/** Fillers and sentence markers the decoder reports alongside words: `<s>`, `<sil>`, `[NOISE]`, `++BREATH++`. */
const NON_WORD = /^(<.*>|\[.*\]|\+\+.*\+\+)$/;

export function pocketSphinxArgs(model: InstalledModel, extra: readonly string[] = []): string[] {
  const { hmm, lm, dict } = model.files;
  if (!hmm || !lm || !dict) throw new Error(`model ${model.name} lacks hmm/lm/dict files`);
  return mergeArgs(["-hmm", hmm, "-lm", lm, "-dict", dict], extra);
}

/**
 * Keyterms enter the dictionary under a marked spelling ("printing~kt"), a word of their own that the language
 * model can weight without touching the word it shadows; the mark comes off in the output.
 */
const KEYTERM_MARK = "~kt";

/** The words among the segments of a hypothesis, timed from frame `base`. */
export function wordsOf(segments: Segment[], base = 0): RecognizedWord[] {
  const words: RecognizedWord[] = [];
  for (const seg of segments) {
    if (NON_WORD.test(seg.word)) continue;
    words.push({
      word: seg.word.replace(/\(\d+\)$/, "").replace(KEYTERM_MARK, ""),
      start: (seg.startFrame - base) / FRAMES_PER_SECOND,
      end: (seg.endFrame + 1 - base) / FRAMES_PER_SECOND,
      confidence: Math.min(1, Math.max(0, seg.probability)),
    });
  }
  return words;
}

/**
 * A keyterm's unigram weight, relative to a uniform distribution over the ~134 k-word vocabulary: 1000 puts it
 * near the probability of a common word (it turned "resulting" into "printing" at the start of LJ001-0001 and
 * inserted nothing into LJ001-0014, which does not say it). An intensifier scales it; zero or less (Deepgram's
 * suppression) leaves the word alone, since a shadow word can only add probability.
 */
const KEYTERM_WEIGHT = 1000;

/** The words of `keyterms` with their weights, the strongest boost per word, in a stable order. */
export function keytermWeights(keyterms: readonly Keyterm[]): Array<[string, number]> {
  const weights = new Map<string, number>();
  for (const { text, boost } of keyterms) {
    if (!(boost > 0)) continue;
    for (const word of keytermWords(text)) weights.set(word, Math.max(weights.get(word) ?? 0, KEYTERM_WEIGHT * boost));
  }
  return [...weights].sort(([a], [b]) => a.localeCompare(b));
}

/** Adds each keyterm word to `decoder` under its marked spelling, pronounced as the dictionary or flite says. */
export function addKeyterms(lib: PocketSphinxLib, decoder: Decoder, weights: ReadonlyArray<[string, number]>): void {
  for (const [word, weight] of weights) {
    const phones = lib.lookupWord(decoder, word) ?? letterToSound(word);
    if (phones) lib.addWord(decoder, `${word}${KEYTERM_MARK}`, phones, weight);
  }
}

/**
 * `extra` over `base`: sphinxbase rejects an argument given twice, so a flag in `extra` replaces its value in
 * `base` instead of being appended.
 */
export function mergeArgs(base: readonly string[], extra: readonly string[]): string[] {
  const merged = [...base];
  for (let i = 0; i + 1 < extra.length; i += 2) {
    const at = merged.findIndex((arg, j) => j % 2 === 0 && arg === extra[i]);
    if (at >= 0) merged[at + 1] = extra[i + 1]!;
    else merged.push(extra[i]!, extra[i + 1]!);
  }
  return merged;
}

/**
 * Raw word posterior → fraction of words right, fitted by bench/src/tune.ts (`--reliability`) on the tuning
 * half of multi-dev and ljspeech-dev; on the held-out half and misc, words it puts at 0.9 or above were right
 * 95 % of the time, and every bin's fraction right was within 0.1 of its confidence. The posterior is about right near 1 but
 * far too low below 0.5: a third of the words at 0.04 were right.
 */
const BATCH_CALIBRATION: CalibrationMap = [
  [0.043, 0.337],
  [0.146, 0.49],
  [0.253, 0.574],
  [0.349, 0.621],
  [0.444, 0.645],
  [0.551, 0.689],
  [0.648, 0.818],
  [0.758, 0.844],
  [0.848, 0.857],
  [0.927, 0.864],
  [0.989, 0.908],
];

/** Words whose confidences are best-path posteriors, with each mapped to the fraction of such words right. */
export function calibrated(words: RecognizedWord[]): RecognizedWord[] {
  return words.map((w) => ({ ...w, confidence: Math.round(calibrate(w.confidence, BATCH_CALIBRATION) * 1000) / 1000 }));
}

export function createPocketSphinxRecognizer(
  model: InstalledModel,
  lib: PocketSphinxLib,
  decoderArgs: readonly string[] = [],
): Recognizer {
  const args = pocketSphinxArgs(model, decoderArgs);
  const decoder = lib.createDecoder(args);
  // Words added to a decoder stay in it, so keyterms get a decoder of their own, kept while the next request
  // asks for the same ones (a new one costs about a second to load) and replaced when it asks for others.
  let boosted: { key: string; decoder: Decoder } | undefined;

  const keytermDecoder = (weights: Array<[string, number]>): Decoder => {
    const key = JSON.stringify(weights);
    if (boosted?.key === key) return boosted.decoder;
    if (boosted) lib.free(boosted.decoder);
    boosted = undefined;
    const fresh = lib.createDecoder(args);
    addKeyterms(lib, fresh, weights);
    boosted = { key, decoder: fresh };
    return fresh;
  };

  // Made on the first request that asks for speaker adaptation: it prepares a copy of the model's files.
  let adapter: Promise<Adapter> | undefined;
  // The folder of the transform that restores the model's means (the decoder transforms the means it loaded
  // from file), written when the first piece is decoded through a transform.
  let restore: string | undefined;

  /**
   * `decode` with the model's means moved by the transform in `path` (narrowband, speaker adaptation), applied
   * and undone in one synchronous step: no other request decodes with it.
   */
  const decodeTransformed = (active: Decoder, pcm: Int16Array, path: string): RecognizedWord[] => {
    if (!restore) {
      restore = mkdtempSync(join(tmpdir(), "earshot-identity-"));
      writeFileSync(join(restore, "identity"), identityTransform(MODEL_STREAMS));
    }
    lib.applyMllr(active, path);
    try {
      return decode(active, pcm);
    } finally {
      lib.applyMllr(active, join(restore, "identity"));
    }
  };

  /**
   * A piece decoded through the model's narrowband transform when it has one and the piece has nothing above
   * telephone bandwidth (audio/bandwidth.ts), whatever rate it arrived at; any other piece as it is.
   */
  const decodePiece = (active: Decoder, pcm: Int16Array): RecognizedWord[] => {
    const narrowband = model.files.narrowband;
    if (!narrowband || !isNarrowband(pcm, RECOGNIZER_SAMPLE_RATE)) return decode(active, pcm);
    return decodeTransformed(active, pcm, narrowband);
  };

  /** The decoder's words for `pcm`, each piece a stream of its own. */
  const decode = (active: Decoder, pcm: Int16Array): RecognizedWord[] => {
    // Each piece is a stream of its own: the front end's noise-removal estimates carry over between utterances
    // of one stream, which made the same audio decode differently depending on what the worker decoded before
    // (jfk.wav: "and when you can do" or "and what you can do"). Whole-utterance mode then lets the front end
    // see all of the audio at once (batch cepstral mean), and keeps frame numbers relative to this call.
    lib.startStream(active);
    lib.startUtt(active);
    lib.processRaw(active, pcm, true);
    lib.endUtt(active);
    return wordsOf(lib.segments(active));
  };

  /**
   * The second pass of speaker adaptation: the piece decoded again with the model's means transformed towards
   * the speaker, as the first pass's words align them; the first pass's words when no transform could be made.
   * The decoder is asked for again after the estimation: while the tools ran, another request's keyterms may
   * have replaced (and freed) the one the first pass used.
   */
  const adapted = async (
    decoderNow: () => Decoder,
    pcm: Int16Array,
    first: RecognizedWord[],
  ): Promise<RecognizedWord[]> => {
    if (!model.files.hmm || !model.files.dict) return first;
    if (!adapter) {
      adapter = createAdapter(model.files.hmm, model.files.dict);
      // A failed set-up (a tool missing) is tried again by the next request that asks.
      adapter.catch(() => {
        adapter = undefined;
      });
    }
    const { adapt } = await adapter;
    const second = await adapt(
      pcm,
      first.map((w) => w.word),
      (transform) => decodeTransformed(decoderNow(), pcm, transform),
    );
    return second ?? first;
  };

  return {
    async recognize(pcm, options) {
      const weights = keytermWeights(options?.keyterms ?? []);
      const decoderNow = () => (weights.length ? keytermDecoder(weights) : decoder);
      const first = decodePiece(decoderNow(), pcm);
      const words = calibrated(options?.adaptSpeaker ? await adapted(decoderNow, pcm, first) : first);
      return options?.keyterms?.length ? { words, keyterms: true } : { words };
    },
    dispose: () => {
      lib.free(decoder);
      if (boosted) lib.free(boosted.decoder);
      if (restore) rmSync(restore, { recursive: true, force: true });
      void adapter?.then(
        (a) => a.dispose(),
        () => {},
      );
    },
  };
}
