/**
 * whisper.cpp's segments as timed words. Decoded with `max_len=1` and `split_on_word`, every segment is one
 * word with token-level timestamps, in centiseconds, and the text as the model wrote it (" Hello,").
 */
import type { RecognizedWord } from "../recognizer.js";

export interface WhisperSegment {
  text: string;
  /** Centiseconds from the start of the audio passed to `full()`. */
  start: number;
  end: number;
}

/**
 * Non-speech annotations whisper emits on silence or noise ("[BLANK_AUDIO]", "(music)", "♪"), which are not
 * words anybody said.
 */
const ANNOTATION = /^(\[.*\]|\(.*\)|♪+|\*.*\*)$/;

/** Spelling for the `word` field: lower case, no punctuation around the word (apostrophes inside stay). */
function bare(text: string): string {
  return text
    .toLowerCase()
    .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "")
    .trim();
}

/**
 * The words of `segments`, clamped into `[0, duration]` and made monotonic (token timestamps can come out a
 * centisecond before the previous token's end). whisper.cpp does not tell this binding token probabilities,
 * so `confidence` is 1 for every word.
 */
export function wordsOfSegments(segments: WhisperSegment[], duration: number): RecognizedWord[] {
  const words: RecognizedWord[] = [];
  let cursor = 0;
  for (const segment of segments) {
    const punctuated = segment.text.trim();
    const word = bare(punctuated);
    if (!word || ANNOTATION.test(punctuated)) continue;
    const start = Math.min(duration, Math.max(cursor, segment.start / 100));
    const end = Math.min(duration, Math.max(start, segment.end / 100));
    cursor = end;
    words.push({ word, start, end, confidence: 1, punctuated_word: punctuated });
  }
  return words;
}
