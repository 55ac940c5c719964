/**
 * Transcription jobs (`/v1/jobs`, an Earshot extension): submit now, collect later. A submitted job is a
 * {@link Job} future — poll it (`isReady`, `wait`, `result`) or listen to it (`on("progress" | "done" | "error")`)
 * — and many inputs run through `gather` (all results, in input order) or `asCompleted` (as they finish),
 * each item reporting its own success or failure.
 */
import type {
  JobAcceptedResponse,
  JobDeletedResponse,
  Job as JobInfo,
  JobListResponse,
  JobStatus,
  ListenOptionsInput,
  ListenResponse,
} from "@earshot/protocol";
import { EarshotError, toQuery } from "@earshot/protocol/core";
import { type APIPromise, mapResult } from "../core/api-promise.js";
import { Emitter, type Listener } from "../core/emitter.js";
import { type RequestOptions, sleep, type Transport } from "../core/request.js";
import { type AudioSource, replayable } from "./listen.js";

/** What a job transcribes: audio bytes, or a URL the server fetches. */
export type JobSource = AudioSource | { url: string };

export interface JobWaitOptions {
  /** Stops waiting (the job itself keeps running; `cancel()` stops it). */
  signal?: AbortSignal;
  /** Milliseconds between status requests. @default 1000 */
  pollInterval?: number;
  /** Called with the fraction of the audio transcribed whenever it moves. */
  onProgress?: (fraction: number) => void;
}

export interface JobListParams {
  status?: JobStatus | JobStatus[];
  limit?: number;
  offset?: number;
}

/** The job ended in `error`; `job` holds the server's detail. */
export class JobFailedError extends EarshotError {
  override name = "JobFailedError";
  readonly job: JobInfo;

  constructor(job: JobInfo) {
    const error = job.error;
    super(error?.status ?? 500, error?.err_code ?? "JOB_FAILED", error?.err_msg ?? `Job ${job.request_id} failed.`);
    this.job = job;
  }
}

export type JobEvents = {
  /** The fraction of the audio transcribed, whenever it moves. */
  progress: [number];
  done: [ListenResponse];
  /** The job failed ({@link JobFailedError}), or watching it did. */
  error: [EarshotError];
};

const DEFAULT_POLL_MS = 1000;

/** A submitted job. Every status read (by `wait`, `isReady`, `status` or the event watcher) fires the events. */
export class Job extends Emitter<JobEvents> {
  readonly id: string;
  /** Absolute URL of `GET /v1/jobs/{id}`. */
  readonly statusUrl: string;
  readonly #jobs: Jobs;
  #progress = -1;
  #settled = false;
  #watching = false;

  constructor(jobs: Jobs, id: string, statusUrl: string) {
    super();
    this.#jobs = jobs;
    this.id = id;
    this.statusUrl = statusUrl;
  }

  /** The job's current state, as `GET /v1/jobs/{id}` returns it. */
  status(options?: RequestOptions): APIPromise<JobInfo> {
    return mapResult(this.#jobs.get(this.id, options), (info) => {
      this.#observe(info);
      return info;
    });
  }

  /** True once the job has finished, successfully or not. */
  isReady(options?: RequestOptions): APIPromise<boolean> {
    return mapResult(this.status(options), ({ status }) => status === "done" || status === "error");
  }

  /** The transcript once the job is done (waiting for it if need be); throws {@link JobFailedError} if it failed. */
  result(options?: JobWaitOptions): Promise<ListenResponse> {
    return this.wait(options);
  }

  /** Polls until the job ends; resolves with its result, or throws {@link JobFailedError}. */
  async wait(options: JobWaitOptions = {}): Promise<ListenResponse> {
    const { signal, onProgress, pollInterval = DEFAULT_POLL_MS } = options;
    let last = -1;
    for (;;) {
      const info = await this.status(signal ? { signal } : {});
      if (onProgress && info.progress !== last) {
        last = info.progress;
        onProgress(info.progress);
      }
      if (info.status === "done" && info.result) return info.result;
      if (info.status === "error") throw new JobFailedError(info);
      await sleep(pollInterval, signal);
    }
  }

  /** Cancels the job if it has not finished, and deletes its audio and result on the server either way. */
  cancel(options?: RequestOptions): APIPromise<JobDeletedResponse> {
    return this.#jobs.cancel(this.id, options);
  }

  /** Adds a listener; the first one (`once` too) starts a background watcher that polls until the job ends. */
  override on<E extends keyof JobEvents>(event: E, listener: Listener<JobEvents[E]>): this {
    super.on(event, listener);
    this.#watch();
    return this;
  }

  override once<E extends keyof JobEvents>(event: E, listener: Listener<JobEvents[E]>): this {
    super.once(event, listener);
    this.#watch();
    return this;
  }

  #watch(): void {
    if (!this.#watching && !this.#settled) {
      this.#watching = true;
      this.wait().then(
        () => {},
        (error: unknown) => {
          // A failed job was already announced by #observe; only a failure to poll is news here.
          if (!(error instanceof JobFailedError))
            this.emit("error", error instanceof EarshotError ? error : toError(error));
        },
      );
    }
  }

  #observe(info: JobInfo): void {
    if (this.#settled) return;
    if (info.progress !== this.#progress) {
      this.#progress = info.progress;
      this.emit("progress", info.progress);
    }
    if (info.status === "done" && info.result) {
      this.#settled = true;
      this.emit("done", info.result);
    } else if (info.status === "error") {
      this.#settled = true;
      this.emit("error", new JobFailedError(info));
    }
  }
}

