/** The Fastify application: routes, parsers, authentication and error handling, over one engine. */
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import type { Writable } from "node:stream";
import type { Engine } from "@earshot/engine";
import { SpeechSynthesis } from "@earshot/engine";
import { ASSEMBLYAI_PREFIX } from "@earshot/protocol";
import cors from "@fastify/cors";
import Fastify, { type FastifyInstance } from "fastify";
import { Accounts } from "./accounts/service.js";
import { Authenticator, isLoopback } from "./auth/authenticator.js";
import { TokenIssuer } from "./auth/tokens.js";
import { registerAuth } from "./auth.js";
import { type ConfigOverrides, type ConfigSources, loadConfig, type ServerConfig } from "./config/load.js";
import { createEngine, type ServerEngine } from "./engine.js";
import { registerErrorHandling } from "./errors.js";
import { clientErrorHandler, frameworkErrors, httpServerFactory, refuseBadPreflight } from "./http/guards.js";
import { addJsonParser } from "./http/json-body.js";
import { JobService } from "./jobs/service.js";
import { UrlFetcher } from "./listen/fetch-url.js";
import { StreamLimits } from "./live/limits.js";
import { ServerMetrics } from "./metrics/metrics.js";
import { openAiScope } from "./openai/errors.js";
import { collectRoutes } from "./openapi/document.js";
import { assemblyAiRoutes } from "./routes/assemblyai.js";
import { authGrantRoutes } from "./routes/auth-grant.js";
import { fluxListenRoute } from "./routes/flux.js";
import { gladiaRoutes } from "./routes/gladia.js";
import { jobRoutes } from "./routes/jobs.js";
import { listenRoutes } from "./routes/listen.js";
import { liveListenRoute } from "./routes/live.js";
import { manageRoutes } from "./routes/manage.js";
import { modelRoutes } from "./routes/models.js";
import { octoAiRoutes } from "./routes/octoai.js";
import { openAiAudioRoutes } from "./routes/openai-audio.js";
import { openAiSpeechRoutes } from "./routes/openai-speech.js";
import { operationRoutes } from "./routes/operations.js";
import { readRoutes } from "./routes/read.js";
import { speakRoutes } from "./routes/speak.js";
import { speakSocketRoute } from "./routes/speak-socket.js";
import { statusRoutes } from "./routes/status.js";
import { usageRoutes } from "./routes/usage.js";
import { webRoutes } from "./routes/web.js";
import { openRequestLog } from "./usage/open.js";
import { Telemetry } from "./usage/telemetry.js";
import { describeSigning, resolveWebhookSecret } from "./webhooks/secret.js";
import { registerWebSocketRoutes } from "./ws/upgrade.js";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

export interface EarshotServer {
  app: FastifyInstance;
  engine: Engine;
  config: ServerConfig;
  /** Base URL once listening, e.g. `http://127.0.0.1:8080`. */
  url: string;
  close(): Promise<void>;
}

export interface AppOptions {
  /** Where the JSON log lines go instead of stdout (tests read them). */
  logStream?: Writable;
}

/** `host` is loopback only: a server with no keys there is reachable from this machine alone. */
const isLoopbackHost = (host: string): boolean => host === "localhost" || isLoopback(host);

