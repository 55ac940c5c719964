/**
 * What the punctuation model sees at each gap between two spoken words. Training (on written text) and
 * inference (on recognised words) call the same code, so a feature means the same thing on both sides.
 *
 * Features are strings hashed into a fixed table (FNV-1a), so the weights file holds no vocabulary: it is a
 * dense table of small integers, read once.
 */

/** What follows a word: the classes the model predicts. */
export const MARKS = ["", ",", ".", "?"] as const;
export type Mark = (typeof MARKS)[number];

/** Index of a mark in {@link MARKS}. 0 (nothing) is the reference class: its logit is always 0. */
export type MarkClass = 0 | 1 | 2 | 3;

export const START = "<s>";
export const END = "</s>";

/** 32-bit FNV-1a over UTF-16 code units. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Runs of words are bucketed so that "13 words since the last full stop" and "14" share a weight. */
function lengthBin(n: number): string {
  if (n < 3) return String(n);
  if (n < 6) return "3-5";
  if (n < 10) return "6-9";
  if (n < 15) return "10-14";
  if (n < 25) return "15-24";
  return "25+";
}

/**
 * Feature names for the gap after `words[i]`. `sinceMark` and `sinceStop` count the words since the previous
 * mark of any kind and since the previous full stop or question mark: gold marks in training, the model's own
 * decisions (left to right) at inference.
 */
export function gapFeatures(words: readonly string[], i: number, sinceMark: number, sinceStop: number): string[] {
  const at = (k: number): string => (k < 0 ? START : k >= words.length ? END : words[k]!);
  const p2 = at(i - 2);
  const p1 = at(i - 1);
  const w0 = at(i);
  const n1 = at(i + 1);
  const n2 = at(i + 2);
  // The sentence's first words: "what", "do you", "can we" make the stop at its end a question mark.
  const f1 = at(i - sinceStop + 1);
  const f2 = sinceStop > 1 ? at(i - sinceStop + 2) : END;
  const m = lengthBin(sinceMark);
  const s = lengthBin(sinceStop);
  return [
    "b",
    `w0=${w0}`,
    `p1=${p1}`,
    `p2=${p2}`,
    `n1=${n1}`,
    `n2=${n2}`,
    `p1w0=${p1}|${w0}`,
    `w0n1=${w0}|${n1}`,
    `n1n2=${n1}|${n2}`,
    `p2p1w0=${p2}|${p1}|${w0}`,
    `p1w0n1=${p1}|${w0}|${n1}`,
    `w0n1n2=${w0}|${n1}|${n2}`,
    `sfx0=${w0.slice(-3)}`,
    `sfxn1=${n1.slice(-3)}`,
    `m=${m}`,
    `s=${s}`,
    `s|n1=${s}|${n1}`,
    `m|n1=${m}|${n1}`,
    `f1=${f1}`,
    `f1f2=${f1}|${f2}`,
    `f1|n1=${f1}|${n1}`,
  ];
}

/** Hashed feature indices into a table of `1 << bits` rows. */
export function hashFeatures(features: readonly string[], bits: number): Uint32Array {
  const mask = (1 << bits) - 1;
  const out = new Uint32Array(features.length);
  for (let k = 0; k < features.length; k++) out[k] = fnv1a(features[k]!) & mask;
  return out;
}
