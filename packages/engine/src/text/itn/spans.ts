/**
 * Inverse text normalisation over spoken words: finds the runs of words that are one written thing — a year, a
 * date, a sum of money, a time, a phone number, an e-mail address — and says how to write each. A span never
 * crosses a gap where punctuation was decided (so "fourteen sixty nine, fourteen seventy" stays two years), and
 * it keeps its word indices, so the formatted token can span the timings of the words it came from.
 *
 * Written forms follow Deepgram's documented examples: "8:37 PM", "November 2, 2022", "$1,000,000", "33 g"
 * (measurements), numerals without separators below 10,000. With smart formatting, cardinals below ten stay
 * words when nothing around them asks for digits ("three only", "one of the"); `numerals` alone writes every
 * number as digits and reads digit runs digit by digit ("9 2 8 4"), as Deepgram's numerals feature does.
 */
import { digitOf, groupThousands, ordinalSuffix, parseDigitRun, parseNumber, parseYear } from "./numbers.js";

export type SpanKind =
  | "cardinal"
  | "ordinal"
  | "year"
  | "decimal"
  | "date"
  | "time"
  | "money"
  | "percent"
  | "measure"
  | "digits"
  | "phone"
  | "ssn"
  | "card"
  | "email"
  | "url";

export interface Span {
  /** First word index. */
  start: number;
  /** One past the last word index. */
  end: number;
  kind: SpanKind;
  /** Written form under `smart_format`; `undefined` keeps the spoken words. */
  smart: string | undefined;
  /** Written form under `numerals` alone; `undefined` keeps the spoken words. */
  numeral: string | undefined;
  /** The digits the span stands for (for redaction), empty for e-mail addresses and URLs. */
  digits: string;
}

export interface SpanOptions {
  /** Abbreviate units after numbers ("33 grams" → "33 g"), Deepgram's `measurements`. */
  measurements?: boolean;
}

const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
const capitalise = (w: string): string => w[0]!.toUpperCase() + w.slice(1);

const UNITS: Record<string, string> = {
  milligram: "mg",
  centigram: "cg",
  gram: "g",
  kilogram: "kg",
  milliliter: "ml",
  millilitre: "ml",
  centiliter: "cl",
  centilitre: "cl",
  liter: "l",
  litre: "l",
  kiloliter: "kl",
  kilolitre: "kl",
  millimeter: "mm",
  millimetre: "mm",
  centimeter: "cm",
  centimetre: "cm",
  meter: "m",
  metre: "m",
  kilometer: "km",
  kilometre: "km",
};
const unitOf = (word: string | undefined): string | undefined =>
  word === undefined ? undefined : (UNITS[word] ?? UNITS[word.replace(/s$/, "")]);

const CURRENCIES: Record<string, string> = {
  dollar: "$",
  dollars: "$",
  bucks: "$",
  pound: "£",
  pounds: "£",
  euro: "€",
  euros: "€",
};
const TLDS = new Set(["com", "org", "net", "edu", "gov", "io", "co", "uk", "us", "ai", "dev", "info", "biz"]);
/** Words that are not the local part of an e-mail address even before "at" ("look at google dot com"). */
const NOT_LOCAL = new Set(
  "look looking looked arrive arrived arriving stay stayed staying meet meeting aim aimed stare staring point pointed laugh laughing is was be been am are were me us him her them it this that there here at and or but good bad best least most all".split(
    " ",
  ),
);

type Parsed = { value: number; length: number; ordinal: boolean; fraction?: string | undefined };

/** Spans found left to right; `breaks[i]` is true where a mark follows word i. */
export function findSpans(words: readonly string[], breaks: readonly boolean[], options: SpanOptions = {}): Span[] {
  const spans: Span[] = [];
  /** Whether words i..i+length-1 can form one span (no mark inside it). */
  const joinable = (i: number, length: number): boolean => {
    for (let k = i; k < i + length - 1; k++) if (breaks[k]) return false;
    return i + length <= words.length;
  };
  let i = 0;
  while (i < words.length) {
    const span = spanAt(words, i, joinable, options);
    if (span) {
      spans.push(span);
      i = span.end;
    } else i++;
  }
  return spans;
}

function numberText(n: Parsed, grouped: boolean): string {
  if (n.ordinal) return ordinalSuffix(n.value);
  const whole = grouped ? groupThousands(n.value) : String(n.value);
  return n.fraction ? `${whole}.${n.fraction}` : whole;
}

