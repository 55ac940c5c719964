/**
 * @module @earshot/server
 * Earshot's HTTP server: Deepgram v1 compatible routes over the local engines.
 */
export { buildApp, type EarshotServer, startServer } from "./app.js";
export { loadConfig, type ServerConfig, type UrlPolicy } from "./config.js";
export type { JobsConfig, WebhookConfig } from "./jobs/config.js";
export { type JobWorker, type JobWorkerOptions, startJobWorker } from "./jobs/worker.js";
export { type WebOptions, webRoutes } from "./routes/web.js";