const toError = (error: unknown): EarshotError =>
  new EarshotError(500, "JOB_WATCH_FAILED", error instanceof Error ? error.message : String(error), { cause: error });

/** One input's outcome in `gather` / `asCompleted`: its result, or the error that stopped it. */
export type JobOutcome<I = JobSource> =
  | { ok: true; index: number; input: I; job: Job; result: ListenResponse }
  | { ok: false; index: number; input: I; job: Job | undefined; error: EarshotError };

export interface GatherOptions extends Omit<JobWaitOptions, "onProgress"> {
  /** Jobs submitted and not yet finished at any time. @default 4 */
  concurrency?: number;
  /** `/v1/listen` options for every job. */
  options?: ListenOptionsInput;
  /** Progress of each input, by its index. */
  onProgress?: (index: number, fraction: number) => void;
}

export class Jobs {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Submits audio bytes or a URL with `/v1/listen` options; resolves once the server has accepted the job.
   *
   * @example
   * const job = await client.jobs.submit(await readFile("talk.mp3"), { utterances: true });
   * job.on("progress", (f) => console.log(`${Math.round(f * 100)}%`));
   * const result = await job.result();
   */
  submit(source: JobSource, options: ListenOptionsInput = {}, requestOptions?: RequestOptions): APIPromise<Job> {
    const isUrl = typeof source === "object" && source !== null && "url" in source && typeof source.url === "string";
    const accepted = this.#transport.json<JobAcceptedResponse>(
      {
        method: "POST",
        path: "/v1/jobs",
        query: toQuery(options),
        ...(isUrl
          ? { body: JSON.stringify({ url: source.url }), headers: { "content-type": "application/json" } }
          : {
              body: replayable(source as AudioSource),
              headers: { "content-type": "application/octet-stream" },
            }),
      },
      requestOptions,
    );
    return mapResult(accepted, ({ request_id, status_url }) => new Job(this, request_id, status_url));
  }

  /** A {@link Job} handle for a job submitted earlier (by id). */
  job(id: string): Job {
    return new Job(this, id, "");
  }

  get(id: string, requestOptions?: RequestOptions): APIPromise<JobInfo> {
    return this.#transport.json({ method: "GET", path: `/v1/jobs/${encodeURIComponent(id)}` }, requestOptions);
  }

  /** Newest first, without results; `next_offset` pages on. */
  list(params: JobListParams = {}, requestOptions?: RequestOptions): APIPromise<JobListResponse> {
    return this.#transport.json({ method: "GET", path: "/v1/jobs", query: toQuery(params) }, requestOptions);
  }

  cancel(id: string, requestOptions?: RequestOptions): APIPromise<JobDeletedResponse> {
    return this.#transport.json({ method: "DELETE", path: `/v1/jobs/${encodeURIComponent(id)}` }, requestOptions);
  }

  /** Runs every input as a job, `concurrency` at a time, and resolves with all outcomes in input order. */
  async gather<I extends JobSource>(inputs: Iterable<I>, options: GatherOptions = {}): Promise<JobOutcome<I>[]> {
    const outcomes: JobOutcome<I>[] = [];
    for await (const outcome of this.asCompleted(inputs, options)) outcomes[outcome.index] = outcome;
    return outcomes;
  }

  /** Runs every input as a job, `concurrency` at a time, yielding each outcome as soon as its job ends. */
  async *asCompleted<I extends JobSource>(
    inputs: Iterable<I>,
    options: GatherOptions = {},
  ): AsyncGenerator<JobOutcome<I>> {
    const items = [...inputs];
    const concurrency = Math.max(1, options.concurrency ?? 4);
    const running = new Map<number, Promise<JobOutcome<I>>>();
    let next = 0;
    const fill = (): void => {
      while (running.size < concurrency && next < items.length) {
        const index = next++;
        running.set(index, this.#run(index, items[index]!, options));
      }
    };
    fill();
    while (running.size > 0) {
      const outcome = await Promise.race(running.values());
      running.delete(outcome.index);
      fill();
      yield outcome;
    }
  }

  async #run<I extends JobSource>(index: number, input: I, options: GatherOptions): Promise<JobOutcome<I>> {
    let job: Job | undefined;
    try {
      job = await this.submit(input, options.options, options.signal ? { signal: options.signal } : {});
      const { onProgress } = options;
      const result = await job.wait({
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.pollInterval ? { pollInterval: options.pollInterval } : {}),
        ...(onProgress ? { onProgress: (fraction: number) => onProgress(index, fraction) } : {}),
      });
      return { ok: true, index, input, job, result };
    } catch (error) {
      return { ok: false, index, input, job, error: error instanceof EarshotError ? error : toError(error) };
    }
  }
}
