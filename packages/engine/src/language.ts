/**
 * The language a channel is spoken in (`detect_language`, `language=multi`). A recogniser that identifies
 * languages (a model with the `languageDetection` capability) reports one per piece, and the channel's is the
 * one with the most confident speech. Any other model only knows its own language: the answer is that language,
 * and the confidence is what the model can really say — how well it explains the speech (the words' mean
 * posterior, weighted by their length), which falls when the speech is in a language it does not know.
 */
import type { InstalledModel } from "./models/registry.js";
import type { RecognizedWord, SpokenLanguage } from "./recognizer.js";

export interface ChannelLanguage extends SpokenLanguage {
  /** True when the recogniser identified it; false when it is the serving model's only language. */
  identified: boolean;
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/** A model's language as Deepgram reports it: the primary subtag (`en` for `en-US`). */
export const modelLanguage = (model: InstalledModel): string => (model.languages[0] ?? "en").split("-")[0]!;

export function channelLanguage(
  model: InstalledModel,
  words: RecognizedWord[],
  pieces: { language: SpokenLanguage | undefined; seconds: number }[],
): ChannelLanguage {
  const votes = new Map<string, number>();
  let reported = 0;
  // A recogniser that names languages without a probability votes by seconds alone, and the channel gets none.
  let unsure = false;
  for (const { language, seconds } of pieces) {
    if (!language) continue;
    reported += seconds;
    unsure ||= language.confidence === undefined;
    votes.set(language.language, (votes.get(language.language) ?? 0) + seconds * (language.confidence ?? 1));
  }
  if (votes.size > 0) {
    const [language, weight] = [...votes].reduce((best, vote) => (vote[1] > best[1] ? vote : best));
    const confidence = unsure ? undefined : round3(reported > 0 ? weight / reported : 0);
    return { language, confidence, identified: true };
  }
  let seconds = 0;
  let weighted = 0;
  for (const word of words) {
    const length = Math.max(0, word.end - word.start);
    seconds += length;
    weighted += length * word.confidence;
  }
  return {
    language: modelLanguage(model),
    confidence: round3(seconds > 0 ? weighted / seconds : 0),
    identified: false,
  };
}
