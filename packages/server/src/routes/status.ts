/** `GET /v1/status`: liveness plus what an operator needs to see load (Deepgram self-hosted has the same path). */
import type { Engine } from "@earshot/engine";
import type { StatusResponse } from "@earshot/protocol";
import type { FastifyInstance } from "fastify";

export function statusRoutes(app: FastifyInstance, engine: Engine, version: string): void {
  const started = Date.now();
  app.get("/v1/status", async (): Promise<StatusResponse> => {
    const s = engine.status();
    return {
      status: s.active >= s.queueLimit ? "degraded" : "ok",
      version,
      uptime_seconds: Math.round((Date.now() - started) / 1000),
      engine: {
        default_model: s.defaultModel,
        workers: s.workers,
        busy_workers: s.busyWorkers,
        queue_depth: s.active,
        queue_limit: s.queueLimit,
      },
    };
  });
}
