/**
 * The text stage as every surface runs it (pre-recorded responses, jobs, Gladia, live results): one channel's
 * recognised words and the request's options in, the words to send out, with the sentences paragraphs are
 * built from and the entities `detect_entities` reports.
 *
 * It runs only when an option asks for it, so a plain request returns the recogniser's words untouched. A model
 * that punctuates by itself (`capabilities.punctuation`) keeps its own output for `punctuate`; any other
 * formatting option still runs the stage, which then formats the spoken words itself.
 */
import type { Entity, Word } from "@earshot/protocol";
import type { RecognizedWord } from "../recognizer.js";
import { type FormatOptions, formatWords, type SentenceRange } from "./format.js";
import { applyReplacements } from "./words.js";

export interface StagedWords {
  words: Word[];
  /** Sentences over `words` for paragraphs; empty when nothing was punctuated (paragraphs then use pauses). */
  sentences: SentenceRange[];
  entities?: Entity[];
}

/** Options that only this stage serves; `punctuate` alone is left to a model that punctuates. */
const STAGE_ONLY: ReadonlyArray<keyof FormatOptions> = [
  "smart_format",
  "numerals",
  "measurements",
  "dictation",
  "filler_words",
  "profanity_filter",
  "redact",
  "detect_entities",
];

const isOn = (value: unknown): boolean =>
  value !== undefined && value !== false && !(Array.isArray(value) && !value.length);

/** Whether `options` ask the text stage for anything, given whether the model punctuates by itself. */
export function needsTextStage(options: FormatOptions, modelPunctuates = false): boolean {
  if (STAGE_ONLY.some((key) => isOn(options[key]))) return true;
  return Boolean(options.punctuate) && !modelPunctuates;
}

export function runTextStage(
  input: readonly RecognizedWord[],
  options: FormatOptions,
  modelPunctuates = false,
): StagedWords {
  if (!needsTextStage(options, modelPunctuates)) {
    return { words: input.map((w) => ({ ...w })), sentences: sentenceRangesOf(input) };
  }
  const formatted = formatWords(input, options);
  const staged: StagedWords = { words: formatted.words, sentences: formatted.sentences };
  if (formatted.entities) staged.entities = formatted.entities;
  return staged;
}

/**
 * `replace=find:replacement` on staged words. Replacements may merge words, so sentences are recomputed from
 * the marks and entities, whose indices would no longer hold, are dropped.
 */
export function replaceStaged(staged: StagedWords, pairs: readonly string[] | undefined): StagedWords {
  if (!pairs?.length) return staged;
  const words = applyReplacements(staged.words, [...pairs]);
  if (words.length === staged.words.length && words.every((w, i) => w === staged.words[i])) return staged;
  return { words, sentences: sentenceRangesOf(words) };
}

/** Sentences from words' own punctuation (`punctuated_word` ending `.`, `?` or `!`); none when unpunctuated. */
export function sentenceRangesOf(words: ReadonlyArray<Pick<Word, "punctuated_word">>): SentenceRange[] {
  if (!words.some((w) => w.punctuated_word !== undefined)) return [];
  const ranges: SentenceRange[] = [];
  let start = 0;
  words.forEach((w, i) => {
    if (i === words.length - 1 || /[.?!]["')\]]*$|\n$/.test(w.punctuated_word ?? "")) {
      ranges.push({ start, end: i + 1 });
      start = i + 1;
    }
  });
  return ranges;
}
