/**
 * The text stage after recognition: one channel's timed, lower-case, unpunctuated words in, Deepgram-shaped
 * words out. It runs for every engine; an engine that already punctuates would declare it and skip this.
 *
 * Order: drop fillers → dictation commands → punctuation (model.ts, with pauses when words are timed) →
 * numbers, dates, money… (itn/spans.ts) → casing → redaction → profanity.
 *
 * Shapes, as Deepgram documents them:
 * - with `punctuate`/`smart_format`, every word gets `punctuated_word` (cased, with its trailing mark) and `word`
 *   stays as spoken; a formatted token ("1465", "$5.50", "June 14, 1800") is one word whose `word` is the spoken
 *   words joined, whose times span them, and whose confidence is their lowest;
 * - without punctuation, there is no `punctuated_word`, so `numerals` writes its digits into `word`;
 * - a redacted span becomes one word `[SSN_1]`, `[CREDIT_CARD_2]`… (entity type and how many of that type so
 *   far) in both `word` and `punctuated_word`, so nothing redacted survives in the words or the transcript;
 * - `profanity_filter` masks a word letter for letter with `*`;
 * - fillers "uh" and "um" are dropped unless `filler_words=true`.
 */
import type { Entity, ListenOptions, Word } from "@earshot/protocol";
import type { RecognizedWord } from "../recognizer.js";
import { findNames, type NameLabel } from "./entities.js";
import { digitOf } from "./itn/numbers.js";
import { findSpans, type Span, type SpanKind, unitAbbreviation } from "./itn/spans.js";
import { profanityMatcher } from "./lazy.js";
import { MARKS } from "./punctuate/features.js";
import { caseWord, predictMarks } from "./punctuate/model.js";
import { carriedLabels, transcriptOf } from "./words.js";

/** The listen options this stage reads; pass the parsed query as it is. */
export type FormatOptions = Partial<
  Pick<
    ListenOptions,
    | "punctuate"
    | "smart_format"
    | "numerals"
    | "measurements"
    | "dictation"
    | "filler_words"
    | "profanity_filter"
    | "redact"
    | "detect_entities"
  >
>;

/** A sentence as a range of output word indices, for paragraphs and utterances. */
export interface SentenceRange {
  /** First word. */
  start: number;
  /** One past the last word. */
  end: number;
}

export interface FormattedWords {
  words: Word[];
  transcript: string;
  /** Sentences in order, covering every word; empty when nothing was punctuated. */
  sentences: SentenceRange[];
  /** With `detect_entities`: `alternatives[].entities`, indexing `words`. */
  entities?: Entity[];
}

/** Fillers Deepgram drops unless `filler_words=true`. */
const FILLERS = new Set(["uh", "um"]);

/** Spoken dictation commands and the text they become. */
const DICTATION: Array<[string[], string]> = [
  [["question", "mark"], "?"],
  [["exclamation", "mark"], "!"],
  [["exclamation", "point"], "!"],
  [["full", "stop"], "."],
  [["new", "paragraph"], "\n\n"],
  [["new", "line"], "\n"],
  [["period"], "."],
  [["comma"], ","],
  [["colon"], ":"],
  [["semicolon"], ";"],
];

/** Every value `redact` accepts, and the entity labels each one redacts. */
export const REDACTION_LABELS: Record<string, readonly string[]> = {
  pci: ["CREDIT_CARD", "CREDIT_CARD_EXPIRATION", "CVV"],
  ssn: ["SSN"],
  pii: ["NAME", "LOCATION", "SSN", "PHONE_NUMBER", "EMAIL_ADDRESS", "CREDIT_CARD"],
  numbers: ["NUMBER", "SSN", "CREDIT_CARD", "PHONE_NUMBER", "DATE"],
  true: ["NUMBER", "SSN", "CREDIT_CARD", "PHONE_NUMBER", "DATE"],
  aggressive_numbers: ["NUMBER", "SSN", "CREDIT_CARD", "PHONE_NUMBER", "DATE", "SMALL_NUMBER"],
  credit_card: ["CREDIT_CARD"],
  credit_card_expiration: ["CREDIT_CARD_EXPIRATION"],
  cvv: ["CVV"],
  phone_number: ["PHONE_NUMBER"],
  email_address: ["EMAIL_ADDRESS"],
  name: ["NAME"],
  location: ["LOCATION"],
  organization: ["ORGANIZATION"],
  url: ["URL"],
  date: ["DATE"],
};

