/** Assembling the Deepgram `ListenResponse` from the engine's transcript and the request's options. */
import {
  applyReplacements,
  buildParagraphs,
  buildUtterances,
  confidenceOf,
  searchWords,
  type Transcript,
  transcriptOf,
} from "@earshot/engine";
import type { Channel, ListenOptions, ListenResponse, Word } from "@earshot/protocol";
import { listenMetadata, listenWarnings } from "./metadata.js";

export function buildListenResponse(requestId: string, options: ListenOptions, transcript: Transcript): ListenResponse {
  const channelWords: Word[][] = transcript.channels.map((words) =>
    options.replace?.length ? applyReplacements(words, options.replace) : words,
  );
  const channels: Channel[] = channelWords.map((words, index) => ({
    // Search looks for what was said, so it runs on the words as recognised, before any replacement.
    ...(options.search?.length ? { search: searchWords(transcript.channels[index]!, options.search) } : {}),
    ...(transcript.languages?.[index] ? { detected_language: transcript.languages[index] } : {}),
    alternatives: [
      {
        transcript: transcriptOf(words),
        confidence: confidenceOf(words),
        words,
        ...(options.paragraphs ? { paragraphs: buildParagraphs(words) } : {}),
      },
    ],
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
      warnings: listenWarnings(options, transcript),
    }),
    results: {
      channels,
      ...(options.utterances ? { utterances: buildUtterances(channelWords, options.utt_split) } : {}),
    },
  };
}
