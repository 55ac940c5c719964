/** A job as the stores keep it, and how each API reads it. Times are epoch milliseconds. */
import type {
  CallbackAttempt,
  CallbackState,
  ErrorBody,
  Job,
  JobKind,
  JobStatus,
  ListenOptions,
  ListenResponse,
} from "@earshot/protocol";

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
  error: (ErrorBody & { status: number }) | null;
  result: ListenResponse | null;
  /** What an API family keeps for its own view (Gladia: request_params, custom_metadata, file). */
  meta: Record<string, unknown>;
}

/** The record of `job` as a new attempt starts: processing from zero, one more attempt. */
export function startAttempt(job: JobRecord): JobRecord {
  return { ...job, status: "processing", progress: 0, attempts: job.attempts + 1, startedAt: Date.now() };
}

export type JobPatch = Partial<Omit<JobRecord, "id" | "kind" | "createdAt">>;

export interface Tombstone {
  reason: "expired" | "deleted";
  at: number;
}

export interface JobListFilter {
  statuses?: JobStatus[] | undefined;
  limit: number;
  offset: number;
}

/** The durable record of every job: SQLite in embedded mode, Redis when scaled out. */
export interface JobStore {
  create(job: JobRecord): Promise<void>;
  get(id: string): Promise<JobRecord | undefined>;
  /** Newest first. */
  list(filter: JobListFilter): Promise<{ jobs: JobRecord[]; total: number }>;
  /** Applies `patch` if the job still exists (a cancelled job stays gone); returns whether it did. */
  update(id: string, patch: JobPatch): Promise<boolean>;
  /** Deletes the job and leaves a tombstone, so a later lookup can say why it is gone. */
  remove(id: string, reason: Tombstone["reason"]): Promise<void>;
  tombstone(id: string): Promise<Tombstone | undefined>;
  /** Jobs whose retention ran out at `now`. */
  expired(now: number, limit: number): Promise<JobRecord[]>;
  close(): Promise<void>;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The native `/v1/jobs` view. */
export function jobView(job: JobRecord, withResult = true): Job {
  return {
    request_id: job.id,
    kind: job.kind,
    status: job.status,
    progress: Math.round(job.progress * 1000) / 1000,
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
