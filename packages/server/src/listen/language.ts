/**
 * The spoken language in a listen response: `detect_language` adds `detected_language` and
 * `language_confidence` to each channel; `language=multi` adds `languages` to the alternative and `language` to
 * every word. Both come from what the engine can tell (see the engine's `channelLanguage`): the recogniser's own
 * identification when its model has one, else the serving model's language and how well it explains the audio.
 */
import type { ChannelLanguage, Transcript } from "@earshot/engine";
import { type ListenOptions, languageCandidates, type Warning, type Word } from "@earshot/protocol";

/** `detected_language` and `language_confidence` for a channel, when asked for. */
export function detectedLanguage(
  options: ListenOptions,
  language: ChannelLanguage | undefined,
): { detected_language?: string; language_confidence?: number } {
  if (!language || languageCandidates(options) === undefined) return {};
  return { detected_language: language.language, language_confidence: language.confidence };
}

/** With `language=multi`: the words labelled with their language. */
export function multilingualWords(
  options: ListenOptions,
  words: Word[],
  language: ChannelLanguage | undefined,
): Word[] {
  if (options.language !== "multi" || !language) return words;
  return words.map((w) => ({ ...w, language: language.language }));
}

/** With `language=multi`: the alternative's `languages`. */
export function alternativeLanguages(
  options: ListenOptions,
  language: ChannelLanguage | undefined,
): { languages?: string[] } {
  return options.language === "multi" && language ? { languages: [language.language] } : {};
}

const primary = (code: string): string => code.toLowerCase().split("-")[0]!;

/**
 * Says what language identification could and could not do here: a model that does not identify languages only
 * answers with its own, and candidates it does not speak were not considered.
 */
export function languageWarnings(
  options: ListenOptions,
  transcript: Pick<Transcript, "languages" | "model">,
): Warning[] {
  const candidates = languageCandidates(options);
  const multi = options.language === "multi";
  if (candidates === undefined && !multi) return [];
  if (transcript.model.capabilities.languageDetection) return [];
  const installed = transcript.model.languages.join(", ") || "none";
  const parameter = candidates === undefined ? "language" : "detect_language";
  const warnings: Warning[] = [
    {
      parameter,
      type: "limited_feature",
      message: `Model '${transcript.model.name}' does not identify languages and speaks only ${installed}: the reported language is its own, and its confidence is how well that model explains the speech.`,
    },
  ];
  if (Array.isArray(candidates)) {
    const spoken = new Set(transcript.languages.map((l) => primary(l.language)));
    const missing = candidates.filter((c) => !spoken.has(primary(c)));
    if (missing.length === candidates.length) {
      warnings.push({
        parameter: "detect_language",
        type: "language_not_installed",
        message: `None of the candidate languages (${candidates.join(", ")}) is installed here; the audio was transcribed in ${installed}.`,
      });
    }
  }
  return warnings;
}
