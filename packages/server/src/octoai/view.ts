/** OctoAI's Whisper output and its futures' poll answers, built from a listen response and the job record. */
import type { JobStatus, ListenResponse, OctoAiPoll, OctoAiStatus, OctoAiWhisperResponse } from "@earshot/protocol";
import type { JobRecord } from "../jobs/record.js";

const STATUS: Record<JobStatus, OctoAiStatus> = {
  queued: "pending",
  processing: "running",
  done: "completed",
  error: "failed",
};

const iso = (at: number | null): string | null => (at === null ? null : new Date(at).toISOString());

/** Segments are the response's utterances (cut at pauses), the text its transcript. */
export function octoAiWhisperResponse(response: ListenResponse, language: string): OctoAiWhisperResponse {
  const text = response.results.channels[0]?.alternatives[0]?.transcript ?? "";
  return {
    transcription: text,
    response: {
      segments: (response.results.utterances ?? []).map((utterance, id) => ({
        id,
        start: utterance.start,
        end: utterance.end,
        text: utterance.transcript,
      })),
      text,
      language,
    },
  };
}

export function octoAiPoll(job: JobRecord, responseUrl: string): OctoAiPoll {
  const status = STATUS[job.status];
  return {
    response_id: job.id,
    status,
    created_at: iso(job.createdAt)!,
    completed_at: iso(job.completedAt),
    ...(status === "completed" ? { response_url: responseUrl } : {}),
    ...(job.error ? { error: job.error.err_msg } : {}),
  };
}
