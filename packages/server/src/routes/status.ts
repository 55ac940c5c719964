/** `GET /v1/status`: liveness plus what an operator needs to see load (Deepgram self-hosted has the same path). */
import type { StatusResponse } from "@earshot/protocol";
import type { FastifyInstance } from "fastify";
import type { ServerEngine } from "../engine.js";
import type { WebhookSecret } from "../webhooks/secret.js";

export function statusRoutes(
  app: FastifyInstance,
  deps: { engine: ServerEngine; version: string; signing: WebhookSecret },
): void {
  const started = Date.now();
  app.get("/v1/status", async (): Promise<StatusResponse> => {
    const s = deps.engine.status();
    return {
      status: s.active >= s.queueLimit ? "degraded" : "ok",
      version: deps.version,
      uptime_seconds: Math.round((Date.now() - started) / 1000),
      engine: {
        default_model: s.defaultModel,
        workers: s.workers,
        busy_workers: s.busyWorkers,
        queue_depth: s.queueDepth,
        active: s.active,
        queue_limit: s.queueLimit,
      },
      webhooks: { signed: true, secret_source: deps.signing.source },
    };
  });
}
