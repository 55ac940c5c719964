/**
 * Crash drills for scale-out mode, shared by the chaos test (`test/chaos`) and the chaos benchmark
 * (`bench/src/chaos.ts`): a durable `redis-server`, an `earshot serve --redis` API node on a fixed port and an
 * `earshot worker`, each of which is killed with SIGKILL and started again; a callback receiver that checks every
 * signature and counts deliveries per job; live clients streaming real speech at real time through the SDK's
 * reconnecting client; and the audit of every job the server accepted.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { EarshotClient, type LiveConnection, verifyWebhook } from "@earshot/sdk";
import { type EarshotProcess, freePort, type RedisServer, startEarshot, startRedis } from "./processes.js";

export const CHAOS_SECRET = "chaos-webhook-secret";

export type ChaosTarget = "worker" | "api" | "redis";

/** One kill as it happened: when (performance.now() ms), how long until the process was back, what was running. */
export interface KillEvent {
  target: ChaosTarget;
  killedAt: number;
  backMs: number;
  inFlight: string[];
}

/** How one kill went: ms from the SIGKILL. */
export interface KillRecord {
  target: ChaosTarget;
  /** When, from the start of the run. */
  atMs: number;
  /** Until the process answered again (restarted and ready). */
  backMs: number;
  /** Jobs processing when it was killed. */
  inFlight: number;
  /** Until the next job completed (its callback arrived); null if none did. */
  nextDoneMs: number | null;
  /** Until every job processing at the kill was done; null if one never was. */
  inFlightDoneMs: number | null;
}

export interface ChaosClusterOptions {
  /** Engine threads of the worker process. */
  workerThreads: number;
  /** Settings for every process (lock, stalled check, reconcile interval). */
  env?: Record<string, string>;
}

/** Redis, one API node and one worker, each killable and restarted on the same address and data. */
export class ChaosCluster {
  readonly url: string;
  readonly client: EarshotClient;
  private api!: EarshotProcess;
  private worker!: EarshotProcess;

  private constructor(
    private readonly redis: RedisServer,
    private readonly port: number,
    private readonly options: ChaosClusterOptions,
    private readonly dir: string,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    // No retries of its own: a submission the server did not answer is not counted as accepted.
    this.client = new EarshotClient({ baseUrl: this.url, maxRetries: 0 });
  }

  static async start(options: ChaosClusterOptions): Promise<ChaosCluster> {
    const redis = await startRedis({ durable: true });
    const cluster = new ChaosCluster(redis, await freePort(), options, mkdtempSync(join(tmpdir(), "earshot-chaos-")));
    cluster.api = await cluster.startApi();
    cluster.worker = await cluster.startWorker();
    return cluster;
  }

  private get env(): Record<string, string> {
    return { EARSHOT_URL_ALLOW: "127.0.0.0/8", EARSHOT_WEBHOOK_SECRET: CHAOS_SECRET, ...this.options.env };
  }

  private get shared(): string[] {
    return ["--redis", this.redis.url, "--blob-dir", join(this.dir, "blobs")];
  }

  private startApi(): Promise<EarshotProcess> {
    const args = ["serve", "--port", String(this.port), "--workers", "1", "--data-dir", this.dir, ...this.shared];
    return startEarshot(args, this.env);
  }

  private startWorker(): Promise<EarshotProcess> {
    return startEarshot(["worker", "--threads", String(this.options.workerThreads), ...this.shared], this.env);
  }

  /** Ids of the jobs processing now, read through the API. */
  async processing(): Promise<string[]> {
    const { jobs } = await this.client.jobs.list({ status: "processing", limit: 1000 });
    return jobs.map((job) => job.request_id);
  }

  /** SIGKILLs `target`, waits `downMs`, starts it again once it is ready. */
  async crash(target: ChaosTarget, downMs: number): Promise<KillEvent> {
    const inFlight = await this.processing().catch(() => []);
    const killed = performance.now();
    if (target === "redis") {
      await this.redis.kill("SIGKILL");
      await sleep(downMs);
      await this.redis.restart();
    } else if (target === "api") {
      await this.api.kill("SIGKILL");
      await sleep(downMs);
      this.api = await this.startApi();
    } else {
      await this.worker.kill("SIGKILL");
      await sleep(downMs);
      this.worker = await this.startWorker();
    }
    return { target, killedAt: killed, backMs: performance.now() - killed, inFlight };
  }

