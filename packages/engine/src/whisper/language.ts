/** Which language a whisper decode is asked for, from a request's `language` and `detect_language`. */
import type { RecognizeOptions } from "../recognizer.js";

export function whisperLanguage(multilingual: boolean, options: RecognizeOptions = {}): string {
  // An English-only model (`*.en`) has no language tokens to choose from.
  if (!multilingual) return "en";
  if (options.detectLanguage || !options.language) return "auto";
  return options.language.split("-")[0]!.toLowerCase();
}
