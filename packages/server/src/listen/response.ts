/** Assembling the Deepgram `ListenResponse` from the engine's transcript and the request's options. */
import {
  buildUtterances,
  confidenceOf,
  listenIntelligence,
  modelUuid,
  replaceStaged,
  runTextStage,
  searchWords,
  type Transcript,
  transcriptOf,
} from "@earshot/engine";
import type { Channel, IntelligenceInfo, ListenMetadata, ListenOptions, ListenResponse } from "@earshot/protocol";
import { alternativeLanguages, detectedLanguage, languageWarnings, multilingualWords } from "./language.js";
import { listenMetadata, listenWarnings } from "./metadata.js";
import { diarized, paragraphsOf, utterancesBySpeaker } from "./speakers.js";

/** Names the text analysis in `metadata.*_info`, as a model uuid does for recognition. */
export const TEXT_MODEL_UUID = modelUuid("earshot-text");

export function buildListenResponse(requestId: string, options: ListenOptions, transcript: Transcript): ListenResponse {
  const modelPunctuates = transcript.model.capabilities.punctuation;
  const staged = transcript.channels.map((words) => runTextStage(words, options, modelPunctuates));
  const replaced = staged.map((channel, index) => {
    const { words, ...rest } = replaceStaged(channel, options.replace);
    return { ...rest, words: multilingualWords(options, words, transcript.languages[index]) };
  });
  const intelligence = listenIntelligence(replaced[0]?.words ?? [], options);
  const bySpeaker = diarized(
    options,
    replaced.map((c) => c.words),
  );
  const channels: Channel[] = replaced.map(({ words, sentences, entities }, index) => ({
    // Search looks for what was said, so it runs before replacement (and after redaction, which it must keep).
    ...(options.search?.length ? { search: searchWords(staged[index]!.words, options.search) } : {}),
    alternatives: [
      {
        transcript: transcriptOf(words),
        confidence: confidenceOf(words),
        words,
        ...(options.paragraphs ? { paragraphs: paragraphsOf(words, sentences, bySpeaker) } : {}),
        ...(entities ? { entities } : {}),
        // Deepgram analyses the first channel's transcript.
        ...(index === 0 && intelligence.summaries ? { summaries: intelligence.summaries } : {}),
        ...alternativeLanguages(options, transcript.languages[index]),
      },
    ],
    ...detectedLanguage(options, transcript.languages[index]),
  }));
  const metadata = listenMetadata({
    requestId,
    sha256: transcript.sha256,
    created: new Date(),
    duration: transcript.duration,
    channels: transcript.channelCount,
    model: transcript.model,
    options,
    warnings: [...listenWarnings(options, transcript), ...languageWarnings(options, transcript)],
  });
  return {
    metadata: { ...metadata, ...intelligenceInfo(intelligence.usage) },
    results: {
      channels,
      ...(options.utterances
        ? {
            utterances: utterancesBySpeaker(
              buildUtterances(
                replaced.map((c) => c.words),
                options.utt_split,
              ),
              bySpeaker,
            ),
          }
        : {}),
      ...(intelligence.summary ? { summary: intelligence.summary } : {}),
      ...(intelligence.topics ? { topics: intelligence.topics } : {}),
      ...(intelligence.intents ? { intents: intelligence.intents } : {}),
      ...(intelligence.sentiments ? { sentiments: intelligence.sentiments } : {}),
    },
  };
}

type Usage = ReturnType<typeof listenIntelligence>["usage"];

function intelligenceInfo(usage: Usage): Partial<ListenMetadata> {
  const info = (u: Usage[keyof Usage]): IntelligenceInfo | undefined =>
    u ? { model_uuid: TEXT_MODEL_UUID, ...u } : undefined;
  const out: Partial<ListenMetadata> = {};
  const summary = info(usage.summary);
  if (summary) out.summary_info = summary;
  const topics = info(usage.topics);
  if (topics) out.topics_info = topics;
  const intents = info(usage.intents);
  if (intents) out.intents_info = intents;
  const sentiment = info(usage.sentiment);
  if (sentiment) out.sentiment_info = sentiment;
  return out;
}
