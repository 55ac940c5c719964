/** Deepgram's live frames (`Results`, `SpeechStarted`, `UtteranceEnd`, the closing `Metadata`) from the engine's events. */
import {
  confidenceOf,
  type InstalledModel,
  type LiveEvent,
  type LiveResult,
  type LiveSummary,
  modelLanguage,
  replaceStaged,
  runTextStage,
  transcriptOf,
} from "@earshot/engine";
import {
  type LiveListenOptions,
  type LiveMetadata,
  type LiveResults,
  type LiveServerMessage,
  prerecordedOnlyWarnings,
  type Warning,
} from "@earshot/protocol";
import { listenMetadata, listenWarnings, modelInfo } from "../listen/metadata.js";
import { round3 } from "../round.js";

export interface StreamInfo {
  requestId: string;
  options: LiveListenOptions;
  model: InstalledModel;
  aliasOf: string | undefined;
  /** Whether the model's live decoders apply keyterms (else `keyterm` and `keywords` are warned about). */
  keyterms: boolean;
  /** Channels results are reported for: the audio's with `multichannel`, else 1. */
  channels: () => number;
}

export function resultsMessage(info: StreamInfo, event: LiveResult): LiveResults {
  const { model, options } = info;
  // Interim results go through the same stage as finals: it costs well under a millisecond on a few words, and
  // an interim must not show what the final will redact. Entities are pre-recorded only, so they stay off here.
  const staged = runTextStage(event.words, { ...options, detect_entities: false }, model.capabilities.punctuation);
  const { words: replaced } = replaceStaged(staged, options.replace);
  // `language=multi` on a model that does not identify languages: every word is in the model's language.
  const multi = options.language === "multi" ? modelLanguage(model) : undefined;
  const words = multi ? replaced.map((w) => ({ ...w, language: multi })) : replaced;
  return {
    type: "Results",
    channel_index: [event.channel, info.channels()],
    duration: round3(event.end - event.start),
    start: event.start,
    is_final: event.isFinal,
    speech_final: event.speechFinal,
    from_finalize: event.fromFinalize,
    channel: {
      alternatives: [
        {
          transcript: transcriptOf(words),
          confidence: confidenceOf(words),
          words,
          ...(multi ? { languages: [multi] } : {}),
        },
      ],
    },
    metadata: {
      request_id: info.requestId,
      model_info: modelInfo(model),
      model_uuid: model.uuid,
    },
  };
}

export function eventMessage(info: StreamInfo, event: LiveEvent): LiveServerMessage {
  switch (event.type) {
    case "result":
      return resultsMessage(info, event);
    case "speech-started":
      return { type: "SpeechStarted", channel: [event.channel, info.channels()], timestamp: event.timestamp };
    case "utterance-end":
      return { type: "UtteranceEnd", channel: [event.channel, info.channels()], last_word_end: event.lastWordEnd };
  }
}

/** Everything the stream was asked for that it did not do, so nobody mistakes a missing feature for silence. */
export function liveWarnings(info: StreamInfo): Warning[] {
  const warnings = [...listenWarnings(info.options, info), ...prerecordedOnlyWarnings(info.options)];
  if (info.options.search?.length) {
    warnings.push({
      parameter: "search",
      type: "unsupported_feature",
      message: "'search' is not implemented on live streams yet and was ignored.",
    });
  }
  return warnings;
}

export function metadataMessage(info: StreamInfo, summary: LiveSummary, created: Date): LiveMetadata {
  return {
    type: "Metadata",
    ...listenMetadata({
      requestId: info.requestId,
      sha256: summary.sha256,
      created,
      duration: summary.duration,
      channels: summary.channelCount || info.channels(),
      model: info.model,
      options: info.options,
      warnings: liveWarnings(info),
    }),
  };
}