/** `redact` values this stage does not know (the caller's 400). */
export const unknownRedactions = (values: readonly string[]): string[] =>
  values.filter((v) => !(v.toLowerCase() in REDACTION_LABELS));

const SENTENCE_END = new Set([".", "?", "!", "\n\n"]);

interface Piece {
  /** Word indices [from, to) in the filtered input. */
  from: number;
  to: number;
  /** Text before casing and marks. */
  text: string;
  /** Set when `text` is a written form that keeps its own casing (digits, "June 14"). */
  formatted: boolean;
  mark: string;
  redactedAs?: string;
}

export function formatWords(input: readonly RecognizedWord[], options: FormatOptions): FormattedWords {
  // Deepgram turns punctuation on for smart formatting and for entity detection.
  const punctuating = Boolean(options.punctuate || options.smart_format || options.detect_entities);
  const kept = options.filler_words ? [...input] : input.filter((w) => !FILLERS.has(w.word));

  // Dictation commands leave the word list and become the mark after the word before them.
  const words: RecognizedWord[] = [];
  const forced = new Map<number, string>();
  for (let i = 0; i < kept.length; i++) {
    const command = punctuating && options.dictation ? dictationAt(kept, i) : undefined;
    if (command) {
      if (words.length > 0) forced.set(words.length - 1, command.text);
      i += command.length - 1;
      continue;
    }
    words.push(kept[i]!);
  }
  const spoken = words.map((w) => w.word);

  const marks: string[] = spoken.map(() => "");
  if (punctuating) {
    const timed = words.some((w) => w.end > w.start);
    const pauses = timed
      ? words.map((w, i) => (i + 1 < words.length ? words[i + 1]!.start - w.end : undefined))
      : undefined;
    predictMarks(spoken, pauses).forEach((m, i) => {
      marks[i] = MARKS[m];
    });
  }
  // Digits read one by one are one number ("five five five, two two one" is a model error, not a pause).
  for (let i = 0; i + 1 < spoken.length; i++) {
    if (digitOf(spoken[i]!) !== undefined && digitOf(spoken[i + 1]!) !== undefined) marks[i] = "";
  }
  for (const [i, text] of forced) marks[i] = text;

  const redactLabels = new Set((options.redact ?? []).flatMap((v) => REDACTION_LABELS[v.toLowerCase()] ?? []));
  const needSpans =
    options.smart_format ||
    options.numerals ||
    options.measurements ||
    options.detect_entities ||
    redactLabels.size > 0;
  const spans = needSpans ? findSpans(spoken, marks.map(Boolean), { measurements: options.measurements ?? false }) : [];
  const labelled = redactLabels.size > 0 ? redactionSpans(spoken, marks, spans, redactLabels) : [];

  const pieces = piecesOf(spoken, marks, spans, labelled, options);
  if (punctuating) applyCasing(pieces);
  numberRedactions(pieces);

  const out: Word[] = pieces.map((p) => {
    const covered = words.slice(p.from, p.to);
    const spokenText = p.redactedAs ?? covered.map((w) => w.word).join(" ");
    const masked = options.profanity_filter && !p.redactedAs && !p.formatted ? maskProfanity(p.text) : p.text;
    const word: Word = {
      word: punctuating || p.redactedAs ? maskWhenProfane(spokenText, options) : masked,
      start: covered[0]!.start,
      end: covered[covered.length - 1]!.end,
      confidence: Math.min(...covered.map((w) => w.confidence)),
      ...carriedLabels(covered),
    };
    if (punctuating) word.punctuated_word = masked + p.mark;
    return word;
  });
  const result: FormattedWords = {
    words: out,
    transcript: transcriptOf(out),
    sentences: sentenceRanges(pieces, punctuating),
  };
  if (options.detect_entities) result.entities = entitiesOf(spoken, marks, spans, pieces, out);
  return result;
}

const ENTITY_LABELS: Record<SpanKind, string> = {
  cardinal: "CARDINAL",
  ordinal: "ORDINAL",
  year: "DATE",
  decimal: "CARDINAL",
  date: "DATE",
  time: "TIME",
  money: "MONEY",
  percent: "PERCENT",
  measure: "QUANTITY",
  digits: "NUMBER",
  phone: "PHONE_NUMBER",
  ssn: "SSN",
  card: "CREDIT_CARD",
  email: "EMAIL_ADDRESS",
  url: "URL",
};

