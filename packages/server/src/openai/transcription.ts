/**
 * OpenAI's transcription responses, built from the Deepgram-shaped {@link ListenResponse} the request produced:
 * whatever that response carries (punctuated words, speakers, redaction) reaches these formats too. Segments are
 * the response's utterances (cut at pauses), so the request asks for utterances.
 */
import { deflateSync } from "node:zlib";
import {
  type ListenResponse,
  type OpenAiDurationUsage,
  type OpenAiLogprob,
  type OpenAiTranscription,
  type OpenAiTranscriptionFormat,
  type OpenAiTranscriptionSegment,
  type OpenAiVerboseTranscription,
  toSRT,
  toWebVTT,
  type Word,
} from "@earshot/protocol";
import { round3 } from "../round.js";

export interface TranscriptionView {
  task: "transcribe" | "translate";
  format: OpenAiTranscriptionFormat;
  /** The language spoken (an ISO code), for verbose_json. */
  language: string;
  temperature: number;
  granularities: ("word" | "segment")[];
  logprobs: boolean;
}

const displayNames = new Intl.DisplayNames(["en"], { type: "language" });

/** Whisper names languages in English and lower case: `en` → `english`. */
export function languageName(code: string): string {
  const base = code.split(/[-_]/)[0]!.toLowerCase();
  try {
    return (displayNames.of(base) ?? base).toLowerCase();
  } catch {
    return base;
  }
}

export const durationUsage = (seconds: number): OpenAiDurationUsage => ({
  type: "duration",
  seconds: Math.ceil(seconds),
});

const wordText = (word: Word): string => word.punctuated_word ?? word.word;

/** A word's confidence as a log probability, the unit OpenAI reports (a word is our token). */
const logprobOf = (confidence: number): number => round3(Math.log(Math.max(confidence, 1e-6)));

export function logprobsOf(words: Word[]): OpenAiLogprob[] {
  return words.map((word) => ({
    token: wordText(word),
    logprob: logprobOf(word.confidence),
    bytes: [...Buffer.from(wordText(word))],
  }));
}

/** Text size over its deflated size: Whisper's measure of repetitive (hallucinated) output. */
function compressionRatio(text: string): number {
  const bytes = Buffer.from(text);
  return bytes.byteLength === 0 ? 0 : round3(bytes.byteLength / deflateSync(bytes).byteLength);
}

function segmentsOf(response: ListenResponse, temperature: number): OpenAiTranscriptionSegment[] {
  return (response.results.utterances ?? []).map((utterance, id) => {
    // Whisper's segments start with the space that separates them from the previous one.
    const text = ` ${utterance.transcript}`;
    const logprobs = utterance.words.map((w) => logprobOf(w.confidence));
    return {
      id,
      seek: Math.round(utterance.start * 100),
      start: utterance.start,
      end: utterance.end,
      text,
      // Whisper's token ids mean nothing for other recognisers.
      tokens: [],
      temperature,
      avg_logprob: logprobs.length ? round3(logprobs.reduce((a, b) => a + b, 0) / logprobs.length) : 0,
      compression_ratio: compressionRatio(text),
      // Segments are cut where the voice activity detector heard speech.
      no_speech_prob: 0,
    };
  });
}

/** The body and media type OpenAI answers `response_format` with. */
export function transcriptionBody(
  response: ListenResponse,
  view: TranscriptionView,
): { body: string | OpenAiTranscription | OpenAiVerboseTranscription; contentType: string } {
  const alternative = response.results.channels[0]?.alternatives[0];
  const text = alternative?.transcript ?? "";
  const usage = durationUsage(response.metadata.duration);
  const plain = "text/plain; charset=utf-8";
  switch (view.format) {
    case "text":
      return { body: `${text}\n`, contentType: plain };
    case "srt":
      return { body: toSRT(response), contentType: plain };
    case "vtt":
      return { body: toWebVTT(response), contentType: plain };
    case "verbose_json": {
      const granularities = view.granularities.length ? view.granularities : ["segment"];
      return {
        body: {
          task: view.task,
          language: languageName(view.task === "translate" ? "en" : view.language),
          duration: response.metadata.duration,
          text,
          ...(granularities.includes("segment") ? { segments: segmentsOf(response, view.temperature) } : {}),
          ...(granularities.includes("word")
            ? { words: (alternative?.words ?? []).map((w) => ({ word: wordText(w), start: w.start, end: w.end })) }
            : {}),
          usage,
        },
        contentType: "application/json",
      };
    }
    case "json":
      return {
        body: { text, ...(view.logprobs ? { logprobs: logprobsOf(alternative?.words ?? []) } : {}), usage },
        contentType: "application/json",
      };
  }
}
