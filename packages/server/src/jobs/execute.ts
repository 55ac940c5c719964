/**
 * Running one job, the same in every mode: get its audio (fetching a URL job's file the first time), transcribe
 * it on the engine with progress written to the store, and record the outcome. Whether and when a failed job
 * runs again is the caller's (the embedded runner or the BullMQ worker) business.
 */
import type { Transcript } from "@earshot/engine";
import { CapacityError, NotFoundError } from "@earshot/protocol";
import type { ServerEngine } from "../engine.js";
import { toEarshotError } from "../errors.js";
import type { UrlFetcher } from "../listen/fetch-url.js";
import { rawFormatOf, transcribeOptionsOf } from "../listen/request.js";
import { buildListenResponse } from "../listen/response.js";
import type { BlobStore } from "../storage/blob-store.js";
import { completed, failed, type JobError, type JobRecord, type JobStore } from "./record.js";

export interface ExecuteDeps {
  store: JobStore;
  blobs: BlobStore;
  engine: ServerEngine;
  urls: UrlFetcher;
  retentionMs: number;
  /**
   * Transcribes a job's audio somewhere other than `engine.transcribe` (a long file fanned out over every worker
   * process). `onProgress` answers false once the job is gone; the result is then undefined.
   */
  transcribe?: (
    job: JobRecord,
    audio: Uint8Array,
    onProgress: (fraction: number) => Promise<boolean>,
  ) => Promise<Transcript | undefined>;
  /** Told when a job ends for good, with what it transcribed or why it failed (the request log, metrics). */
  onSettled?: (job: JobRecord, outcome: { transcript?: Transcript; error?: JobError }) => void | Promise<void>;
}

/**
 * `done`/`error`: final, written. `retry`: a transient failure with attempts left, nothing written yet.
 * `busy`: the engine was full, try later without counting the attempt. `gone`: cancelled meanwhile.
 */
export type ExecuteOutcome = { outcome: "done" | "error" | "gone" } | { outcome: "retry" | "busy"; error: JobError };

const PROGRESS_INTERVAL_MS = 250;

/** What the engine needs to read a job's audio: its stored options and the raw format they imply. */
export const jobListen = (job: JobRecord) => ({ options: job.options, raw: rawFormatOf(job.options) });

async function audioOf(job: JobRecord, deps: ExecuteDeps): Promise<Uint8Array> {
  if (job.audioKey) {
    const audio = await deps.blobs.get(job.audioKey);
    if (!audio) throw new NotFoundError(`The audio of job ${job.id} is no longer in the blob store.`);
    return audio;
  }
  // Fetched by the worker, not at submission, so the submitting request returns at once; stored so a retry
  // does not download it again.
  const audio = await deps.urls.fetch(job.source.url ?? "");
  const audioKey = `audio/${job.id}`;
  await deps.blobs.put(audioKey, audio);
  await deps.store.update(job.id, { audioKey, source: { ...job.source, size: audio.byteLength } });
  return audio;
}

/** Runs `job`, which the caller has already marked `processing` with this attempt counted. */
export async function executeJob(job: JobRecord, deps: ExecuteDeps): Promise<ExecuteOutcome> {
  const { store } = deps;
  // A job deleted while it runs is noticed at its next progress write (the store no longer has it); the engine
  // then drops the pieces not yet started, so a cancelled job stops using CPU.
  const cancelled = new AbortController();
  try {
    const audio = await audioOf(job, deps);
    let last = 0;
    const onProgress = (fraction: number): void => {
      const now = Date.now();
      if (fraction >= 1 || now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      void store
        .update(job.id, { progress: fraction })
        .then((exists) => exists || cancelled.abort())
        .catch(() => {});
    };
    const transcript = deps.transcribe
      ? await deps.transcribe(job, audio, (progress) => store.update(job.id, { progress }))
      : await deps.engine.transcribe(audio, {
          ...transcribeOptionsOf(jobListen(job)),
          onProgress,
          signal: cancelled.signal,
        });
    if (!transcript) return { outcome: "gone" };
    const result = buildListenResponse(job.id, job.options, transcript);
    const saved = await store.update(job.id, completed(result, deps.retentionMs));
    if (saved) await deps.onSettled?.(job, { transcript });
    return { outcome: saved ? "done" : "gone" };
  } catch (err) {
    if (cancelled.signal.aborted) return { outcome: "gone" };
    const failure = toEarshotError(err);
    const error = { ...failure.toBody(job.id), status: failure.status };
    if (failure instanceof CapacityError) return { outcome: "busy", error };
    // A 4xx (undecodable audio, refused URL) fails the same way every time; anything else may be transient.
    if (failure.status >= 500 && job.attempts < job.maxAttempts) return { outcome: "retry", error };
    const saved = await store.update(job.id, failed(error, deps.retentionMs));
    if (saved) await deps.onSettled?.(job, { error });
    return { outcome: saved ? "error" : "gone" };
  }
}
