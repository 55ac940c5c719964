/**
 * @module @earshot/server
 * Earshot's HTTP server: Deepgram v1 compatible routes over the local engines.
 */
export type { KeyRecord, ProjectRecord } from "./accounts/records.js";
export { Accounts } from "./accounts/service.js";
export { type AppOptions, buildApp, type EarshotServer, startServer } from "./app.js";
export {
  type AuthConfig,
  CONFIG_FILE_NAME,
  ConfigError,
  type ConfigOverrides,
  type ConfigSources,
  type EngineConfig,
  type JobsConfig,
  loadConfig,
  type ServerConfig,
  type UrlPolicy,
  type WebhookConfig,
} from "./config/load.js";
export { SETTINGS, type SettingName } from "./config/settings.js";
export { configTable, withConfigTable } from "./config/table.js";
export { createEngine, createModelRegistry, type ServerEngine } from "./engine.js";
export { type JobWorker, type JobWorkerOptions, startJobWorker } from "./jobs/worker.js";
export { openApiDocument, type RouteEntry, undocumentedRoutes } from "./openapi/document.js";
export type { BodyDocs, ResponseDocs, RouteDocs, SocketDocs } from "./openapi/route-docs.js";
export { type WebOptions, webRoutes } from "./routes/web.js";
