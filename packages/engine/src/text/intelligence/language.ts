/**
 * Language of a text, for `/v1/read` (`metadata.language`) and text-level checks: tinyld (MIT, pure
 * JavaScript, its trigram profiles inside the package) returns ISO 639-1 codes, the form Deepgram reports.
 */
import { detect } from "tinyld";

/** Two-letter language code of `text`; `fallback` when the text is too short or unclear. */
export function detectTextLanguage(text: string, fallback = "en"): string {
  return detect(text) || fallback;
}