export async function buildApp(
  config: ServerConfig,
  engine: ServerEngine,
  options: AppOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      // The request serializer logs no headers; should that change, credentials still never reach the log.
      redact: ["req.headers.authorization", 'req.headers["x-gladia-key"]', 'req.headers["sec-websocket-protocol"]'],
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    genReqId: () => randomUUID(),
    bodyLimit: config.maxBodyBytes,
    serverFactory: httpServerFactory(config.http),
    clientErrorHandler,
    frameworkErrors,
  });
  // First, so every route (plugins' included) is in the API documents.
  const routeTable = collectRoutes(app);
  const urls = new UrlFetcher(config.url);
  app.addHook("onClose", async () => urls.close());
  const signing = await resolveWebhookSecret(config);
  app.log.info(describeSigning(signing));

  // Deepgram clients read the id from a header on every response, errors included.
  app.addHook("onRequest", async (request, reply) => {
    reply.header("dg-request-id", request.id);
    reply.header("x-dg-request-id", request.id);
  });
  // Audio arrives with any Content-Type (the SDKs send application/octet-stream, curl may send none);
  // only JSON is parsed, everything else is kept as bytes and sniffed by the engine.
  app.removeAllContentTypeParsers();
  addJsonParser(app);
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

  registerErrorHandling(app);
  // Browsers on other origins (a page using the SDK) may call us; the key, not the origin, is the credential.
  refuseBadPreflight(app);
  await app.register(cors, {
    origin: config.corsOrigins.includes("*") ? true : config.corsOrigins,
    exposedHeaders: [
      "dg-request-id",
      "x-dg-request-id",
      "retry-after",
      "dg-model-name",
      "dg-model-uuid",
      "dg-char-count",
    ],
  });
  const accounts = Accounts.open(config.jobs);
  const requestLog = openRequestLog(config.jobs);
  const auth = new Authenticator(accounts, new TokenIssuer(accounts.docs, config.auth.tokenRotationMs), config.apiKeys);
  // Read at scrape time, once everything below exists.
  const metrics: ServerMetrics = new ServerMetrics({
    engine,
    jobs: () => jobs.store,
    active: () => telemetry.active(),
  });
  const telemetry: Telemetry = new Telemetry({
    log: requestLog,
    metrics,
    retentionMs: config.jobs.retentionMs,
    warn: (message, err) => app.log.warn({ err }, message),
  });
  engine.observe?.(metrics.engineObserver());
  const measured = telemetry.measure(engine);
  telemetry.register(app);
  registerAuth(app, auth);
  app.addHook("onListen", async () => {
    if (isLoopbackHost(config.host) || !(await auth.isOpen())) return;
    app.log.warn(
      `NO API KEYS: this server listens on ${config.host} but, with no keys, answers requests from this machine only; every other caller gets 401. Create a key with \`earshot keys create --scope admin\` (or set EARSHOT_API_KEYS) before exposing it.`,
    );
  });

  const jobs = JobService.open({
    config,
    engine: measured,
    urls,
    webhookSecret: signing.secret,
    log: (message, err) => app.log.warn({ err }, message),
    onSettled: (job, outcome) => telemetry.jobSettled(job, outcome),
    onDelivery: (outcome) =>
      metrics.webhookDeliveries.inc({ outcome: outcome.error === null ? "delivered" : "failed" }),
  });
  app.addHook("onClose", async () => {
    engine.observe?.(undefined);
    await jobs.close();
    await telemetry.close();
    await accounts.close();
  });
  listenRoutes(app, { engine: measured, urls, jobs });
  readRoutes(app, { urls });
  jobRoutes(app, jobs);
  await app.register(gladiaRoutes, { jobs, urls, maxBytes: config.maxBodyBytes });
  await app.register(assemblyAiRoutes, { prefix: ASSEMBLYAI_PREFIX, jobs, engine: measured });
  await app.register(octoAiRoutes, { engine: measured, jobs, maxBytes: config.maxBodyBytes });
  const speech = new SpeechSynthesis(engine.registry, { ffmpegBinary: config.engine.ffmpegBinary });
  app.addHook("onClose", async () => speech.close());
  speakRoutes(app, speech);
  await openAiScope(app, async (scope) => {
    openAiSpeechRoutes(scope, speech);
    await openAiAudioRoutes(scope, { engine: measured, maxBytes: config.openAiMaxBytes });
  });
  modelRoutes(app, engine.registry);
  authGrantRoutes(app, auth.tokens);
  manageRoutes(app, { accounts, registry: engine.registry });
  usageRoutes(app, { accounts, log: requestLog, registry: engine.registry });
  statusRoutes(app, {
    engine,
    version,
    signing,
    active: () => telemetry.active(),
    checks: {
      accounts: () => accounts.docs.ping(),
      jobs: async () => {
        await jobs.store.list({ limit: 1, offset: 0 });
      },
    },
  });
  await webRoutes(app);
  // Live listen (v1 and Flux) and speak share one upgrade handler: auth, options and capacity are checked before
  // the upgrade.
  const limits = new StreamLimits(
    { ...config.streams, limitLoopback: config.http.limitLoopback },
    { listen: engine.maxLiveChannels, speak: speech.maxSessions },
  );
  const sockets = [
    liveListenRoute(measured, { log: app.log, limits }),
    fluxListenRoute(measured, { log: app.log, limits }),
    speakSocketRoute(speech, { log: app.log, limits }),
  ];
  registerWebSocketRoutes(app, { auth, telemetry, maxPayload: 8 * 1024 * 1024 }, sockets);
  operationRoutes(app, { metrics, routes: routeTable, sockets, version });
  return app;
}

/** Start the engine and the HTTP server. `port: 0` picks a free port (tests). */
export async function startServer(
  overrides: ConfigOverrides = {},
  sources: ConfigSources = {},
  options: AppOptions = {},
): Promise<EarshotServer> {
  const config = loadConfig(overrides, sources);
  const engine = createEngine(config.engine);
  // A failure here (a port in use) must not leave the worker threads and the job store running: the process would
  // never exit.
  const app = await buildApp(config, engine, options).catch(async (err: unknown) => {
    await engine.close();
    throw err;
  });
  const address = await app.listen({ host: config.host, port: config.port }).catch(async (err: unknown) => {
    await app.close();
    await engine.close();
    throw err;
  });
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
