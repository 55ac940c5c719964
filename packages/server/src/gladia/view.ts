/** A job as Gladia's v2 API shows it, built from the job record and its Deepgram result. */
import type { GladiaCallbackBody, GladiaJob, GladiaResult, ListenResponse } from "@earshot/protocol";
import type { JobRecord } from "../jobs/record.js";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function gladiaResult(job: JobRecord, response: ListenResponse): GladiaResult {
  const { metadata, results } = response;
  // The language the engine found (Gladia always reports one), else the one the job asked for.
  const detected = results.channels.map((c) => c.detected_language);
  const language = detected.find((l) => l !== undefined) ?? job.options.language ?? "en";
  return {
    metadata: {
      audio_duration: metadata.duration,
      number_of_distinct_channels: metadata.channels,
      billing_time: metadata.duration,
      transcription_time:
        job.startedAt !== null && job.completedAt !== null ? (job.completedAt - job.startedAt) / 1000 : 0,
    },
    transcription: {
      full_transcript: results.channels.map((c) => c.alternatives[0]?.transcript ?? "").join("\n"),
      languages: [...new Set(detected.map((l) => l ?? language))],
      utterances: (results.utterances ?? []).map((u) => ({
        start: u.start,
        end: u.end,
        confidence: u.confidence,
        channel: u.channel,
        speaker: u.speaker ?? 0,
        language: detected[u.channel] ?? language,
        text: u.transcript,
        words: u.words.map((w) => ({
          word: w.punctuated_word ?? w.word,
          start: w.start,
          end: w.end,
          confidence: w.confidence,
        })),
      })),
    },
  };
}

/** The last path segment; null for a URL that does not parse (a record stored before URLs were validated). */
function fileNameOf(url: string): string | null {
  return URL.canParse(url) ? (new URL(url).pathname.split("/").pop() ?? null) : null;
}

type FileMeta = NonNullable<GladiaJob["file"]>;

export function gladiaView(job: JobRecord): GladiaJob {
  const uploaded = job.meta.file as FileMeta | undefined;
  const file: FileMeta = uploaded ?? {
    id: job.id,
    filename: job.source.url ? fileNameOf(job.source.url) : null,
    source: job.source.url,
    audio_duration: null,
    number_of_channels: null,
  };
  return {
    id: job.id,
    request_id: `G-${job.id}`,
    version: 2,
    kind: "pre-recorded",
    status: job.status,
    created_at: iso(job.createdAt)!,
    completed_at: iso(job.completedAt),
    custom_metadata: (job.meta.custom_metadata as Record<string, unknown> | undefined) ?? null,
    error_code: job.error?.status ?? null,
    file: job.result
      ? { ...file, audio_duration: job.result.metadata.duration, number_of_channels: job.result.metadata.channels }
      : file,
    request_params: (job.meta.request_params as Record<string, unknown> | undefined) ?? {},
    result: job.result ? gladiaResult(job, job.result) : null,
  };
}

export function gladiaCallbackBody(job: JobRecord): GladiaCallbackBody {
  return job.result
    ? { id: job.id, event: "transcription.success", payload: gladiaResult(job, job.result) }
    : {
        id: job.id,
        event: "transcription.error",
        payload: job.error ? { error_code: job.error.status, message: job.error.err_msg } : null,
      };
}
