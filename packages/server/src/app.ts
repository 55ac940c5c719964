/** The Fastify application: routes, parsers, authentication and error handling, over one engine. */
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { Engine } from "@earshot/engine";
import cors from "@fastify/cors";
import Fastify, { type FastifyInstance } from "fastify";
import { registerAuth } from "./auth.js";
import { loadConfig, type ServerConfig } from "./config.js";
import { registerErrorHandling } from "./errors.js";
import { UrlFetcher } from "./listen/fetch-url.js";
import { listenRoutes } from "./routes/listen.js";
import { modelRoutes } from "./routes/models.js";
import { statusRoutes } from "./routes/status.js";
import { registerWebSocketRoutes } from "./ws/routes.js";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

export interface EarshotServer {
  app: FastifyInstance;
  engine: Engine;
  config: ServerConfig;
  /** Base URL once listening, e.g. `http://127.0.0.1:8080`. */
  url: string;
  close(): Promise<void>;
}

export async function buildApp(config: ServerConfig, engine: Engine): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: config.logLevel },
    genReqId: () => randomUUID(),
    bodyLimit: config.maxBodyBytes,
  });
  const urls = new UrlFetcher(config.url);
  app.addHook("onClose", () => urls.close());

  // Deepgram clients read the id from a header on every response, errors included.
  app.addHook("onRequest", async (request, reply) => {
    reply.header("dg-request-id", request.id);
    reply.header("x-dg-request-id", request.id);
  });
  // Audio arrives with any Content-Type (the SDKs send application/octet-stream, curl may send none);
  // only JSON is parsed, everything else is kept as bytes and sniffed by the engine.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string", bodyLimit: 1024 * 1024 }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      const error = Object.assign(new Error("The JSON body could not be parsed."), { statusCode: 400 });
      done(error, undefined);
    }
  });
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

  // Browsers on other origins (a page using the SDK) may call us; the key, not the origin, is the credential.
  await app.register(cors, {
    origin: config.corsOrigins.includes("*") ? true : config.corsOrigins,
    exposedHeaders: ["dg-request-id", "x-dg-request-id", "retry-after"],
  });
  registerErrorHandling(app);
  registerAuth(app, config.apiKeys);
  listenRoutes(app, { engine, urls });
  modelRoutes(app, engine.registry);
  statusRoutes(app, engine, version);
  // WebSocket routes (live listen, speak) are added to this list.
  registerWebSocketRoutes(app, { apiKeys: config.apiKeys, maxPayload: 8 * 1024 * 1024 }, []);
  return app;
}

/** Start the engine and the HTTP server. `port: 0` picks a free port (tests). */
export async function startServer(overrides: Parameters<typeof loadConfig>[0] = {}): Promise<EarshotServer> {
  const config = loadConfig(overrides);
  const engine = new Engine(config.engine);
  const app = await buildApp(config, engine);
  const address = await app.listen({ host: config.host, port: config.port });
  return {
    app,
    engine,
    config,
    url: address.replace("[::1]", "127.0.0.1"),
    async close() {
      await app.close();
      await engine.close();
    },
  };
}
