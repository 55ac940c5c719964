/** Giving recognised words the speaker of the diarizer's turn they fall in. */
import type { SpeakerLabel, SpeakerTurn, TimedWord } from "./types.js";

const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * Labels each word with the speaker whose turn covers most of it (the nearest turn when none does), renumbering
 * the speakers 0, 1, 2… in the order they first appear among the words. `speaker_confidence` is the turn's
 * confidence, lowered when the word reaches outside the turn.
 */
export function labelWords<W extends TimedWord>(words: W[], turns: SpeakerTurn[]): (W & SpeakerLabel)[] {
  const sorted = [...turns].sort((a, b) => a.start - b.start);
  const order = new Map<number, number>();
  let from = 0;
  return words.map((word) => {
    // Words come in time order: turns ending well before this word are never needed again.
    while (from < sorted.length && sorted[from]!.end < word.start - 30) from++;
    let best: SpeakerTurn | undefined;
    let bestCover = 0;
    let nearest: SpeakerTurn | undefined;
    let nearestGap = Number.POSITIVE_INFINITY;
    for (let i = from; i < sorted.length; i++) {
      const turn = sorted[i]!;
      if (turn.start > word.end + nearestGap) break;
      const cover = Math.min(turn.end, word.end) - Math.max(turn.start, word.start);
      if (cover > bestCover) {
        best = turn;
        bestCover = cover;
      }
      const gap = Math.max(turn.start - word.end, word.start - turn.end, 0);
      if (gap < nearestGap) {
        nearest = turn;
        nearestGap = gap;
      }
    }
    const turn = best ?? nearest;
    if (!turn) return { ...word, speaker: 0, speaker_confidence: 0 };
    if (!order.has(turn.speaker)) order.set(turn.speaker, order.size);
    const length = word.end - word.start;
    const covered = length > 0 ? Math.min(1, bestCover / length) : best ? 1 : 0;
    return {
      ...word,
      speaker: order.get(turn.speaker)!,
      speaker_confidence: round2(turn.confidence * (0.5 + 0.5 * covered)),
    };
  });
}