function spanAt(
  words: readonly string[],
  i: number,
  joinable: (i: number, length: number) => boolean,
  options: SpanOptions,
): Span | undefined {
  const make = (
    length: number,
    kind: SpanKind,
    smart: string | undefined,
    numeral: string | undefined,
    digits = "",
  ) => ({
    start: i,
    end: i + length,
    kind,
    smart,
    numeral,
    digits,
  });

  const address = emailOrUrlAt(words, i, joinable);
  if (address) return make(address.length, address.kind, address.text, undefined);

  // Dates led by the month: "june fourteenth [eighteen hundred]".
  const month = MONTHS.indexOf(words[i] ?? "");
  if (month >= 0) {
    const day = parseNumber(words, i + 1);
    // "may" and "march" are also ordinary words: as months they need an ordinal day ("may fifth").
    const ambiguous = words[i] === "may" || words[i] === "march";
    if (
      day &&
      day.value >= 1 &&
      day.value <= 31 &&
      !day.fraction &&
      (day.ordinal || !ambiguous) &&
      joinable(i, 1 + day.length)
    ) {
      let length = 1 + day.length;
      let text = `${capitalise(words[i]!)} ${day.value}`;
      const year = yearAt(words, i + length);
      if (year && joinable(i, length + year.length)) {
        text += `, ${year.value}`;
        length += year.length;
      }
      return make(length, "date", text, undefined, String(day.value));
    }
  }

  const run = parseDigitRun(words, i);
  if (run && joinable(i, run.length)) {
    const numeral = run.digits.split("").join(" ");
    const d = run.digits;
    if (d.length === 10)
      return make(run.length, "phone", `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`, numeral, d);
    if (d.length === 11 && d[0] === "1") {
      return make(run.length, "phone", `1-${d.slice(1, 4)}-${d.slice(4, 7)}-${d.slice(7)}`, numeral, d);
    }
    if (d.length === 7) return make(run.length, "phone", `${d.slice(0, 3)}-${d.slice(3)}`, numeral, d);
    if (d.length === 9) return make(run.length, "ssn", `${d.slice(0, 3)}-${d.slice(3, 5)}-${d.slice(5)}`, numeral, d);
    if (d.length >= 13 && d.length <= 19) {
      return make(run.length, "card", d.replace(/(\d{4})(?=\d)/g, "$1 "), numeral, d);
    }
    return make(run.length, "digits", d, numeral, d);
  }

  const year = yearAt(words, i);
  const number = parseNumber(words, i);
  const parsed = year && (!number || year.length > number.length) ? year : number;
  if (!parsed || !joinable(i, parsed.length)) {
    // A number cut by a mark inside it: take the part before the mark.
    if (parsed) {
      for (let length = parsed.length - 1; length > 0; length--) {
        if (!joinable(i, length)) continue;
        const shorter = parseNumber(words.slice(0, i + length), i);
        if (shorter && shorter.length === length) return numberSpan(words, i, shorter, false, options, make);
      }
    }
    return undefined;
  }
  return numberSpan(words, i, parsed, parsed === year, options, make);
}

function yearAt(words: readonly string[], i: number): Parsed | undefined {
  const year = parseYear(words, i);
  if (year && !year.ordinal) return year;
  const n = parseNumber(words, i);
  return n && !n.ordinal && !n.fraction && n.value >= 1000 && n.value <= 2999 ? n : undefined;
}

type Make = (
  length: number,
  kind: SpanKind,
  smart: string | undefined,
  numeral: string | undefined,
  digits?: string,
) => Span;

/** A number and what follows it: a currency, "percent", a clock time, a unit, a month. */
function numberSpan(
  words: readonly string[],
  i: number,
  n: Parsed,
  isYear: boolean,
  options: SpanOptions,
  make: Make,
): Span {
  const after = i + n.length;
  const next = words[after];
  const plain = numberText(n, false);
  const digits = String(n.value) + (n.fraction ?? "");

  if (!n.ordinal && next !== undefined && next in CURRENCIES) {
    const symbol = CURRENCIES[next]!;
    let length = n.length + 1;
    let text = `${symbol}${numberText(n, true)}`;
    if (words[after + 1] === "and") {
      const cents = parseNumber(words, after + 2);
      if (cents && !cents.ordinal && cents.value < 100 && /^cents?$/.test(words[after + 2 + cents.length] ?? "")) {
        text = `${symbol}${groupThousands(n.value)}.${String(cents.value).padStart(2, "0")}`;
        length += 2 + cents.length;
      }
    }
    return make(length, "money", text, plain, digits);
  }
  if (!n.ordinal && n.value < 100 && /^cents?$/.test(next ?? "")) {
    return make(n.length + 1, "money", `$0.${String(n.value).padStart(2, "0")}`, plain, digits);
  }
  if (!n.ordinal && (next === "percent" || (next === "per" && words[after + 1] === "cent"))) {
    return make(n.length + (next === "per" ? 2 : 1), "percent", `${numberText(n, true)}%`, plain, digits);
  }
  if (!n.ordinal && !isYear && n.value >= 1 && n.value <= 12 && !n.fraction) {
    const time = clockAt(words, after);
    if (time) {
      const text = `${n.value}:${String(time.minutes).padStart(2, "0")}${time.meridiem ? ` ${time.meridiem}` : ""}`;
      return make(
        n.length + time.length,
        "time",
        time.minutes === 0 && !time.explicitMinutes && time.meridiem ? `${n.value} ${time.meridiem}` : text,
        plain,
        digits,
      );
    }
  }
  if (n.ordinal && n.value >= 1 && n.value <= 31) {
    const ofOffset = words[after] === "of" ? 1 : 0;
    const month = MONTHS.indexOf(words[after + ofOffset] ?? "");
    if (month >= 0) {
      let length = n.length + ofOffset + 1;
      let text = `${ordinalSuffix(n.value)}${ofOffset ? " of" : ""} ${capitalise(MONTHS[month]!)}`;
      const year = yearAt(words, i + length);
      if (year) {
        text += `, ${year.value}`;
        length += year.length;
      }
      return make(length, "date", text, undefined, digits);
    }
  }
  if (options.measurements && !n.ordinal) {
    const unit = unitOf(next);
    if (unit) return make(n.length, "measure", numberText(n, true), plain, digits);
  }
  const kind: SpanKind = isYear ? "year" : n.ordinal ? "ordinal" : n.fraction ? "decimal" : "cardinal";
  // Small numbers read better as words in running text ("three only"), except as labels ("volume 2"); larger
  // ones and years as digits.
  const label = kind === "cardinal" && LABELS.has(words[i - 1] ?? "");
  const smallWord = n.value < 10 && !n.fraction && kind !== "year" && !label;
  return make(n.length, kind, smallWord ? undefined : isYear ? String(n.value) : numberText(n, true), plain, digits);
}