/**
 * Entities over the output words: numbers, dates, money… from the spans, and people, places and organisations
 * from the names; `value` is the text as output, `raw_value` the words as spoken.
 */
function entitiesOf(
  spoken: readonly string[],
  marks: readonly string[],
  spans: readonly Span[],
  pieces: readonly Piece[],
  words: readonly Word[],
): Entity[] {
  const pieceOf = (wordIndex: number): number => pieces.findIndex((p) => p.from <= wordIndex && wordIndex < p.to);
  const found: Array<{ start: number; end: number; label: string }> = [
    ...spans.map((s) => ({ start: s.start, end: s.end, label: ENTITY_LABELS[s.kind] })),
    ...findNames(spoken, marks),
  ];
  const entities: Entity[] = [];
  for (const f of found.sort((a, b) => a.start - b.start)) {
    const first = pieceOf(f.start);
    const last = pieceOf(f.end - 1);
    if (first < 0 || last < 0 || pieces[first]!.redactedAs) continue;
    const covered = words.slice(first, last + 1);
    entities.push({
      label: f.label,
      value: covered.map((w) => (w.punctuated_word ?? w.word).replace(/[.,?!:;]+$/, "")).join(" "),
      raw_value: spoken.slice(f.start, f.end).join(" "),
      confidence: Math.min(...covered.map((w) => w.confidence)),
      start_word: first,
      end_word: last + 1,
    });
  }
  return entities;
}

function dictationAt(words: readonly RecognizedWord[], i: number): { text: string; length: number } | undefined {
  for (const [command, text] of DICTATION) {
    if (command.every((c, k) => words[i + k]?.word === c)) return { text, length: command.length };
  }
  return undefined;
}

/** Words and spans → pieces: one per formatted or redacted span, one per other word. */
function piecesOf(
  spoken: readonly string[],
  marks: readonly string[],
  spans: readonly Span[],
  labelled: readonly LabelledSpan[],
  options: FormatOptions,
): Piece[] {
  const pieces: Piece[] = [];
  const spanAt = new Map(spans.map((s) => [s.start, s]));
  const labelAt = new Map(labelled.map((s) => [s.start, s]));
  for (let i = 0; i < spoken.length; ) {
    const redacted = labelAt.get(i);
    if (redacted) {
      pieces.push({
        from: i,
        to: redacted.end,
        text: "",
        formatted: true,
        mark: marks[redacted.end - 1]!,
        redactedAs: redacted.label,
      });
      i = redacted.end;
      continue;
    }
    const span = spanAt.get(i);
    const written = span ? writtenForm(span, options) : undefined;
    if (span && written !== undefined && !labelled.some((l) => l.start < span.end && span.start < l.end)) {
      if (Array.isArray(written)) {
        // Digit runs under `numerals` stay one word per digit, as Deepgram writes them ("9 2 8 4").
        written.forEach((text, k) => {
          pieces.push({ from: i + k, to: i + k + 1, text, formatted: true, mark: marks[i + k]! });
        });
      } else {
        pieces.push({ from: i, to: span.end, text: written, formatted: true, mark: marks[span.end - 1]! });
      }
      i = span.end;
      continue;
    }
    const previous = spanAt.get(i - 1) ?? spans.find((s) => s.end === i);
    const unit = options.measurements && previous?.kind === "measure" ? unitAbbreviation(spoken[i]) : undefined;
    pieces.push({ from: i, to: i + 1, text: unit ?? spoken[i]!, formatted: unit !== undefined, mark: marks[i]! });
    i++;
  }
  return pieces;
}

const DIGIT_RUNS = new Set<SpanKind>(["digits", "phone", "ssn", "card"]);

/** A span's written form under the options, a list of words for digit runs under `numerals`, or nothing. */
function writtenForm(span: Span, options: FormatOptions): string | string[] | undefined {
  if (options.smart_format) return span.smart;
  if (options.numerals) {
    if (DIGIT_RUNS.has(span.kind)) return span.digits.split("");
    return span.numeral;
  }
  if (options.measurements && span.kind === "measure") return span.numeral;
  return undefined;
}

