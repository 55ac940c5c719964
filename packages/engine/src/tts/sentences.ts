/**
 * Cutting text into the pieces synthesised one after another. Synthesis streams: the first piece's audio is
 * sent while the next is being made, so the first piece is what the listener waits for. Cuts fall at sentence
 * ends (and paragraph breaks); a sentence longer than `maxChars` is cut again at a clause boundary, or failing
 * that at a space, so that one run-on sentence cannot hold back the first audio.
 */

const SENTENCE_END = /(?<=[.!?…;])["'”’)\]]*\s+|\n\s*\n/g;
const CLAUSE_END = /[,:;—–]\s/g;

export function splitSentences(text: string, maxChars = 300): string[] {
  const pieces: string[] = [];
  for (const sentence of text.split(SENTENCE_END)) {
    let rest = sentence.replace(/\s+/g, " ").trim();
    while (rest.length > maxChars) {
      const cut = lastCut(rest.slice(0, maxChars + 1));
      pieces.push(rest.slice(0, cut).trim());
      rest = rest.slice(cut).trim();
    }
    if (/[\p{L}\p{N}]/u.test(rest)) pieces.push(rest);
  }
  return pieces;
}

/** Where to cut a too-long sentence: after its last clause mark, else at its last space, else anywhere. */
function lastCut(head: string): number {
  let cut = -1;
  for (const match of head.matchAll(CLAUSE_END)) cut = match.index + 1;
  if (cut > head.length / 3) return cut;
  const space = head.lastIndexOf(" ");
  return space > 0 ? space : head.length - 1;
}
