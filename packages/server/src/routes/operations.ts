/**
 * What a platform team points its tools at, all without a credential: Prometheus metrics, the OpenAPI and
 * AsyncAPI documents, and the documentation page made from them. The documents are built once, on first
 * request, from the routes registered by then (all of them: the server is listening).
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ServerMetrics } from "../metrics/metrics.js";
import { asyncApiDocument } from "../openapi/asyncapi.js";
import { docsPage } from "../openapi/docs-page.js";
import { openApiDocument, type RouteEntry } from "../openapi/document.js";
import type { SocketDocs } from "../openapi/route-docs.js";

export interface OperationsDeps {
  metrics: ServerMetrics;
  routes: RouteEntry[];
  sockets: Array<{ path: string; docs: SocketDocs }>;
  version: string;
}

const TAG = "Operations";
const Document = z.record(z.string(), z.unknown()).describe("The document.");

export function operationRoutes(app: FastifyInstance, deps: OperationsDeps): void {
  let openapi: Record<string, unknown> | undefined;
  let asyncapi: Record<string, unknown> | undefined;
  const openApi = () => (openapi ??= openApiDocument(deps.routes, { version: deps.version }));

  app.get(
    "/metrics",
    {
      config: {
        public: true,
        docs: {
          tag: TAG,
          summary: "Prometheus metrics",
          description:
            "Requests and latency by route and status, audio seconds, streams, engine queue and workers, real-time factor and model loads per model, job states, webhook deliveries, process memory.",
          responses: { 200: { binary: ["text/plain"], description: "The Prometheus text format." } },
        },
      },
    },
    async (_request, reply) => {
      const body = await deps.metrics.registry.metrics();
      return reply.type(deps.metrics.registry.contentType).send(body);
    },
  );
  app.get(
    "/openapi.json",
    { config: { public: true, docs: { tag: TAG, summary: "This API as OpenAPI 3.1", responses: { 200: Document } } } },
    async () => openApi(),
  );
  app.get(
    "/asyncapi.json",
    {
      config: {
        public: true,
        docs: { tag: TAG, summary: "The WebSocket API as AsyncAPI 3.0", responses: { 200: Document } },
      },
    },
    async () => (asyncapi ??= asyncApiDocument(deps.sockets, { version: deps.version })),
  );
  app.get(
    "/docs",
    {
      config: {
        public: true,
        docs: {
          tag: TAG,
          summary: "API documentation page",
          responses: { 200: { binary: ["text/html"], description: "The OpenAPI document as a page." } },
        },
      },
    },
    async (_request, reply) => {
      reply.header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'");
      return reply.type("text/html; charset=utf-8").send(docsPage(openApi()));
    },
  );
}
