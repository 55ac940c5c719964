/**
 * Words from sherpa-onnx's tokens. Sentencepiece tokens start a word with "▁" (BPE models) and whisper's
 * with a space; a token without either continues the word before it. Each token carries its start time; a
 * word ends where the next begins, or `duration` after its last token when the model reports durations.
 */

import type { RecognizerResult } from "sherpa-onnx-node";
import type { RecognizedWord } from "../recognizer.js";

/** Length given to the last token of an utterance when the model reports no durations, seconds. */
const LAST_TOKEN = 0.2;

export function wordsOfTokens(result: RecognizerResult, offset = 0): RecognizedWord[] {
  const words: RecognizedWord[] = [];
  let current: { text: string; start: number; end: number } | undefined;
  const flush = (): void => {
    const text = current?.text.trim();
    if (current && text) {
      words.push({ word: text.toLowerCase(), start: current.start - offset, end: current.end - offset, confidence: 1 });
    }
    current = undefined;
  };
  result.tokens.forEach((token, i) => {
    const start = result.timestamps[i] ?? current?.end ?? 0;
    const end =
      result.durations?.[i] !== undefined
        ? start + result.durations[i]!
        : (result.timestamps[i + 1] ?? start + LAST_TOKEN);
    if (/^[▁\s]/.test(token) || !current) {
      flush();
      current = { text: token.replace(/^[▁\s]+/, ""), start, end };
    } else {
      current.text += token;
      current.end = end;
    }
  });
  flush();
  return words;
}
