/** Server settings, each with a default and an `EARSHOT_*` environment variable. */
import type { EngineOptions } from "@earshot/engine";
import { env, envNumber } from "./env.js";
import { type JobsConfig, loadJobsConfig, loadWebhookConfig, type WebhookConfig } from "./jobs/config.js";

export interface UrlPolicy {
  /** Largest remote file fetched for `{"url": …}` requests, bytes. */
  maxBytes: number;
  /** Whole fetch, redirects included, ms. */
  timeoutMs: number;
  maxRedirects: number;
  /**
   * Addresses that may be fetched although they are private, loopback or link-local: CIDR ranges
   * (`127.0.0.0/8`) or host names. Empty by default, so `{"url": "http://169.254.169.254/…"}` is refused.
   */
  allowList: string[];
}

export interface ServerConfig {
  host: string;
  port: number;
  /** Largest request body, bytes (Deepgram accepts up to 2 GB; we hold the body in memory). */
  maxBodyBytes: number;
  url: UrlPolicy;
  /** API keys accepted in `Authorization: Token <key>`; empty = no authentication. */
  apiKeys: string[];
  /** Origins allowed by CORS; `*` allows any. */
  corsOrigins: string[];
  engine: EngineOptions;
  logLevel: string;
  /** Transcription jobs: where they are kept and who runs them. */
  jobs: JobsConfig;
  /** Callback delivery: signing and retries. */
  webhooks: WebhookConfig;
}

const list = (value: string | undefined): string[] =>
  (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export function loadConfig(
  overrides: Partial<Omit<ServerConfig, "url" | "jobs" | "webhooks">> & {
    url?: Partial<UrlPolicy>;
    jobs?: Partial<JobsConfig>;
    webhooks?: Partial<WebhookConfig>;
  } = {},
): ServerConfig {
  const engine: EngineOptions = {};
  if (env.EARSHOT_WORKERS) engine.workers = envNumber(env.EARSHOT_WORKERS, 1);
  if (env.EARSHOT_QUEUE_LIMIT) engine.queueLimit = envNumber(env.EARSHOT_QUEUE_LIMIT, 16);
  if (env.EARSHOT_MODELS_DIR) engine.modelsDir = env.EARSHOT_MODELS_DIR;
  if (env.EARSHOT_MODEL) engine.defaultModel = env.EARSHOT_MODEL;
  if (env.EARSHOT_LIBPOCKETSPHINX || env.EARSHOT_LIBSPHINXBASE) {
    engine.pocketsphinx = { library: env.EARSHOT_LIBPOCKETSPHINX, sphinxbase: env.EARSHOT_LIBSPHINXBASE };
  }
  return {
    host: overrides.host ?? env.EARSHOT_HOST ?? "127.0.0.1",
    port: overrides.port ?? envNumber(env.EARSHOT_PORT, 8080),
    maxBodyBytes: overrides.maxBodyBytes ?? envNumber(env.EARSHOT_MAX_BODY_BYTES, 512 * 1024 * 1024),
    url: {
      maxBytes: envNumber(env.EARSHOT_URL_MAX_BYTES, 512 * 1024 * 1024),
      timeoutMs: envNumber(env.EARSHOT_URL_TIMEOUT_MS, 60_000),
      maxRedirects: envNumber(env.EARSHOT_URL_MAX_REDIRECTS, 5),
      allowList: list(env.EARSHOT_URL_ALLOW),
      ...overrides.url,
    },
    apiKeys: overrides.apiKeys ?? list(env.EARSHOT_API_KEYS),
    corsOrigins: overrides.corsOrigins ?? (env.EARSHOT_CORS_ORIGINS ? list(env.EARSHOT_CORS_ORIGINS) : ["*"]),
    engine: { ...engine, ...overrides.engine },
    logLevel: overrides.logLevel ?? env.EARSHOT_LOG_LEVEL ?? "info",
    jobs: loadJobsConfig(overrides.jobs),
    webhooks: loadWebhookConfig(overrides.webhooks),
  };
}
