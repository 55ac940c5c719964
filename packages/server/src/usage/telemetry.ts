/**
 * Where requests are counted: every HTTP response and every stream goes to the metrics, and every speech
 * request or stream (a route needing `usage:write`, other than a read) goes to the request log under its
 * project and key. Routes add what only they know — the model that served, seconds of audio, characters — with
 * {@link noteUsage}; what a Deepgram-style query says (model, features, tags, callback) is read from it for any
 * route that notes nothing, so a new API family is logged without code of its own.
 */
import type { Transcript } from "@earshot/engine";
import type { RequestMethod } from "@earshot/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Principal } from "../auth/authenticator.js";
import { routeAccess, SPEECH_SCOPE } from "../auth.js";
import type { ServerEngine } from "../engine.js";
import type { JobError, JobRecord } from "../jobs/record.js";
import type { ServerMetrics } from "../metrics/metrics.js";
import { completionOf, type RequestLog, type RequestRecord } from "./request-log.js";

/** What a route knows of a request's usage; every field optional, later notes win. */
export interface UsageNote {
  models?: string[];
  audioSeconds?: number;
  characters?: number;
  channels?: number;
  method?: RequestMethod;
  features?: string[];
  tags?: string[];
  callback?: string | null;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Usage the route noted (model, audio seconds, characters), for the request log. */
    usage?: UsageNote;
    /**
     * A speech request's: aborted when its client disconnects before the answer is complete, so the work done
     * for it (a URL fetch, a transcription) stops instead of running for no one.
     */
    clientGone?: AbortSignal;
  }
  interface FastifyContextConfig {
    /** The request log's `endpoint` for this route (default from its path, see {@link endpointOf}); false: not logged. */
    endpoint?: string | false;
  }
}

export function noteUsage(target: { usage?: UsageNote | undefined }, note: UsageNote): void {
  target.usage = { ...target.usage, ...note };
}

const ENDPOINTS: Array<[RegExp, string]> = [
  [/\/(speak|audio\/speech)\b/, "speak"],
  [/\/read\b/, "read"],
  [/\/agent\b/, "agent"],
  [/\/(listen|transcri|pre-recorded|jobs|upload|predict)/, "listen"],
];

/** The API family of a route path: Deepgram's `listen`, `speak`, `read`, `agent`, else its first segment. */
export function endpointOf(path: string): string {
  for (const [pattern, endpoint] of ENDPOINTS) if (pattern.test(path)) return endpoint;
  return path.split("/").find((segment) => segment !== "" && !/^v\d+$/.test(segment)) ?? "other";
}

/** Query parameters Deepgram counts as features when set, besides every boolean set to true. */
const LIST_FEATURES = ["keyterm", "keywords", "search", "replace", "redact", "custom_topic", "custom_intent"];

const last = (value: unknown): unknown => (Array.isArray(value) ? value.at(-1) : value);

/** Model, features, tags and callback as a Deepgram-style query gives them. */
export function usageFromQuery(query: unknown): UsageNote {
  const q = (query ?? {}) as Record<string, unknown>;
  const features = Object.entries(q)
    .filter(([name, value]) => last(value) === "true" || (LIST_FEATURES.includes(name) && value !== undefined))
    .map(([name]) => name);
  const model = last(q.model);
  const callback = last(q.callback);
  return {
    ...(typeof model === "string" ? { models: [model] } : {}),
    features,
    tags: [q.tag ?? []].flat().map(String),
    ...(typeof callback === "string" ? { callback, method: "async" as const } : {}),
  };
}

/** A request on the speech APIs that uses them (not a read of a job or a model list): it goes to the log. */
function isUsage(request: FastifyRequest): boolean {
  const { config, url } = request.routeOptions;
  return (
    url !== undefined &&
    !config.public &&
    config.endpoint !== false &&
    routeAccess(config).scope === SPEECH_SCOPE &&
    request.method !== "GET" &&
    request.method !== "HEAD"
  );
}

export interface StreamStart {
  path: string;
  requestId: string;
  query: Record<string, string | string[]>;
  principal: Principal;
  usage: UsageNote;
}

export interface TelemetryDeps {
  log: RequestLog;
  metrics: ServerMetrics;
  retentionMs: number;
  warn(message: string, err: unknown): void;
}

export class Telemetry {
  private batch = 0;
  private streams = 0;
  private readonly pruner: NodeJS.Timeout;

  constructor(private readonly deps: TelemetryDeps) {
    const every = Math.min(60_000, Math.max(1000, Math.round(deps.retentionMs / 4)));
    this.pruner = setInterval(() => {
      deps.log.prune(Date.now() - deps.retentionMs).catch((err) => deps.warn("request log pruning failed", err));
    }, every);
    this.pruner.unref();
  }

  /** Speech HTTP requests being answered and streams open, now. */
  active(): { batch: number; streams: number } {
    return { batch: this.batch, streams: this.streams };
  }

