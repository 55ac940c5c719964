/**
 * A second engine architecture for the plug-in test, written against the engine's public module contract and
 * nothing else: it is not PocketSphinx, has no native code and no model weights. It hears "words" that are
 * voiced bursts at a fixed pitch (test/support/tones.ts makes them): energy finds each burst, autocorrelation
 * its pitch, and the model's vocabulary file names the word for that pitch. Its answers are real measurements
 * of the audio — times to the 10 ms frame — so the test can check what the engine and the server do with them.
 *
 * Plain JavaScript, because pool workers import it as it is (they do not go through the test's compiler).
 * Batch recognition answers with a promise and live finals too, as bindings with their own threads do.
 */
import { readFileSync } from "node:fs";

const RATE = 16_000;
const FRAME = 160;
/** Frame energy (RMS, 16-bit units) above which a frame is voiced. */
const VOICED_RMS = 500;
/** Pitches searched, Hz. */
const MIN_PITCH = 60;
const MAX_PITCH = 400;

/** @typedef {{ word: string; start: number; end: number; confidence: number; punctuated_word?: string }} Word */

/** Voiced runs of frames of at least `minBurst` seconds, as [first sample, end sample). */
function bursts(pcm, minBurst) {
  const spans = [];
  let start = -1;
  const frames = Math.floor(pcm.length / FRAME);
  for (let f = 0; f <= frames; f++) {
    let voiced = false;
    if (f < frames) {
      let sum = 0;
      for (let i = f * FRAME; i < (f + 1) * FRAME; i++) sum += pcm[i] * pcm[i];
      voiced = Math.sqrt(sum / FRAME) > VOICED_RMS;
    }
    if (voiced && start < 0) start = f;
    if (!voiced && start >= 0) {
      if ((f - start) * FRAME >= minBurst * RATE) spans.push([start * FRAME, f * FRAME]);
      start = -1;
    }
  }
  return spans;
}

/** The pitch of a voiced span by normalised autocorrelation over its middle half, Hz. */
function pitchOf(pcm, from, to) {
  const quarter = Math.floor((to - from) / 4);
  const x = pcm.subarray(from + quarter, to - quarter);
  let best = 0;
  let bestLag = 0;
  for (let lag = Math.floor(RATE / MAX_PITCH); lag <= Math.ceil(RATE / MIN_PITCH); lag++) {
    let dot = 0;
    let energy = 0;
    for (let i = 0; i + lag < x.length; i++) {
      dot += x[i] * x[i + lag];
      energy += x[i + lag] * x[i + lag];
    }
    const score = energy > 0 ? dot / energy : 0;
    // The first clear peak, not a multiple of the period (which correlates as well).
    if (score > best * 1.05) {
      best = score;
      bestLag = lag;
    }
  }
  return bestLag ? RATE / bestLag : 0;
}

/** Words for the bursts of `pcm`; `complete` leaves out a burst still sounding at the end. */
function wordsOf(pcm, vocabulary, { minBurst, punctuate }, complete) {
  const spans = bursts(pcm, minBurst).filter(([, end]) => !complete || end < pcm.length - 3 * FRAME);
  const words = spans.map(([from, to]) => {
    const pitch = pitchOf(pcm, from, to);
    const [nearest] = vocabulary
      .map((entry) => ({ ...entry, distance: Math.abs(Math.log2(pitch / entry.pitch)) }))
      .sort((a, b) => a.distance - b.distance);
    return {
      word: nearest.word,
      start: from / RATE,
      end: to / RATE,
      confidence: Math.round(Math.max(0, 1 - 4 * nearest.distance) * 1000) / 1000,
    };
  });
  if (!punctuate) return words;
  return words.map((w, i) => {
    const cased = i === 0 ? w.word[0].toUpperCase() + w.word.slice(1) : w.word;
    return { ...w, punctuated_word: i === words.length - 1 ? `${cased}.` : cased };
  });
}

function load(model, context) {
  const table = JSON.parse(readFileSync(model.files.vocabulary, "utf8"));
  const vocabulary = Object.entries(table).map(([pitch, word]) => ({ pitch: Number(pitch), word }));
  const settings = { minBurst: context.options?.minBurst ?? 0.05, punctuate: model.capabilities.punctuation };
  return { vocabulary, settings };
}

/** @type {import("@earshot/engine").ArchitectureModule["createRecognizer"]} */
export function createRecognizer(model, context) {
  const { vocabulary, settings } = load(model, context);
  return {
    recognize: async (pcm) => ({ words: wordsOf(pcm, vocabulary, settings, false) }),
    dispose() {},
  };
}

/** @type {NonNullable<import("@earshot/engine").ArchitectureModule["createLiveDecoder"]>} */
export function createLiveDecoder(model, context) {
  const { vocabulary, settings } = load(model, context);
  /** @type {Int16Array[]} */
  let heard = [];
  const utterance = () => {
    const pcm = new Int16Array(heard.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const piece of heard) {
      pcm.set(piece, offset);
      offset += piece.length;
    }
    heard = [pcm];
    return pcm;
  };
  return {
    start() {
      heard = [];
    },
    feed(pcm) {
      heard.push(pcm.slice());
    },
    partial: () => wordsOf(utterance(), vocabulary, settings, true),
    finish: async () => wordsOf(utterance(), vocabulary, settings, false),
    dispose() {},
  };
}
