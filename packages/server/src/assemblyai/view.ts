/**
 * A job as AssemblyAI's v2 API shows it, built from the job record and its Deepgram-shaped result: times in
 * milliseconds, speakers as letters, the request's fields echoed back (never the webhook's auth value).
 */
import type {
  AssemblyAiListItem,
  AssemblyAiParagraphs,
  AssemblyAiSentence,
  AssemblyAiSentences,
  AssemblyAiStatus,
  AssemblyAiTranscript,
  AssemblyAiTranscriptRequest,
  AssemblyAiWebhookBody,
  AssemblyAiWord,
  JobStatus,
  ListenResponse,
  Word,
} from "@earshot/protocol";
import type { JobRecord } from "../jobs/record.js";

/** What an AssemblyAI job keeps beside the listen request. */
export interface AssemblyAiMeta {
  /** The request as sent, less `webhook_auth_header_value` (kept below, never shown). */
  request: AssemblyAiTranscriptRequest;
  /** The header AssemblyAI sends with the webhook, when the client asked for one. */
  webhook_auth?: { name: string; value: string };
}

const STATUS: Record<JobStatus, AssemblyAiStatus> = {
  queued: "queued",
  processing: "processing",
  done: "completed",
  error: "error",
};
export const assemblyAiStatus = (status: JobStatus): AssemblyAiStatus => STATUS[status];

const ms = (seconds: number): number => Math.round(seconds * 1000);
const iso = (at: number | null): string | null => (at === null ? null : new Date(at).toISOString());
const meta = (job: JobRecord): AssemblyAiMeta => job.meta as unknown as AssemblyAiMeta;

/** Deepgram's speaker numbers as AssemblyAI's letters: 0 → "A". */
const speakerLabel = (speaker: number | undefined): string =>
  speaker === undefined || speaker > 25 ? String(speaker ?? "A") : String.fromCharCode(65 + speaker);

const mean = (values: number[]): number => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);

interface Options {
  speakers: boolean;
  /** Channel numbers as AssemblyAI counts them ("1", "2"), on multichannel transcripts. */
  channel: number | undefined;
}

function wordOf(word: Word, options: Options): AssemblyAiWord {
  return {
    text: word.punctuated_word ?? word.word,
    start: ms(word.start),
    end: ms(word.end),
    confidence: word.confidence,
    speaker: options.speakers ? speakerLabel(word.speaker) : null,
    ...(options.channel === undefined ? {} : { channel: String(options.channel + 1) }),
  };
}

const multichannel = (job: JobRecord): boolean => job.options.multichannel === true;
const speakers = (job: JobRecord): boolean => job.options.diarize === true;

/** Every channel's words on one timeline. */
function wordsOf(job: JobRecord, response: ListenResponse): AssemblyAiWord[] {
  return response.results.channels
    .flatMap((channel, index) =>
      (channel.alternatives[0]?.words ?? []).map((word) =>
        wordOf(word, { speakers: speakers(job), channel: multichannel(job) ? index : undefined }),
      ),
    )
    .sort((a, b) => a.start - b.start);
}

function resultFields(job: JobRecord, response: ListenResponse) {
  const alternatives = response.results.channels.map((channel) => channel.alternatives[0]);
  const words = wordsOf(job, response);
  const grouped = speakers(job) || multichannel(job);
  return {
    text: alternatives.map((alternative) => alternative?.transcript ?? "").join(multichannel(job) ? "\n" : " "),
    words,
    utterances: grouped
      ? (response.results.utterances ?? []).map((utterance) => {
          const options = { speakers: true, channel: multichannel(job) ? utterance.channel : undefined };
          return {
            text: utterance.transcript,
            start: ms(utterance.start),
            end: ms(utterance.end),
            confidence: utterance.confidence,
            speaker: speakerLabel(utterance.speaker),
            ...(options.channel === undefined ? {} : { channel: String(options.channel + 1) }),
            words: utterance.words.map((word) => wordOf(word, options)),
          };
        })
      : null,
    confidence: mean(alternatives.map((alternative) => alternative?.confidence ?? 0)),
    audio_duration: response.metadata.duration,
    ...(multichannel(job) ? { audio_channels: response.metadata.channels } : {}),
  };
}

