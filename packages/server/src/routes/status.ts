/**
 * Health for people, load balancers and autoscalers, all without a credential:
 *
 * - `GET /v1/status`: Deepgram self-hosted's shape (`system_health`, `active_batch_requests`,
 *   `active_stream_requests`) plus Earshot's load details (workers, queue, version, uptime).
 * - `GET /livez`: the process answers (restart it when this fails).
 * - `GET /readyz`: it can take requests — engine workers up, stores reachable, not shutting down — else 503
 *   (take it out of rotation). A full queue does not fail readiness: that is load, which `/v1/status` and the
 *   metrics report, and failing every node at once under a burst would help no one.
 */
import { HealthResponseSchema, type StatusResponse, StatusResponseSchema } from "@earshot/protocol";
import type { FastifyInstance } from "fastify";
import type { ServerEngine } from "../engine.js";
import type { WebhookSecret } from "../webhooks/secret.js";

export interface StatusDeps {
  engine: ServerEngine;
  version: string;
  signing: WebhookSecret;
  active(): { batch: number; streams: number };
  /** Readiness checks by name: each resolves when its dependency answers. */
  checks: Record<string, () => Promise<void>>;
}

const HEALTH_TAG = "Health";

export function statusRoutes(app: FastifyInstance, deps: StatusDeps): void {
  const started = Date.now();
  let draining = false;
  app.addHook("preClose", async () => {
    draining = true;
  });

  app.get(
    "/v1/status",
    {
      config: {
        public: true,
        docs: {
          tag: HEALTH_TAG,
          summary: "Health and load",
          description: "Deepgram self-hosted's status fields, then Earshot's engine and webhook details.",
          responses: { 200: StatusResponseSchema },
        },
      },
    },
    async (): Promise<StatusResponse> => {
      const s = deps.engine.status();
      const full = s.active >= s.queueLimit;
      const active = deps.active();
      return {
        system_health: draining ? "Unhealthy" : full ? "Degraded" : "Healthy",
        active_batch_requests: active.batch,
        active_stream_requests: active.streams,
        status: full ? "degraded" : "ok",
        version: deps.version,
        uptime_seconds: Math.round((Date.now() - started) / 1000),
        engine: {
          default_model: s.defaultModel,
          workers: s.workers,
          busy_workers: s.busyWorkers,
          queue_depth: s.queueDepth,
          active: s.active,
          queue_limit: s.queueLimit,
          loaded_models: s.loadedModels.map((m) => ({
            model: m.model,
            worker: m.worker,
            loaded_at: m.since.toISOString(),
            load_seconds: Math.round(m.loadSeconds * 1000) / 1000,
            memory_mb: m.memoryMb,
          })),
          live_decoders: s.liveDecoders,
        },
        webhooks: { signed: true, secret_source: deps.signing.source },
      };
    },
  );

  app.get(
    "/livez",
    {
      config: {
        public: true,
        docs: { tag: HEALTH_TAG, summary: "Liveness: the process answers", responses: { 200: HealthResponseSchema } },
      },
    },
    async () => ({ status: "ok", checks: {} }),
  );

  app.get(
    "/readyz",
    {
      config: {
        public: true,
        docs: {
          tag: HEALTH_TAG,
          summary: "Readiness: engine workers up, stores reachable, not shutting down",
          responses: { 200: HealthResponseSchema, 503: HealthResponseSchema },
        },
      },
    },
    async (_request, reply) => {
      const checks: Record<string, { ok: boolean; detail?: string }> = {
        accepting: draining ? { ok: false, detail: "shutting down" } : { ok: true },
        engine:
          deps.engine.status().workers > 0 ? { ok: true } : { ok: false, detail: "no engine worker threads running" },
      };
      await Promise.all(
        Object.entries(deps.checks).map(async ([name, check]) => {
          checks[name] = await check().then(
            () => ({ ok: true }),
            (err: Error) => ({ ok: false, detail: err.message }),
          );
        }),
      );
      const ok = Object.values(checks).every((c) => c.ok);
      return reply.status(ok ? 200 : 503).send({ status: ok ? "ok" : "unavailable", checks });
    },
  );
}
