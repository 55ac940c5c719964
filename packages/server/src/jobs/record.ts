/**
 * A job as the stores keep it, the transitions between its states, and how the native API reads it. Every
 * state change is written here once, whichever mode (embedded runner or BullMQ worker) makes it. Times are
 * epoch milliseconds.
 */
import {
  type CallbackAttempt,
  type CallbackState,
  type ErrorBody,
  ErrorCode,
  type Job,
  type JobKind,
  type JobStatus,
  type ListenOptions,
  type ListenResponse,
} from "@earshot/protocol";
import { round3 } from "../round.js";

export interface JobRecord {
  id: string;
  kind: JobKind;
  status: JobStatus;
  progress: number;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  expiresAt: number | null;
  attempts: number;
  maxAttempts: number;
  /** Parsed `/v1/listen` options, applied when the job runs. */
  options: ListenOptions;
  source: { type: "upload" | "url"; url: string | null; size: number | null };
  /** Blob key of the audio once it is stored (uploads at once, URLs when a worker has fetched them). */
  audioKey: string | null;
  callback: { url: string; method: "POST" | "PUT"; state: CallbackState; attempts: CallbackAttempt[] } | null;
  error: JobError | null;
  result: ListenResponse | null;
  /** What an API family keeps for its own view (Gladia: request_params, custom_metadata, file). */
  meta: Record<string, unknown>;
  /**
   * Who submitted it: the project and key of the request. Reads, lists and deletes through the API see only
   * their own project's jobs.
   */
  owner?: JobOwner | null;
}

export interface JobOwner {
  projectId: string;
  apiKeyId: string;
}

export type JobPatch = Partial<Omit<JobRecord, "id" | "kind" | "createdAt">>;

export type JobError = ErrorBody & { status: number };

/** How long "expired" or "deleted" is remembered for a job id; after that a lookup is a plain 404. */
export const TOMBSTONE_MS = 7 * 24 * 3600 * 1000;

/** The record of `job` as a new attempt starts: processing from zero, one more attempt. */
export function startAttempt(job: JobRecord): JobRecord {
  return { ...job, status: "processing", progress: 0, attempts: job.attempts + 1, startedAt: Date.now() };
}

/** A job ends (done or failed) now and is deleted once the retention period has passed. */
function ended(retentionMs: number): Pick<JobRecord, "completedAt" | "expiresAt"> {
  const now = Date.now();
  return { completedAt: now, expiresAt: now + retentionMs };
}

export function completed(result: ListenResponse, retentionMs: number): JobPatch {
  return { status: "done", progress: 1, result, error: null, ...ended(retentionMs) };
}

export function failed(error: JobError, retentionMs: number): JobPatch {
  return { status: "error", error, ...ended(retentionMs) };
}

/** Its worker stopped (crashed, was killed) during every attempt it had: it ends in error. */
export const outOfAttempts = (job: JobRecord): boolean => job.attempts >= job.maxAttempts;

export function interrupted(job: JobRecord, retentionMs: number): JobPatch {
  return failed(
    {
      status: 500,
      err_code: ErrorCode.Internal,
      err_msg: `Job ${job.id} was interrupted ${job.attempts} times (its worker stopped) and will not be retried.`,
      request_id: job.id,
    },
    retentionMs,
  );
}

/**
 * Back to the queue after attempt `started` failed: a transient failure keeps its error (and its counted
 * attempt); a full engine (`busy`) is not the job's fault, so that attempt is not counted.
 */
export function requeued(started: JobRecord, reason: { outcome: "retry" | "busy"; error: JobError }): JobPatch {
  return {
    status: "queued",
    progress: 0,
    ...(reason.outcome === "busy" ? { attempts: started.attempts - 1 } : { error: reason.error }),
  };
}

export interface Tombstone {
  reason: "expired" | "deleted";
  at: number;
}

export interface JobListFilter {
  statuses?: JobStatus[] | undefined;
  /** Only this project's jobs (and those from before owners were recorded). */
  projectId?: string | undefined;
  limit: number;
  offset: number;
}

/**
 * Whether `patch` changes where a job stands (its status or progress). Such a patch is refused by the stores
 * once the job has ended: `done` and `error` are final, so a second run of the same job (its worker was
 * presumed dead and it was taken over) can neither complete it again nor reopen it, and stops at its next
 * progress write as if the job had been cancelled.
 */
export const movesState = (patch: JobPatch): boolean => patch.status !== undefined || patch.progress !== undefined;

/** The durable record of every job: SQLite in embedded mode, Redis when scaled out. */
export interface JobStore {
  create(job: JobRecord): Promise<void>;
  get(id: string): Promise<JobRecord | undefined>;
  /** Newest first. */
  list(filter: JobListFilter): Promise<{ jobs: JobRecord[]; total: number }>;
  /**
   * Applies `patch` if the job still exists (a cancelled job stays gone) and, for a patch that {@link movesState},
   * has not ended; returns whether it did.
   */
  update(id: string, patch: JobPatch): Promise<boolean>;
  /** Deletes the job and leaves a tombstone, so a later lookup can say why it is gone. */
  remove(id: string, reason: Tombstone["reason"]): Promise<void>;
  tombstone(id: string): Promise<Tombstone | undefined>;
  /** Jobs whose retention ran out at `now`. */
  expired(now: number, limit: number): Promise<JobRecord[]>;
  /** The store's own housekeeping, run with the retention sweep (tombstones older than {@link TOMBSTONE_MS}). */
  prune(now: number): Promise<void>;
  close(): Promise<void>;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The native `/v1/jobs` view. */
export function jobView(job: JobRecord, withResult = true): Job {
  return {
    request_id: job.id,
    kind: job.kind,
    status: job.status,
    progress: round3(job.progress),
    created_at: iso(job.createdAt)!,
    started_at: iso(job.startedAt),
    completed_at: iso(job.completedAt),
    expires_at: iso(job.expiresAt),
    attempts: job.attempts,
    max_attempts: job.maxAttempts,
    options: job.options,
    source: job.source,
    callback: job.callback,
    error: job.error,
    ...(withResult && job.result ? { result: job.result } : {}),
  };
}