  async close(): Promise<void> {
    await Promise.all([this.api.kill(), this.worker.kill()]);
    await this.redis.close();
  }
}

interface Delivery {
  at: number;
  /** The `request_id` the body carries. */
  requestId: string | undefined;
}

/** Receives callbacks, verifies each signature, and keeps every delivery by webhook id (`msg_<job id>`). */
export class CallbackReceiver {
  readonly deliveries = new Map<string, Delivery[]>();
  /** Deliveries whose signature did not verify. */
  invalid = 0;
  private arrivals: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<CallbackReceiver> {
    let receiver: CallbackReceiver | undefined;
    const server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on("data", (chunk: Buffer) => parts.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(parts).toString();
        res.end();
        void receiver!.record(body, req.headers);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    receiver = new CallbackReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
    return receiver;
  }

  private async record(body: string, headers: Record<string, string | string[] | undefined>): Promise<void> {
    try {
      const payload = await verifyWebhook<{ metadata?: { request_id?: string }; request_id?: string }>(
        body,
        headers,
        CHAOS_SECRET,
      );
      const id = String(headers["webhook-id"] ?? "").replace(/^msg_/, "");
      const list = this.deliveries.get(id) ?? [];
      list.push({ at: performance.now(), requestId: payload.metadata?.request_id ?? payload.request_id });
      this.deliveries.set(id, list);
      for (const wake of this.arrivals.splice(0)) wake();
    } catch {
      this.invalid++;
    }
  }

  /** Resolves at the next delivery. */
  next(): Promise<void> {
    return new Promise((resolve) => this.arrivals.push(resolve));
  }

  /** Time of the first delivery after `since` (performance.now() ms), of any job or of one of `ids`. */
  firstAfter(since: number, ids?: string[]): number | undefined {
    const times = [...this.deliveries.entries()]
      .filter(([id]) => !ids || ids.includes(id))
      .flatMap(([, list]) => list.map((d) => d.at))
      .filter((at) => at >= since);
    return times.length ? Math.min(...times) : undefined;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}

/** Submits jobs with a callback to `receiver`; only those answered 202 count as accepted. */
export class JobSubmitter {
  readonly accepted: string[] = [];
  /** Submissions the server did not accept (it was down): they are tried again. */
  refused = 0;

  constructor(
    private readonly client: EarshotClient,
    private readonly receiver: CallbackReceiver,
  ) {}

  /** Submits `audio`, trying again every 250 ms until the server accepts it. */
  async submit(audio: Uint8Array): Promise<string> {
    for (;;) {
      try {
        const job = await this.client.jobs.submit(audio, { callback: this.receiver.url });
        this.accepted.push(job.id);
        return job.id;
      } catch {
        this.refused++;
        await sleep(250);
      }
    }
  }
}

export interface JobAudit {
  accepted: number;
  /** Done, with its own result, and its callback delivered exactly once. */
  done: number;
  /** Delivered more than once (each extra delivery of a job counted once per job). */
  duplicated: number;
  /** Accepted, and gone, or not ended by the deadline. */
  lost: number;
  errored: number;
  /** Done but without a callback, or a result or callback that carries another job's id. */
  wrong: number;
  /** Callbacks of jobs no 202 told us about (a submission whose answer a kill cut off). */
  unexpected: number;
  /** Callbacks whose signature did not verify. */
  invalid: number;
  /** Ids of every job not counted as done, with why. */
  problems: string[];
}

/** Waits (until `deadline`, performance.now() ms) for every accepted job to end and its callback to arrive. */
export async function auditJobs(
  client: EarshotClient,
  accepted: string[],
  receiver: CallbackReceiver,
  deadline: number,
): Promise<JobAudit> {
  const ended = new Map<string, { status: string; requestId: string | undefined }>();
  while (performance.now() < deadline) {
    for (const id of accepted) {
      if (ended.has(id)) continue;
      const job = await client.jobs.get(id).catch(() => undefined);
      if (job && (job.status === "done" || job.status === "error")) {
        ended.set(id, { status: job.status, requestId: job.result?.metadata.request_id });
      }
    }
    const settled = accepted.every((id) => ended.has(id) && receiver.deliveries.has(id));
    if (settled) break;
    await Promise.race([receiver.next(), sleep(500)]);
  }
  // Late duplicates of the last deliveries show up within a retry's delay.
  await sleep(1500);
  const audit: JobAudit = {
    accepted: accepted.length,
    done: 0,
    duplicated: 0,
    lost: 0,
    errored: 0,
    wrong: 0,
    unexpected: 0,
    invalid: receiver.invalid,
    problems: [],
  };
  for (const id of accepted) {
    const job = ended.get(id);
    const deliveries = receiver.deliveries.get(id) ?? [];
    if (deliveries.length > 1) {
      audit.duplicated++;
      audit.problems.push(`${id}: ${deliveries.length} callbacks`);
    }
    if (!job) {
      audit.lost++;
      audit.problems.push(`${id}: not ended`);
    } else if (job.status === "error") {
      audit.errored++;
      audit.problems.push(`${id}: error`);
    } else if (job.requestId !== id || deliveries.length === 0 || deliveries.some((d) => d.requestId !== id)) {
      audit.wrong++;
      audit.problems.push(`${id}: result ${job.requestId}, ${deliveries.length} callbacks`);
    } else if (deliveries.length === 1) {
      audit.done++;
    }
  }
  const known = new Set(accepted);
  audit.unexpected = [...receiver.deliveries.keys()].filter((id) => !known.has(id)).length;
  return audit;
}

/**
 * 16 kHz mono 16-bit PCM of the given files (ffmpeg), each followed by `gapSeconds` of silence, so a live stream
 * of them ends utterances (and gets final results) as it goes.
 */
export function pcm16k(paths: string[], gapSeconds = 1): Buffer {
  const gap = Buffer.alloc(Math.round(gapSeconds * 16_000) * 2);
  return Buffer.concat(
    paths.flatMap((path) => [
      execFileSync("ffmpeg", ["-v", "error", "-i", path, "-f", "s16le", "-ac", "1", "-ar", "16000", "-"], {
        maxBuffer: 1 << 28,
      }),
      gap,
    ]),
  );
}

export interface LiveRecord {
  /** Close codes that made the client reconnect, in order. */
  dropCodes: number[];
  reconnects: number;
  /** Final results after the last reconnect: the stream carried on. */
  finalsAfterReconnect: number;
  finals: number;
  /** The code the connection finally closed with (1000 after CloseStream), or the error that ended it. */
  closeCode: number;
  failure: string | null;
}

/**
 * One live stream through the SDK's reconnecting client: `pcm` sent at real time in 100 ms chunks, round and
 * round, until {@link LiveStreamer.stop}.
 */
export class LiveStreamer {
  /** Resolves once the first connection is open: reconnection covers drops after that, not a failed first open. */
  readonly opened: Promise<void>;
  private readonly conn: LiveConnection;
  private readonly record: LiveRecord = {
    dropCodes: [],
    reconnects: 0,
    finalsAfterReconnect: 0,
    finals: 0,
    closeCode: 0,
    failure: null,
  };
  private readonly closed: Promise<void>;
  private running = true;
  private readonly pump: Promise<void>;

  constructor(client: EarshotClient, pcm: Buffer) {
    // Enough attempts to outlast an API node's restart: 250 ms doubling to 5 s, about 45 s in all.
    this.conn = client.listen.v1.connect({
      encoding: "linear16",
      sample_rate: 16_000,
      reconnect: { attempts: 12, delayMs: 250 },
    });
    this.opened = this.conn.opened;
    this.conn.on("reconnecting", ({ code }) => {
      this.record.reconnects++;
      this.record.dropCodes.push(code);
      this.record.finalsAfterReconnect = 0;
    });
    this.conn.on("Results", (r) => {
      if (!r.is_final) return;
      this.record.finals++;
      this.record.finalsAfterReconnect++;
    });
    this.conn.on("error", (err) => {
      this.record.failure = err.message;
    });
    this.closed = new Promise((resolve) =>
      this.conn.on("close", ({ code }) => {
        this.record.closeCode = code;
        resolve();
      }),
    );
    this.pump = this.send(pcm);
  }

  private async send(pcm: Buffer): Promise<void> {
    const chunk = 3200; // 100 ms
    const started = performance.now();
    let sent = 0;
    for (let offset = 0; this.running; offset = (offset + chunk) % pcm.length) {
      this.conn.send(pcm.subarray(offset, offset + chunk));
      sent += 100;
      const ahead = started + sent - performance.now();
      if (ahead > 0) await sleep(ahead);
    }
  }

  /** Stops sending, asks for the last results and waits for the close. */
  async stop(): Promise<LiveRecord> {
    this.running = false;
    await this.pump;
    // Under load the server may still be decoding replayed audio; past a minute the stream is cut short.
    await Promise.race([this.conn.finish().catch(() => undefined), sleep(60_000)]);
    this.conn.close();
    // A connection closed between two reconnect attempts has no socket left to report its close.
    await Promise.race([this.closed, sleep(5000)]);
    return this.record;
  }
}

/** How long the jobs took to recover from `event`, from the callbacks that arrived. */
export function recoveryOf(event: KillEvent, receiver: CallbackReceiver, startedAt: number): KillRecord {
  const next = receiver.firstAfter(event.killedAt);
  const last = event.inFlight.map((id) => receiver.firstAfter(event.killedAt, [id]));
  const allDone = last.every((at) => at !== undefined);
  return {
    target: event.target,
    atMs: event.killedAt - startedAt,
    backMs: event.backMs,
    inFlight: event.inFlight.length,
    nextDoneMs: next === undefined ? null : next - event.killedAt,
    inFlightDoneMs: allDone ? Math.max(event.killedAt, ...(last as number[])) - event.killedAt : null,
  };
}

export interface ChaosPlan {
  /** Audio of each job, submitted one after another with `submitGapMs` between them. */
  jobs: Uint8Array[];
  submitGapMs: number;
  /** Live streams open throughout, each sending `pcm` round and round. */
  streams: number;
  pcm: Buffer;
  /** Kills in order: each `afterMs` after the previous one's restart (the first: after the start). */
  kills: Array<{ target: ChaosTarget; afterMs: number; downMs: number }>;
  /** How long the live streams go on after the last restart, to show they carry on. */
  liveAfterMs: number;
  /** Longest wait for the jobs to end after the last submission. */
  settleMs: number;
}

export interface ChaosReport {
  audit: JobAudit;
  kills: KillRecord[];
  live: LiveRecord[];
  /** Submissions refused while the API node or Redis was down (tried again until accepted). */
  refused: number;
}

/** Runs `plan` on `cluster`: jobs and live streams throughout, the kills in between, then the audit. */
export async function runChaos(cluster: ChaosCluster, plan: ChaosPlan, log = (_: string) => {}): Promise<ChaosReport> {
  const receiver = await CallbackReceiver.start();
  const startedAt = performance.now();
  try {
    const submitter = new JobSubmitter(cluster.client, receiver);
    const streams = Array.from({ length: plan.streams }, () => new LiveStreamer(cluster.client, plan.pcm));
    // The kills start once every stream is open (the SDK does not retry a first connection that fails).
    await Promise.all(streams.map((stream) => stream.opened));
    const submitting = (async () => {
      for (const audio of plan.jobs) {
        await submitter.submit(audio);
        await sleep(plan.submitGapMs);
      }
    })();
    const events: KillEvent[] = [];
    for (const kill of plan.kills) {
      await sleep(kill.afterMs);
      const event = await cluster.crash(kill.target, kill.downMs);
      log(`killed ${kill.target} (${event.inFlight.length} jobs running), back after ${Math.round(event.backMs)} ms`);
      events.push(event);
    }
    await sleep(plan.liveAfterMs);
    const live = await Promise.all(streams.map((stream) => stream.stop()));
    await submitting;
    const audit = await auditJobs(cluster.client, submitter.accepted, receiver, performance.now() + plan.settleMs);
    return { audit, kills: events.map((e) => recoveryOf(e, receiver, startedAt)), live, refused: submitter.refused };
  } finally {
    await receiver.close();
  }
}
