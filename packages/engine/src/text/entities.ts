/**
 * Named things in spoken words: people, places and organisations (compromise's lexicon and rules, which work on
 * lower-case text too), by word index. Shared by redaction (`redact=pii|name|location`) and `detect_entities`.
 */
import { compromise } from "./lazy.js";

export type NameLabel = "NAME" | "LOCATION" | "ORGANIZATION";

export interface NamedSpan {
  start: number;
  /** One past the last word. */
  end: number;
  label: NameLabel;
}

/** Names in `words`, as word-index spans; `text` is the words as one string (punctuated if available). */
export function findNames(words: readonly string[], separators?: readonly string[]): NamedSpan[] {
  if (words.length === 0) return [];
  // Character offset where each word starts, in the text handed to compromise.
  const starts: number[] = [];
  let text = "";
  words.forEach((w, i) => {
    starts.push(text.length);
    text += `${w}${separators?.[i] ?? ""} `;
  });
  const wordAt = (offset: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const doc = compromise()(text);
  const found: NamedSpan[] = [];
  const collect = (view: { json(options: object): unknown }, label: NameLabel): void => {
    for (const match of view.json({ offset: true }) as Array<{ offset: { start: number; length: number } }>) {
      const start = wordAt(match.offset.start);
      const end = wordAt(match.offset.start + match.offset.length - 1) + 1;
      if (!found.some((f) => f.start < end && start < f.end)) found.push({ start, end, label });
    }
  };
  collect(doc.people(), "NAME");
  collect(doc.places(), "LOCATION");
  collect(doc.organizations(), "ORGANIZATION");
  return found.sort((a, b) => a.start - b.start);
}
