/**
 * Written, punctuated text as the punctuation model learns from it and as the benchmark scores against it:
 * a list of spoken-form words, each with the mark that follows it and its written casing.
 *
 * Marks fold the way punctuation-restoration work usually folds them (Tilk & Alumäe, "Bidirectional recurrent
 * neural network with attention mechanism for punctuation restoration", 2016): `.` `!` `;` end a sentence,
 * `,` `:` and dashes are commas, `?` stays. Quotes and brackets carry no mark. Hyphenated words split, as a
 * recogniser hears them ("forty-two" → "forty two"), and dotted abbreviations such as "i.e." become letters.
 */
import type { MarkClass } from "./features.js";

export interface WrittenToken {
  /** Lower case, letters, digits and inner apostrophes only: what a recogniser would give (digits aside). */
  word: string;
  /** The word as written, punctuation removed. */
  surface: string;
  /** The mark after this word. */
  mark: MarkClass;
  /** Whether the written text ends a sentence here with `.`, `!` or `?` (not `;`). */
  sentenceEnd: boolean;
}

/** Abbreviations whose full stop is part of the word, not the end of a sentence. */
const ABBREVIATIONS = new Set([
  "mr",
  "mrs",
  "messrs",
  "dr",
  "st",
  "jr",
  "sr",
  "vs",
  "gen",
  "col",
  "capt",
  "hon",
  "rev",
  "etc",
]);

const MARK_STRENGTH: Record<MarkClass, number> = { 0: 0, 1: 1, 2: 2, 3: 3 };

function markOf(punctuation: string): { mark: MarkClass; sentenceEnd: boolean } {
  let mark: MarkClass = 0;
  let sentenceEnd = false;
  const raise = (m: MarkClass): void => {
    if (MARK_STRENGTH[m] > MARK_STRENGTH[mark]) mark = m;
  };
  for (const ch of punctuation) {
    if (ch === "?") {
      raise(3);
      sentenceEnd = true;
    } else if (ch === "." || ch === "!") {
      raise(2);
      sentenceEnd = true;
    } else if (ch === ";") raise(2);
    else if (ch === "," || ch === ":" || ch === "—" || ch === "–") raise(1);
  }
  if (/--/.test(punctuation)) raise(1);
  return { mark, sentenceEnd };
}

const normalize = (surface: string): string => surface.toLowerCase().replace(/[’‘]/g, "'");

/** Split written text into spoken-form tokens with the marks between them. */
export function tokenizeWritten(text: string): WrittenToken[] {
  const tokens: WrittenToken[] = [];
  // Word characters: letters, digits, inner apostrophes, and dots inside abbreviations like "i.e." or "U.S.".
  const wordPattern = /(?:[A-Za-z]\.){2,}|[\p{L}\p{N}]+(?:['’][\p{L}]+)*\.?/gu;
  let last = 0;
  const attach = (between: string): void => {
    const previous = tokens[tokens.length - 1];
    if (!previous) return;
    const { mark, sentenceEnd } = markOf(between);
    if (MARK_STRENGTH[mark] > MARK_STRENGTH[previous.mark]) previous.mark = mark;
    previous.sentenceEnd ||= sentenceEnd;
  };
  for (const match of text.matchAll(wordPattern)) {
    let surface = match[0];
    const between = text.slice(last, match.index);
    last = match.index + surface.length;
    attach(between.replace(/(?<=\p{L})-(?=\p{L})/gu, " "));
    if (/^(?:[A-Za-z]\.){2,}$/.test(surface)) {
      for (const letter of surface.replace(/\./g, "")) {
        tokens.push({ word: letter.toLowerCase(), surface: letter, mark: 0, sentenceEnd: false });
      }
      continue;
    }
    let trailing = "";
    if (surface.endsWith(".")) {
      surface = surface.slice(0, -1);
      if (!ABBREVIATIONS.has(normalize(surface))) trailing = ".";
    }
    const word = normalize(surface).replace(/'+$/, "");
    if (!word) continue;
    tokens.push({ word, surface, mark: 0, sentenceEnd: false });
    if (trailing) attach(trailing);
  }
  attach(text.slice(last));
  return tokens;
}
