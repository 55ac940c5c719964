/** Assembling the Deepgram `ListenResponse` from the engine's transcript and the request's options. */
import {
  applyReplacements,
  buildUtterances,
  confidenceOf,
  searchWords,
  type Transcript,
  transcriptOf,
} from "@earshot/engine";
import type { Channel, ListenOptions, ListenResponse, Word } from "@earshot/protocol";
import { alternativeLanguages, detectedLanguage, languageWarnings, multilingualWords } from "./language.js";
import { listenMetadata, listenWarnings } from "./metadata.js";
import { diarized, paragraphsOf, utterancesBySpeaker } from "./speakers.js";

export function buildListenResponse(requestId: string, options: ListenOptions, transcript: Transcript): ListenResponse {
  const channelWords: Word[][] = transcript.channels.map((words, index) =>
    multilingualWords(
      options,
      options.replace?.length ? applyReplacements(words, options.replace) : words,
      transcript.languages[index],
    ),
  );
  const bySpeaker = diarized(options, channelWords);
  const channels: Channel[] = channelWords.map((words, index) => ({
    // Search looks for what was said, so it runs on the words as recognised, before any replacement.
    ...(options.search?.length ? { search: searchWords(transcript.channels[index]!, options.search) } : {}),
    alternatives: [
      {
        transcript: transcriptOf(words),
        confidence: confidenceOf(words),
        words,
        ...(options.paragraphs ? { paragraphs: paragraphsOf(words, bySpeaker) } : {}),
        ...alternativeLanguages(options, transcript.languages[index]),
      },
    ],
    ...detectedLanguage(options, transcript.languages[index]),
  }));
  return {
    metadata: listenMetadata({
      requestId,
      sha256: transcript.sha256,
      created: new Date(),
      duration: transcript.duration,
      channels: transcript.channelCount,
      model: transcript.model,
      options,
      warnings: [...listenWarnings(options, transcript), ...languageWarnings(options, transcript)],
    }),
    results: {
      channels,
      ...(options.utterances
        ? { utterances: utterancesBySpeaker(buildUtterances(channelWords, options.utt_split), bySpeaker) }
        : {}),
    },
  };
}
