/**
 * Text as the intelligence features see it: words (whitespace-separated, or a transcript's words) grouped into
 * sentences with word indices, and the content-word stems that similarity and keyword scores compare.
 */

export interface Sentence {
  text: string;
  /** First word index. */
  start: number;
  /** One past the last word index. */
  end: number;
}

/** Sentences end at a word ending in `.`, `?` or `!` (closing quotes or brackets allowed), or at the end. */
export function sentencesOf(words: readonly string[]): Sentence[] {
  const out: Sentence[] = [];
  let start = 0;
  words.forEach((w, i) => {
    if (/[.?!]["')\]]*$/.test(w) || i === words.length - 1) {
      out.push({ text: words.slice(start, i + 1).join(" "), start, end: i + 1 });
      start = i + 1;
    }
  });
  return out;
}

/** Words of a text: whitespace-separated, as `start_word`/`end_word` count them on `/v1/read`. */
export const wordsOf = (text: string): string[] => text.split(/\s+/).filter(Boolean);

/** Common English function words: they carry no topic and link no sentences. */
export const STOPWORDS = new Set(
  `a about above after again against all also am an and any are aren't as at be because been before being below
between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each few for
from further get got had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him
himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself just let's like may me might more most
much must mustn't my myself no nor not now of off oh ok okay on once one only or other ought our ours ourselves out
over own really same shall shan't she she'd she'll she's should shouldn't so some such than that that's the their
theirs them themselves then there there's these they they'd they'll they're they've this those through thus to too
under until up upon us very want was wasn't we we'd we'll we're we've well were weren't what what's when when's where
where's which while who who's whom why why's will with won't would wouldn't yeah yes yet you you'd you'll you're
you've your yours yourself yourselves`.split(/\s+/),
);

/** A light suffix-stripping stem, enough to match "phones" with "phone" and "upgrading" with "upgrade". */
export function stem(word: string): string {
  const w = word.toLowerCase().replace(/[^a-z0-9']/g, "");
  for (const suffix of ["ing", "edly", "ed", "ies", "es", "s", "ly", "ment", "ness"]) {
    if (w.length > suffix.length + 3 && w.endsWith(suffix)) return w.slice(0, -suffix.length);
  }
  return w;
}

/** Content-word stems of a piece of text. */
export const contentStems = (text: string): string[] =>
  wordsOf(text.toLowerCase())
    .map((w) => w.replace(/^[^a-z0-9]+|[^a-z0-9']+$/g, ""))
    .filter((w) => w && !STOPWORDS.has(w))
    .map(stem);

/** Fraction of `phrase`'s content stems present in `stems`. */
export function coverage(phrase: string, stems: ReadonlySet<string>): number {
  const wanted = contentStems(phrase);
  if (wanted.length === 0) return 0;
  return wanted.filter((s) => stems.has(s)).length / wanted.length;
}

export const titleCase = (phrase: string): string =>
  phrase
    .split(" ")
    .map((w, i) => (i === 0 ? w[0]!.toUpperCase() + w.slice(1) : w))
    .join(" ");

export const round = (n: number, digits = 4): number => Math.round(n * 10 ** digits) / 10 ** digits;
