/**
 * The request log: one record per speech request or stream, per project and key — what was asked, of which
 * model, how much audio or text, how it ended, how long it took. Never audio, never transcript text. Records
 * are kept as long as jobs are (`EARSHOT_JOB_RETENTION_SECONDS`).
 *
 * An async request (a callback, a job) is logged when it is accepted and completed when its job ends, which may
 * happen first (a short job, a slow log write): the completion is kept apart and merged into the record on
 * every read, so neither write waits for the other.
 */
import type { Transcript } from "@earshot/engine";
import type { RequestMethod } from "@earshot/protocol";
import type { JobError } from "../jobs/record.js";

export interface RequestRecord {
  requestId: string;
  projectId: string;
  apiKeyId: string;
  /** Epoch ms. */
  created: number;
  path: string;
  /** API family: `listen`, `speak`, `read`, … */
  endpoint: string;
  method: RequestMethod;
  /** HTTP status (101 for a stream that opened). */
  code: number;
  durationMs: number;
  models: string[];
  audioSeconds: number | null;
  characters: number | null;
  channels: number | null;
  features: string[];
  tags: string[];
  callback: string | null;
  /** Epoch ms when the result was ready. */
  completed: number | null;
}

/** What the end of an async request adds to its record. */
export type RequestCompletion = Partial<Pick<RequestRecord, "audioSeconds" | "channels" | "models" | "completed">> & {
  /** The job's own outcome (its error status), when it failed. */
  code?: number;
};

/** The completion of a job that ended with `transcript`, or failed with `error`. */
export function completionOf(outcome: { transcript?: Transcript; error?: JobError }): RequestCompletion {
  const { transcript, error } = outcome;
  return {
    completed: Date.now(),
    ...(transcript
      ? { audioSeconds: transcript.duration, channels: transcript.channelCount, models: [transcript.model.name] }
      : {}),
    ...(error ? { code: error.status } : {}),
  };
}

export function withCompletion(record: RequestRecord, completion: RequestCompletion | undefined): RequestRecord {
  if (!completion) return record;
  const defined = Object.fromEntries(Object.entries(completion).filter(([, v]) => v !== undefined && v !== null));
  return { ...record, ...defined };
}

export interface RequestLog {
  add(record: RequestRecord): Promise<void>;
  complete(requestId: string, completion: RequestCompletion): Promise<void>;
  get(requestId: string): Promise<RequestRecord | undefined>;
  /** The project's records created in [start, end], newest first. */
  range(projectId: string, start: number, end: number): Promise<RequestRecord[]>;
  /** Deletes records created before `before`. */
  prune(before: number): Promise<void>;
  close(): Promise<void>;
}
