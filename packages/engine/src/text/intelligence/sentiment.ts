/**
 * `sentiment=true`: VADER (Hutto & Gilbert 2014; `vader-sentiment`, the JavaScript port of the reference
 * implementation, lexicon inside the package). VADER's compound score is already in [-1, 1], the range of
 * Deepgram's `sentiment_score`, and handles negation, intensifiers and "but". Labels use Deepgram's documented
 * break points, ±1/3. Consecutive sentences with the same label form one segment, as Deepgram's do.
 */
import type { SentimentLabel, Sentiments } from "@earshot/protocol";
import vader from "vader-sentiment";
import { round, sentencesOf } from "./text.js";

const labelOf = (score: number): SentimentLabel =>
  score >= 1 / 3 ? "positive" : score <= -1 / 3 ? "negative" : "neutral";

export function analyzeSentiment(words: readonly string[]): Sentiments {
  const scored = sentencesOf(words).map((s) => {
    const score = vader.SentimentIntensityAnalyzer.polarity_scores(s.text).compound;
    return { ...s, score, label: labelOf(score), weight: s.end - s.start };
  });
  const segments: Sentiments["segments"] = [];
  let group: typeof scored = [];
  const flush = (): void => {
    if (group.length === 0) return;
    const weight = group.reduce((a, s) => a + s.weight, 0);
    const score = group.reduce((a, s) => a + s.score * s.weight, 0) / weight;
    segments.push({
      text: group.map((s) => s.text).join(" "),
      start_word: group[0]!.start,
      end_word: group[group.length - 1]!.end,
      sentiment: labelOf(score),
      sentiment_score: round(score),
    });
    group = [];
  };
  for (const s of scored) {
    if (group.length > 0 && group[0]!.label !== s.label) flush();
    group.push(s);
  }
  flush();
  const total = scored.reduce((a, s) => a + s.weight, 0);
  const average = total === 0 ? 0 : scored.reduce((a, s) => a + s.score * s.weight, 0) / total;
  return { segments, average: { sentiment: labelOf(average), sentiment_score: round(average) } };
}
