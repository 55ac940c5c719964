/**
 * An AssemblyAI transcript request as the one listen request every API family makes: its fields become
 * Deepgram listen options, so every feature the listen response gains (punctuation, formatting, speakers,
 * redaction) reaches AssemblyAI's view of it. AssemblyAI punctuates and formats by default, so those default on.
 */
import { type AssemblyAiTranscriptRequest, type ListenOptions, parseListenOptions } from "@earshot/protocol";
import type { ServerEngine } from "../engine.js";
import { vendorModel } from "../listen/vendor-model.js";

/** AssemblyAI's PII policies as Deepgram's redaction classes; any other policy is personal data (`pii`). */
const REDACT_CLASS: Record<string, string> = {
  credit_card_number: "pci",
  credit_card_cvv: "pci",
  credit_card_expiration: "pci",
  banking_information: "pci",
  us_social_security_number: "ssn",
  number_sequence: "numbers",
};

/** AssemblyAI's language codes (`en_us`, `fr`) as BCP-47 (`en-US`, `fr`). */
export const bcp47 = (code: string): string => {
  const [language, region] = code.split(/[_-]/);
  return region ? `${language!.toLowerCase()}-${region.toUpperCase()}` : language!.toLowerCase();
};

function redactionOf(body: AssemblyAiTranscriptRequest): string[] {
  if (!body.redact_pii) return [];
  const classes = (body.redact_pii_policies ?? []).map((policy) => REDACT_CLASS[policy] ?? "pii");
  return [...new Set(classes.length ? classes : ["pii"])];
}

export function assemblyAiListenOptions(
  body: AssemblyAiTranscriptRequest,
  engine: Pick<ServerEngine, "registry">,
): ListenOptions {
  const model = vendorModel(engine, body.speech_model);
  const keyterms = [...(body.word_boost ?? []), ...(body.keyterms_prompt ?? [])];
  const redact = redactionOf(body);
  const flag = (value: boolean | undefined, fallback = false): string => String(value ?? fallback);
  return parseListenOptions({
    // Utterances give AssemblyAI's `utterances`; paragraphs its sentences and paragraphs.
    utterances: "true",
    paragraphs: "true",
    punctuate: flag(body.punctuate, true),
    smart_format: flag(body.format_text, true),
    diarize: flag(body.speaker_labels),
    ...(body.speaker_labels && body.speakers_expected ? { num_speakers: String(body.speakers_expected) } : {}),
    multichannel: flag(body.multichannel ?? body.dual_channel),
    profanity_filter: flag(body.filter_profanity),
    filler_words: flag(body.disfluencies),
    detect_entities: flag(body.entity_detection),
    sentiment: flag(body.sentiment_analysis),
    topics: flag(body.iab_categories),
    ...(body.summarization ? { summarize: "v2" } : {}),
    ...(body.language_detection ? { detect_language: "true" } : {}),
    ...(body.language_code ? { language: bcp47(body.language_code) } : {}),
    ...(model ? { model } : {}),
    ...(keyterms.length ? { keyterm: keyterms } : {}),
    ...(redact.length ? { redact } : {}),
  });
}
