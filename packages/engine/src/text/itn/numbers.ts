/**
 * Spoken English numbers → values: cardinals ("one hundred and ninety nine"), ordinals ("fourteenth",
 * "twenty first"), years read in pairs ("fourteen sixty five", "nineteen oh five", "twenty twenty two") and
 * runs of single digits ("five five five one two"). Parsers take a word list and a start index and return how
 * many words they consumed, so the caller keeps each number's word span (and therefore its timing).
 */

const UNITS: Record<string, number> = {
  zero: 0,
  oh: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TENS: Record<string, number> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const SCALES: Record<string, number> = { thousand: 1e3, million: 1e6, billion: 1e9, trillion: 1e12 };
const ORDINAL_UNITS: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
  tenth: 10,
  eleventh: 11,
  twelfth: 12,
  thirteenth: 13,
  fourteenth: 14,
  fifteenth: 15,
  sixteenth: 16,
  seventeenth: 17,
  eighteenth: 18,
  nineteenth: 19,
};
const ORDINAL_TENS: Record<string, number> = {
  twentieth: 20,
  thirtieth: 30,
  fortieth: 40,
  fiftieth: 50,
  sixtieth: 60,
  seventieth: 70,
  eightieth: 80,
  ninetieth: 90,
};
const ORDINAL_SCALES: Record<string, number> = { hundredth: 100, thousandth: 1e3, millionth: 1e6, billionth: 1e9 };

export interface ParsedNumber {
  value: number;
  /** Words consumed from the start index. */
  length: number;
  ordinal: boolean;
  /** Decimal digits after "point", as spoken ("three point one four" → "14"). */
  fraction?: string;
}

/** Whether `word` can start or continue a spoken number. */
export const isNumberWord = (word: string): boolean =>
  word in UNITS ||
  word in TENS ||
  word in SCALES ||
  word === "hundred" ||
  word in ORDINAL_UNITS ||
  word in ORDINAL_TENS;

/** Single digits as spoken in a run ("oh" counts as zero). */
export const digitOf = (word: string): number | undefined => {
  const v = UNITS[word];
  return v !== undefined && v < 10 ? v : undefined;
};

/** 0–99 from one or two words ("seven", "seventeen", "seventy", "seventy seven"), ordinal endings included. */
function parseBelowHundred(words: readonly string[], i: number): ParsedNumber | undefined {
  const w = words[i];
  if (w === undefined) return undefined;
  if (w in UNITS && w !== "oh") return { value: UNITS[w]!, length: 1, ordinal: false };
  if (w in ORDINAL_UNITS) return { value: ORDINAL_UNITS[w]!, length: 1, ordinal: true };
  if (w in ORDINAL_TENS) return { value: ORDINAL_TENS[w]!, length: 1, ordinal: true };
  if (w in TENS) {
    const next = words[i + 1];
    if (next !== undefined) {
      const unit = UNITS[next];
      if (unit !== undefined && unit > 0 && unit < 10 && next !== "oh") {
        return { value: TENS[w]! + unit, length: 2, ordinal: false };
      }
      const ordinalUnit = ORDINAL_UNITS[next];
      if (ordinalUnit !== undefined && ordinalUnit < 10) {
        return { value: TENS[w]! + ordinalUnit, length: 2, ordinal: true };
      }
    }
    return { value: TENS[w]!, length: 1, ordinal: false };
  }
  return undefined;
}

/** 0–999: "[a|N] hundred [and] M", or M. */
function parseBelowThousand(words: readonly string[], i: number): ParsedNumber | undefined {
  let head = parseBelowHundred(words, i);
  let start = i;
  const next = words[i + 1] ?? "";
  if (!head && words[i] === "a" && (next === "hundred" || next === "hundredth" || next in SCALES)) {
    head = { value: 1, length: 1, ordinal: false };
  }
  if (!head) return undefined;
  start += head.length;
  if (!head.ordinal && head.value > 0 && head.value < 100 && words[start] === "hundred") {
    let value = head.value * 100;
    let length = head.length + 1;
    const andOffset = words[start + 1] === "and" ? 1 : 0;
    const rest = parseBelowHundred(words, start + 1 + andOffset);
    if (rest && rest.value > 0)
      return { value: value + rest.value, length: length + andOffset + rest.length, ordinal: rest.ordinal };
    value = head.value * 100;
    length = head.length + 1;
    return { value, length, ordinal: false };
  }
  if (!head.ordinal && head.value > 0 && head.value < 100 && words[start] === "hundredth") {
    return { value: head.value * 100, length: head.length + 1, ordinal: true };
  }
  return head;
}

