/**
 * LocalAgreement-2 (Macháček et al., "Turning Whisper into Real-Time Transcription System", 2023): a batch
 * model serves live audio by re-decoding the open utterance; a word is committed once two consecutive passes
 * agree on it and on every word before it. Committed words never change afterwards.
 */
import type { RecognizedWord } from "../recognizer.js";

/** How many leading words `previous` and `current` agree on (same spelling, in order). */
export function agreedPrefix(previous: readonly RecognizedWord[], current: readonly RecognizedWord[]): number {
  let n = 0;
  while (n < previous.length && n < current.length && previous[n]!.word === current[n]!.word) n++;
  return n;
}