  register(app: FastifyInstance): void {
    app.addHook("onRequest", async (request, reply) => {
      if (!isUsage(request)) return;
      this.batch++;
      const gone = new AbortController();
      request.clientGone = gone.signal;
      reply.raw.once("close", () => {
        this.batch--;
        if (reply.raw.writableFinished) return;
        this.deps.metrics.cancelledRequests.inc({ route: request.routeOptions.url ?? "unmatched" });
        gone.abort();
      });
    });
    app.addHook("onResponse", async (request, reply) => {
      const labels = {
        route: request.routeOptions.url ?? "unmatched",
        method: request.method,
        status: String(reply.statusCode),
      };
      this.deps.metrics.httpRequests.inc(labels);
      this.deps.metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
      const { principal } = request;
      if (!principal || !isUsage(request)) return;
      const note = { ...usageFromQuery(request.query), ...request.usage };
      this.count(note, "batch");
      await this.record(
        {
          requestId: request.id,
          path: request.url.split("?")[0]!,
          endpoint: request.routeOptions.config.endpoint || endpointOf(request.routeOptions.url!),
          code: reply.statusCode,
          durationMs: reply.elapsedTime,
        },
        principal,
        note,
      );
    });
  }

  /** Metrics of a request's usage; batch audio is counted where the engine transcribes (see {@link measure}). */
  private count(note: UsageNote, mode: "batch" | "stream"): void {
    const model = note.models?.[0] ?? "unknown";
    if (note.characters) this.deps.metrics.ttsCharacters.inc({ model }, note.characters);
    if (mode === "stream" && note.audioSeconds) this.deps.metrics.audioSeconds.inc({ mode, model }, note.audioSeconds);
  }

  private async record(
    request: Pick<RequestRecord, "requestId" | "path" | "endpoint" | "code" | "durationMs">,
    principal: Principal,
    note: UsageNote,
  ): Promise<void> {
    const method = note.method ?? "sync";
    const now = Date.now();
    try {
      await this.deps.log.add({
        ...request,
        projectId: principal.projectId,
        apiKeyId: principal.apiKeyId,
        created: Math.round(now - request.durationMs),
        method,
        models: note.models ?? [],
        audioSeconds: note.audioSeconds ?? null,
        characters: note.characters ?? null,
        channels: note.channels ?? null,
        features: note.features ?? [],
        tags: note.tags ?? [],
        callback: note.callback ?? null,
        completed: method !== "async" && request.code < 400 ? now : null,
      });
    } catch (err) {
      this.deps.warn("the request log could not be written", err);
    }
  }

  /** A stream refused before it opened; logged when the caller was known (bad options, no capacity). */
  streamRefused(path: string, status: number, stream?: Omit<StreamStart, "path">): void {
    this.deps.metrics.streams.inc({ route: path, status: String(status) });
    if (!stream) return;
    void this.record(
      { requestId: stream.requestId, path, endpoint: endpointOf(path), code: status, durationMs: 0 },
      stream.principal,
      { ...usageFromQuery(stream.query), ...stream.usage, method: "streaming" },
    );
  }

  /** A stream opened (101): returns what to call when it closes. */
  streamOpened(stream: StreamStart): () => void {
    const { metrics } = this.deps;
    const started = performance.now();
    metrics.streams.inc({ route: stream.path, status: "101" });
    metrics.activeStreams.inc({ route: stream.path });
    this.streams++;
    return () => {
      this.streams--;
      const durationMs = performance.now() - started;
      metrics.activeStreams.dec({ route: stream.path });
      metrics.streamDuration.observe({ route: stream.path }, durationMs / 1000);
      const note: UsageNote = { ...usageFromQuery(stream.query), ...stream.usage, method: "streaming" };
      this.count(note, "stream");
      void this.record(
        { requestId: stream.requestId, path: stream.path, endpoint: endpointOf(stream.path), code: 101, durationMs },
        stream.principal,
        note,
      );
    };
  }

  /** An async request's job ended: its record gets the audio it processed, or the status it failed with. */
  async jobSettled(job: JobRecord, outcome: { transcript?: Transcript; error?: JobError }): Promise<void> {
    if (job.startedAt !== null) this.deps.metrics.jobWait.observe((job.startedAt - job.createdAt) / 1000);
    await this.deps.log
      .complete(job.id, completionOf(outcome))
      .catch((err) => this.deps.warn("the request log could not be completed", err));
  }

  /** `engine` with every batch transcription timed: audio seconds and real-time factor per model. */
  measure(engine: ServerEngine): ServerEngine {
    const { metrics } = this.deps;
    return {
      registry: engine.registry,
      maxLiveChannels: engine.maxLiveChannels,
      transcribe: async (bytes, options) => {
        const started = performance.now();
        const transcript = await engine.transcribe(bytes, options);
        const model = transcript.model.name;
        metrics.audioSeconds.inc({ mode: "batch", model }, transcript.duration);
        if (transcript.duration > 0) {
          metrics.rtf.observe({ model }, (performance.now() - started) / 1000 / transcript.duration);
        }
        return transcript;
      },
      openStream: (options, handlers) => engine.openStream(options, handlers),
      prepare: (bytes, options) => engine.prepare(bytes, options),
      recognizePieces: (pcms, options) => engine.recognizePieces(pcms, options),
      status: () => engine.status(),
      checkCapacity: () => engine.checkCapacity(),
      checkStreamCapacity: (channels) => engine.checkStreamCapacity(channels),
      close: () => engine.close(),
    };
  }

  async close(): Promise<void> {
    clearInterval(this.pruner);
    await this.deps.log.close();
  }
}