function applyCasing(pieces: Piece[]): void {
  let sentenceStart = true;
  for (const p of pieces) {
    if (!p.redactedAs) {
      if (p.formatted) {
        // Addresses keep their case ("john.smith@gmail.com" even at the start of a sentence).
        if (sentenceStart && /^[a-z]/.test(p.text) && !/[@.]/.test(p.text)) {
          p.text = p.text[0]!.toUpperCase() + p.text.slice(1);
        }
      } else p.text = caseWord(p.text, sentenceStart);
    }
    sentenceStart = SENTENCE_END.has(p.mark);
  }
}

interface LabelledSpan {
  start: number;
  end: number;
  label: string;
}

const SPAN_LABELS: Partial<Record<SpanKind, string>> = {
  card: "CREDIT_CARD",
  ssn: "SSN",
  phone: "PHONE_NUMBER",
  email: "EMAIL_ADDRESS",
  url: "URL",
  date: "DATE",
};
const CVV_CUES = [["cvv"], ["c", "v", "v"], ["cvc"], ["security", "code"], ["verification", "code"]];
const EXPIRY_CUES = [["expiration"], ["expiry"], ["expires"], ["exp"]];

/** Spans to redact, with their entity labels, restricted to the labels asked for. */
function redactionSpans(
  spoken: readonly string[],
  marks: readonly string[],
  spans: readonly Span[],
  wanted: ReadonlySet<string>,
): LabelledSpan[] {
  const cueBefore = (start: number, cues: string[][]): boolean => {
    for (let k = Math.max(0, start - 6); k < start; k++) {
      if (cues.some((cue) => cue.every((c, j) => spoken[k + j] === c))) return true;
    }
    return false;
  };
  const out: LabelledSpan[] = [];
  for (const span of spans) {
    let label = SPAN_LABELS[span.kind];
    if (!label && span.digits && cueBefore(span.start, CVV_CUES) && span.digits.length >= 3 && span.digits.length <= 4)
      label = "CVV";
    if (!label && span.digits && cueBefore(span.start, EXPIRY_CUES)) label = "CREDIT_CARD_EXPIRATION";
    if (label && wanted.has(label)) {
      out.push({ start: span.start, end: span.end, label });
      continue;
    }
    if (!span.digits || span.kind === "email" || span.kind === "url") continue;
    const longEnough = span.digits.length >= 3 || span.kind === "year" || span.kind === "money";
    if (wanted.has("SMALL_NUMBER") || (wanted.has("NUMBER") && longEnough)) {
      out.push({ start: span.start, end: span.end, label: label ?? "NUMBER" });
    }
  }
  const nameLabels: NameLabel[] = ["NAME", "LOCATION", "ORGANIZATION"];
  if (nameLabels.some((l) => wanted.has(l))) {
    for (const name of findNames(spoken, marks)) {
      if (wanted.has(name.label) && !out.some((s) => s.start < name.end && name.start < s.end)) out.push(name);
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** `[SSN_1]`, `[SSN_2]`…: each label counted in order of appearance. */
function numberRedactions(pieces: Piece[]): void {
  const counts = new Map<string, number>();
  for (const p of pieces) {
    if (!p.redactedAs) continue;
    const n = (counts.get(p.redactedAs) ?? 0) + 1;
    counts.set(p.redactedAs, n);
    p.redactedAs = `[${p.redactedAs}_${n}]`;
    p.text = p.redactedAs;
  }
}

function maskProfanity(text: string): string {
  return profanityMatcher().hasMatch(text) ? text.replace(/[^\s]/g, "*") : text;
}

function maskWhenProfane(text: string, options: FormatOptions): string {
  if (!options.profanity_filter || text.startsWith("[")) return text;
  return text
    .split(" ")
    .map((w) => maskProfanity(w))
    .join(" ");
}

/** Sentence ranges from the marks; none when nothing was punctuated (paragraphs then fall back to pauses). */
function sentenceRanges(pieces: readonly Piece[], punctuating: boolean): SentenceRange[] {
  if (!punctuating) return [];
  const ranges: SentenceRange[] = [];
  let start = 0;
  pieces.forEach((p, i) => {
    if (i === pieces.length - 1 || SENTENCE_END.has(p.mark)) {
      ranges.push({ start, end: i + 1 });
      start = i + 1;
    }
  });
  return ranges;
}