export function assemblyAiTranscript(job: JobRecord): AssemblyAiTranscript {
  const { request, webhook_auth } = meta(job);
  const attempts = job.callback?.attempts ?? [];
  return {
    ...request,
    id: job.id,
    status: assemblyAiStatus(job.status),
    audio_url: request.audio_url,
    text: null,
    words: null,
    utterances: null,
    confidence: null,
    audio_duration: null,
    language_code: request.language_code ?? "en_us",
    language_detection: request.language_detection ?? false,
    language_confidence: null,
    punctuate: request.punctuate ?? true,
    format_text: request.format_text ?? true,
    speaker_labels: request.speaker_labels ?? false,
    multichannel: request.multichannel ?? null,
    word_boost: request.word_boost ?? [],
    redact_pii: request.redact_pii ?? false,
    speech_model: request.speech_model ?? null,
    acoustic_model: "assemblyai_default",
    language_model: "assemblyai_default",
    webhook_url: request.webhook_url ?? null,
    webhook_auth: webhook_auth !== undefined,
    webhook_auth_header_name: webhook_auth?.name ?? null,
    webhook_status_code: attempts.at(-1)?.status_code ?? null,
    auto_highlights: false,
    summarization: request.summarization ?? false,
    throttled: null,
    ...(job.result ? resultFields(job, job.result) : {}),
    ...(job.error ? { error: job.error.err_msg } : {}),
  };
}

export function assemblyAiListItem(job: JobRecord, resourceUrl: string): AssemblyAiListItem {
  return {
    id: job.id,
    resource_url: resourceUrl,
    status: assemblyAiStatus(job.status),
    created: iso(job.createdAt)!,
    completed: iso(job.completedAt),
    audio_url: meta(job).request.audio_url,
    error: job.error?.err_msg ?? null,
  };
}

/** Sentences from the response's paragraphs, each with the words its time span covers. */
function sentencesOf(job: JobRecord, response: ListenResponse): AssemblyAiSentence[] {
  return response.results.channels.flatMap((channel, index) => {
    const alternative = channel.alternatives[0];
    const options = { speakers: speakers(job), channel: multichannel(job) ? index : undefined };
    const words = (alternative?.words ?? []).map((word) => ({ word, converted: wordOf(word, options) }));
    return (alternative?.paragraphs?.paragraphs ?? []).flatMap((paragraph) =>
      paragraph.sentences.map((sentence) => {
        const own = words.filter(
          ({ word }) => word.start >= sentence.start - 0.001 && word.end <= sentence.end + 0.001,
        );
        return {
          text: sentence.text,
          start: ms(sentence.start),
          end: ms(sentence.end),
          confidence: mean(own.map(({ word }) => word.confidence)),
          speaker: options.speakers ? speakerLabel(paragraph.speaker) : null,
          ...(options.channel === undefined ? {} : { channel: String(options.channel + 1) }),
          words: own.map(({ converted }) => converted),
        };
      }),
    );
  });
}

export function assemblyAiSentences(job: JobRecord, response: ListenResponse): AssemblyAiSentences {
  return {
    id: job.id,
    confidence: resultFields(job, response).confidence,
    audio_duration: response.metadata.duration,
    sentences: sentencesOf(job, response),
  };
}

/** Paragraphs: the sentences of each of the response's paragraphs, joined. */
export function assemblyAiParagraphs(job: JobRecord, response: ListenResponse): AssemblyAiParagraphs {
  const sentences = sentencesOf(job, response);
  const paragraphs = response.results.channels.flatMap(
    (channel) => channel.alternatives[0]?.paragraphs?.paragraphs ?? [],
  );
  let next = 0;
  return {
    id: job.id,
    confidence: resultFields(job, response).confidence,
    audio_duration: response.metadata.duration,
    paragraphs: paragraphs.map((paragraph) => {
      const own = sentences.slice(next, next + paragraph.sentences.length);
      next += paragraph.sentences.length;
      const words = own.flatMap((sentence) => sentence.words);
      return {
        text: own.map((sentence) => sentence.text).join(" "),
        start: ms(paragraph.start),
        end: ms(paragraph.end),
        confidence: mean(words.map((word) => word.confidence)),
        words,
      };
    }),
  };
}

/** AssemblyAI's webhook: the id and outcome, with the client's own auth header when it gave one. */
export function assemblyAiWebhook(job: JobRecord): { body: string; headers: Record<string, string> } {
  const body: AssemblyAiWebhookBody = { transcript_id: job.id, status: job.status === "done" ? "completed" : "error" };
  const auth = meta(job).webhook_auth;
  return { body: JSON.stringify(body), headers: auth ? { [auth.name]: auth.value } : {} };
}
