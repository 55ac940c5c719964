/** Assembling the Deepgram `ListenResponse` from the engine's transcript and the request's options. */
import { randomUUID } from "node:crypto";
import {
  applyReplacements,
  buildParagraphs,
  buildUtterances,
  confidenceOf,
  searchWords,
  type Transcript,
  transcriptOf,
} from "@earshot/engine";
import {
  type Channel,
  type ListenOptions,
  type ListenResponse,
  unimplementedOptionWarnings,
  type Warning,
  type Word,
} from "@earshot/protocol";

export function listenWarnings(options: ListenOptions, transcript: Pick<Transcript, "aliasOf" | "model">): Warning[] {
  const warnings = unimplementedOptionWarnings(options, transcript.model.capabilities);
  if (transcript.aliasOf) {
    warnings.unshift({
      parameter: "model",
      type: "model_substituted",
      message: `Model '${transcript.aliasOf}' is not installed here; '${transcript.model.name}' served the request.`,
    });
  }
  return warnings;
}

/** `extra=key:value` pairs as the object Deepgram echoes in `metadata.extra`. */
const extraObject = (pairs: string[]): Record<string, string> =>
  Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf(":")), p.slice(p.indexOf(":") + 1)]));

export function buildListenResponse(requestId: string, options: ListenOptions, transcript: Transcript): ListenResponse {
  const channelWords: Word[][] = transcript.channels.map((words) =>
    options.replace?.length ? applyReplacements(words, options.replace) : words,
  );
  const channels: Channel[] = channelWords.map((words, index) => ({
    // Search looks for what was said, so it runs on the words as recognised, before any replacement.
    ...(options.search?.length ? { search: searchWords(transcript.channels[index]!, options.search) } : {}),
    alternatives: [
      {
        transcript: transcriptOf(words),
        confidence: confidenceOf(words),
        words,
        ...(options.paragraphs ? { paragraphs: buildParagraphs(words) } : {}),
      },
    ],
  }));
  const { model } = transcript;
  const warnings = listenWarnings(options, transcript);
  return {
    metadata: {
      transaction_key: "deprecated",
      request_id: requestId,
      sha256: transcript.sha256,
      created: new Date().toISOString(),
      duration: Math.round(transcript.duration * 1000) / 1000,
      channels: transcript.channelCount,
      models: [model.uuid],
      model_info: { [model.uuid]: { name: model.name, version: model.version, arch: model.architecture } },
      ...(options.tag?.length ? { tags: options.tag } : {}),
      ...(options.extra?.length ? { extra: extraObject(options.extra) } : {}),
      ...(warnings.length ? { warnings } : {}),
    },
    results: {
      channels,
      ...(options.utterances ? { utterances: buildUtterances(channelWords, options.utt_split) } : {}),
    },
  };
}

export const newRequestId = (): string => randomUUID();