/** A cardinal or ordinal of any size ("two million three hundred thousand and five"). */
export function parseNumber(words: readonly string[], i: number): ParsedNumber | undefined {
  let total = 0;
  let length = 0;
  let lastScale = Number.POSITIVE_INFINITY;
  let ordinal = false;
  for (;;) {
    const at = i + length;
    const andOffset = length > 0 && words[at] === "and" ? 1 : 0;
    const group = parseBelowThousand(words, at + andOffset);
    if (!group) break;
    if (length > 0 && group.value >= 100 && andOffset) break;
    const scaleWord = words[at + andOffset + group.length];
    const scale = scaleWord === undefined ? undefined : (SCALES[scaleWord] ?? ORDINAL_SCALES[scaleWord]);
    if (!group.ordinal && scale !== undefined && scale < lastScale && scale >= 1000) {
      total += group.value * scale;
      length += andOffset + group.length + 1;
      lastScale = scale;
      if (scaleWord! in ORDINAL_SCALES) {
        ordinal = true;
        break;
      }
      continue;
    }
    if (length > 0 && lastScale === Number.POSITIVE_INFINITY) break;
    total += group.value;
    length += andOffset + group.length;
    ordinal = group.ordinal;
    break;
  }
  if (length === 0) return undefined;
  const parsed: ParsedNumber = { value: total, length, ordinal };
  if (!ordinal && words[i + length] === "point") {
    let digits = "";
    let k = i + length + 1;
    while (words[k] !== undefined && digitOf(words[k]!) !== undefined) digits += digitOf(words[k++]!);
    if (digits) {
      parsed.fraction = digits;
      parsed.length = k - i;
    }
  }
  return parsed;
}

/**
 * A year read as two pairs: "fourteen sixty five" → 1465, "nineteen oh five" → 1905, "twenty twenty two" →
 * 2022. The first pair is 11–99 and not a round ten below twenty; the second is 10–99 or "oh" and a digit.
 * ("eighteen hundred" is an ordinary cardinal.)
 */
export function parseYear(words: readonly string[], i: number): ParsedNumber | undefined {
  const first = parseBelowHundred(words, i);
  if (!first || first.ordinal || first.value < 11 || first.value > 99) return undefined;
  if (first.value >= 20 && first.length === 2) return undefined;
  const j = i + first.length;
  if (words[j] === "oh") {
    const digit = digitOf(words[j + 1] ?? "");
    if (digit === undefined || digit === 0) return undefined;
    return { value: first.value * 100 + digit, length: first.length + 2, ordinal: false };
  }
  const second = parseBelowHundred(words, j);
  if (!second || second.value < 10) return undefined;
  return { value: first.value * 100 + second.value, length: first.length + second.length, ordinal: second.ordinal };
}

/** A run of single spoken digits ("four four four four nine nine…"), as a digit string. */
export function parseDigitRun(words: readonly string[], i: number): { digits: string; length: number } | undefined {
  let digits = "";
  let k = i;
  while (words[k] !== undefined) {
    const d = digitOf(words[k]!);
    if (d !== undefined) {
      digits += d;
      k++;
    } else if ((words[k] === "double" || words[k] === "triple") && digitOf(words[k + 1] ?? "") !== undefined) {
      digits += String(digitOf(words[k + 1]!)).repeat(words[k] === "double" ? 2 : 3);
      k += 2;
    } else break;
  }
  return k - i >= 3 ? { digits, length: k - i } : undefined;
}

const SUFFIXES = ["th", "st", "nd", "rd"];

/** 14 → "14th", 21 → "21st", 112 → "112th". */
export function ordinalSuffix(n: number): string {
  const lastTwo = n % 100;
  if (lastTwo >= 11 && lastTwo <= 13) return `${n}th`;
  return `${n}${SUFFIXES[n % 10] ?? "th"}`;
}

/** Thousands separators from five digits up ("10,000"; "1800" and "4500" stay as they are). */
export function groupThousands(n: number): string {
  const s = String(n);
  return s.length < 5 ? s : s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
