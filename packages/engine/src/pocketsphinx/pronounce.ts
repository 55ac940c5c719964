/**
 * Pronunciations for keyterms: the decoder's own dictionary (CMUdict) first, then flite's letter-to-sound rules
 * for words it lacks. flite is already the engine's text-to-speech and warm-up voice; `-ps` prints the phones it
 * would speak, in CMU's phone set less stress, which is the set PocketSphinx's en-US acoustic model uses.
 */
import { execFileSync } from "node:child_process";

/** flite phones the acoustic model does not have, as the ones it does. */
const FLITE_TO_CMU: Record<string, string> = { ax: "AH", axr: "ER", el: "AH L", em: "AH M", en: "AH N" };

const CMU_PHONES = new Set(
  "AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V W Y Z ZH".split(" "),
);

/** Phones for `word` by flite's lexicon and letter-to-sound rules, or undefined without flite. */
export function letterToSound(word: string): string | undefined {
  let printed: string;
  try {
    printed = execFileSync("flite", ["-t", word, "-ps", "-o", "/dev/null"], { encoding: "utf8", timeout: 5_000 });
  } catch {
    return undefined;
  }
  const phones = printed
    .trim()
    .split(/\s+/)
    .filter((p) => p && p !== "pau")
    .map((p) => FLITE_TO_CMU[p] ?? p.toUpperCase())
    .join(" ");
  const known = phones !== "" && phones.split(" ").every((p) => CMU_PHONES.has(p));
  return known ? phones : undefined;
}

/** The words of keyterm text as the dictionary spells them: lower case, letters and apostrophes. */
export const keytermWords = (text: string): string[] =>
  text
    .toLowerCase()
    .split(/[^a-z']+/)
    .map((w) => w.replace(/^'+|'+$/g, ""))
    .filter(Boolean);