/** Nouns that take a number as a label: "volume 2", "section 4", "room 5". */
const LABELS = new Set(
  "volume section chapter page number no room floor level step part version act scene grade line platform gate channel track figure table item article verse psalm book".split(
    " ",
  ),
);

const MERIDIEM: Record<string, string> = { am: "AM", pm: "PM", "a.m.": "AM", "p.m.": "PM" };

/** Minutes and/or AM/PM after an hour: "thirty seven p m", "oh five", "pm", "o'clock". */
function clockAt(
  words: readonly string[],
  i: number,
): { minutes: number; meridiem: string | undefined; length: number; explicitMinutes: boolean } | undefined {
  let k = i;
  let minutes = 0;
  let explicitMinutes = false;
  if (words[k] === "oh" && digitOf(words[k + 1] ?? "") !== undefined) {
    minutes = digitOf(words[k + 1]!)!;
    k += 2;
    explicitMinutes = true;
  } else {
    const m = parseNumber(words, k);
    if (m && !m.ordinal && !m.fraction && m.value >= 10 && m.value <= 59) {
      minutes = m.value;
      k += m.length;
      explicitMinutes = true;
    }
  }
  let meridiem: string | undefined;
  const w = words[k];
  if (w !== undefined && w in MERIDIEM) {
    meridiem = MERIDIEM[w];
    k++;
  } else if ((w === "a" || w === "p") && words[k + 1] === "m") {
    meridiem = w === "a" ? "AM" : "PM";
    k += 2;
  } else if (w === "o'clock" && !explicitMinutes) {
    return { minutes: 0, meridiem: undefined, length: k + 1 - i, explicitMinutes: true };
  }
  if (!meridiem) return undefined;
  return { minutes, meridiem, length: k - i, explicitMinutes };
}

/** "john dot smith at gmail dot com", "w w w dot example dot org", "example dot com". */
function emailOrUrlAt(
  words: readonly string[],
  i: number,
  joinable: (i: number, length: number) => boolean,
): { kind: "email" | "url"; text: string; length: number } | undefined {
  /** word ("dot" word)* from k; returns the parts and the index after them. */
  const dotted = (k: number): { parts: string[]; next: number } => {
    const parts = [words[k]!];
    let j = k + 1;
    while (words[j] === "dot" && words[j + 1] !== undefined) {
      parts.push(words[j + 1]!);
      j += 2;
    }
    return { parts, next: j };
  };
  const w = words[i];
  if (w === undefined || !/^[a-z0-9']+$/.test(w)) return undefined;
  let start = i;
  let prefix = "";
  if (w === "w" && words[i + 1] === "w" && words[i + 2] === "w" && words[i + 3] === "dot") {
    prefix = "www.";
    start = i + 4;
  }
  if (words[start] === undefined) return undefined;
  const local = dotted(start);
  if (!prefix && words[local.next] === "at" && words[local.next + 1] !== undefined) {
    if (local.parts.length === 1 && NOT_LOCAL.has(local.parts[0]!)) return undefined;
    const domain = dotted(local.next + 1);
    const tld = domain.parts[domain.parts.length - 1]!;
    if (domain.parts.length >= 2 && TLDS.has(tld) && joinable(i, domain.next - i)) {
      return { kind: "email", text: `${local.parts.join(".")}@${domain.parts.join(".")}`, length: domain.next - i };
    }
    return undefined;
  }
  const tld = local.parts[local.parts.length - 1]!;
  if (local.parts.length >= 2 && TLDS.has(tld) && joinable(i, local.next - i)) {
    return { kind: "url", text: `${prefix}${local.parts.join(".")}`, length: local.next - i };
  }
  return undefined;
}

/** Measurement units after a number, for `measurements=true`: spoken unit → abbreviation. */
export const unitAbbreviation = unitOf;
