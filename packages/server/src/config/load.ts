/**
 * The server's settings, read in one place. Each comes from, in order of precedence: code (`startServer`'s
 * overrides), a command-line flag, the environment, the JSON config file, the default. A value that does not
 * parse stops the start with a message naming the setting and what it should be; nothing falls back silently.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { EngineOptions } from "@earshot/engine";
import { EarshotError, OPENAI_AUDIO_MAX_BYTES, quoteValue } from "@earshot/protocol";
import { SETTINGS, type SettingName, type Settings, SettingsSchema } from "./settings.js";

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

/** What the server passes to the engine: its options, with the models folder always settled. */
export interface EngineConfig extends EngineOptions {
  modelsDir: string;
  /** User model catalog file, on top of the built-in one. */
  modelCatalog?: string | undefined;
  /** Requested model name → installed models to serve it (on top of the engine's default aliases). */
  modelAliases?: Record<string, string[]> | undefined;
}

export interface JobsConfig {
  /** Embedded mode keeps `jobs.db` and the audio here. */
  dataDir: string;
  /** With a Redis URL the server enqueues into BullMQ and `earshot worker` processes run the jobs. */
  redisUrl: string | undefined;
  /** Blob store root: job audio and uploads. Must be a path every worker sees when scaled out. */
  blobDir: string;
  /** Audio and results are deleted this long after a job ends. */
  retentionMs: number;
  /** Starts of one job (crashes and transient failures included) before it ends in `error`. */
  maxAttempts: number;
  /** Jobs run at once by this process; default: the engine's worker count. */
  concurrency: number | undefined;
  /** Key prefix for BullMQ queues and the Redis job store. */
  queuePrefix: string;
  /** Redis mode: a running job's BullMQ lock; a killed worker's jobs are taken over once it lapses. */
  lockMs: number;
  /** Redis mode: how often workers look for jobs whose lock lapsed. */
  stalledCheckMs: number;
  /** Redis mode: how often queued or running jobs missing from the queue are put back on it. */
  reconcileMs: number;
}

export interface WebhookConfig {
  /** Signs callbacks (Standard Webhooks). `whsec_<base64>` or any string. Unset: one is generated and kept. */
  secret: string | undefined;
  /** Deliveries tried per callback before it is marked failed. */
  maxAttempts: number;
  /** First retry delay; each further retry doubles it. */
  retryBaseMs: number;
  timeoutMs: number;
}

export interface AuthConfig {
  /** Access tokens' signing key is replaced once it is this old. */
  tokenRotationMs: number;
}

/** What one client may hold of the HTTP listener. */
export interface HttpLimits {
  /** Headers and body must have arrived within this long, ms. */
  requestTimeoutMs: number;
  /** Open connections per client address. */
  maxConnectionsPerIp: number;
  /** Whether loopback addresses count against the per-address limits (connections and streams). */
  limitLoopback: boolean;
}

/** What one API key or one client address may hold of the live capacity. */
export interface StreamLimitConfig {
  /** Live channels, and speak sockets, per API key; default half the capacity of each. */
  perKey: number | undefined;
  /** The same per client address. */
  perIp: number | undefined;
}

export interface ServerConfig {
  host: string;
  port: number;
  http: HttpLimits;
  streams: StreamLimitConfig;
  /** Largest request body, bytes (Deepgram accepts up to 2 GB; we hold the body in memory). */
  maxBodyBytes: number;
  /** Largest file the OpenAI-compatible audio routes take, bytes (OpenAI's own limit is 25 MiB). */
  openAiMaxBytes: number;
  url: UrlPolicy;
  /**
   * Keys accepted in `Authorization: Token <key>` beside the stored ones, with the owner role on the default
   * project. With none here and none stored, the server answers loopback callers only, without a key.
   */
  apiKeys: string[];
  auth: AuthConfig;
  /** Origins allowed by CORS; `*` allows any. */
  corsOrigins: string[];
  engine: EngineConfig;
  logLevel: string;
  /** Transcription jobs: where they are kept and who runs them. */
  jobs: JobsConfig;
  /** Callback delivery: signing and retries. */
  webhooks: WebhookConfig;
  /** The config file the settings were read from, if any. */
  configFile: string | undefined;
}

/** Settings given in code, which win over every other source (tests, embedding the server). */
export type ConfigOverrides = Partial<
  Omit<ServerConfig, "url" | "engine" | "jobs" | "webhooks" | "auth" | "http" | "streams" | "configFile">
> & {
  http?: Partial<HttpLimits>;
  streams?: Partial<StreamLimitConfig>;
  auth?: Partial<AuthConfig>;
  url?: Partial<UrlPolicy>;
  engine?: Partial<EngineConfig>;
  jobs?: Partial<JobsConfig>;
  webhooks?: Partial<WebhookConfig>;
};

export interface ConfigSources {
  /** Command-line values by setting, with the flag that set each (error messages name the flag). */
  flags?: Partial<Record<SettingName, { flag: string; value: unknown }>>;
  /** The config file; default `EARSHOT_CONFIG`, else `earshot.config.json` in `cwd` when there is one. */
  configFile?: string | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Settings that cannot be used: the server does not start. */
export class ConfigError extends EarshotError {
  override name = "ConfigError";
  constructor(message: string) {
    super(500, "INVALID_CONFIG", message);
  }
}

export const CONFIG_FILE_NAME = "earshot.config.json";

/** An object without its undefined fields, so spreading it never unsets a default. */
const defined = <T extends object>(value: T | undefined): Partial<T> =>
  Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;

interface Layer {
  values: Record<string, unknown>;
  /** How an error names a setting of this layer: the variable, the variable in a file, or the flag. */
  label(name: string): string;
}

/** Parses one source; its problems are added to `problems`, each naming the setting and the bad value. */
function parseLayer(layer: Layer, problems: string[]): Settings {
  const parsed = SettingsSchema.safeParse(layer.values);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        problems.push(`${layer.label(key)} is not a setting (the README's configuration table lists them)`);
      }
      continue;
    }
    const name = String(issue.path[0]);
    const setting = SETTINGS[name as SettingName];
    problems.push(`${layer.label(name)} must be ${setting.expects}, got ${quoteValue(layer.values[name])}`);
  }
  return {};
}

function fileLayer(path: string): Layer {
  let values: unknown;
  try {
    values = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(
      e.code === "ENOENT"
        ? `The config file ${path} does not exist.`
        : `The config file ${path} could not be read: ${e.message}`,
    );
  }
  if (!values || typeof values !== "object" || Array.isArray(values)) {
    throw new ConfigError(`The config file ${path} must hold a JSON object of settings, e.g. {"EARSHOT_PORT": 8080}.`);
  }
  // null, like an empty variable, means "not set".
  const set = Object.entries(values).filter(([, value]) => value !== null && value !== "");
  return { values: Object.fromEntries(set), label: (name) => `${name} in ${path}` };
}

/** Reads every source and merges them by precedence: flags, then the environment, then the config file. */
export function readSettings(sources: ConfigSources = {}): { settings: Settings; configFile: string | undefined } {
  const env = sources.env ?? process.env;
  const cwd = sources.cwd ?? process.cwd();
  const problems: string[] = [];
  const known = Object.keys(SETTINGS).filter((name) => env[name] !== undefined && env[name] !== "");
  const fromEnv = parseLayer({ values: Object.fromEntries(known.map((n) => [n, env[n]])), label: (n) => n }, problems);
  const flagValues = Object.entries(sources.flags ?? {}).filter(([, f]) => f?.value !== undefined);
  const fromFlags = parseLayer(
    {
      values: Object.fromEntries(flagValues.map(([name, f]) => [name, f!.value])),
      label: (name) => sources.flags?.[name as SettingName]?.flag ?? name,
    },
    problems,
  );
  const explicit = sources.configFile ?? fromEnv.EARSHOT_CONFIG;
  const implicit = join(cwd, CONFIG_FILE_NAME);
  const configFile = explicit ? resolve(cwd, explicit) : existsSync(implicit) ? implicit : undefined;
  const fromFile = configFile ? parseLayer(fileLayer(configFile), problems) : {};
  if (fromFile.EARSHOT_CONFIG) problems.push(`EARSHOT_CONFIG in ${configFile} cannot name another config file`);
  if (problems.length > 0) {
    throw new ConfigError(
      problems.length === 1 ? `${problems[0]}.` : `Invalid settings:\n${problems.map((p) => `  ${p}`).join("\n")}`,
    );
  }
  return { settings: { ...fromFile, ...fromEnv, ...fromFlags }, configFile };
}

/** The settings as the server's typed config, defaults filled in, with `overrides` on top. */
export function configFromSettings(s: Settings, overrides: ConfigOverrides = {}, configFile?: string): ServerConfig {
  const dataDir = overrides.jobs?.dataDir ?? s.EARSHOT_DATA_DIR ?? join(homedir(), ".earshot");
  const engine: EngineConfig = {
    ...(s.EARSHOT_WORKERS !== undefined ? { workers: s.EARSHOT_WORKERS } : {}),
    ...(s.EARSHOT_QUEUE_LIMIT !== undefined ? { queueLimit: s.EARSHOT_QUEUE_LIMIT } : {}),
    modelsDir: s.EARSHOT_MODELS_DIR ?? join(homedir(), ".earshot", "models"),
    ...(s.EARSHOT_MODEL !== undefined ? { defaultModel: s.EARSHOT_MODEL } : {}),
    ...(s.EARSHOT_MODEL_CATALOG !== undefined ? { modelCatalog: s.EARSHOT_MODEL_CATALOG } : {}),
    ...(s.EARSHOT_MODEL_ALIASES !== undefined ? { modelAliases: s.EARSHOT_MODEL_ALIASES } : {}),
    ...(s.EARSHOT_MODEL_IDLE_SECONDS !== undefined
      ? { idleUnloadSeconds: s.EARSHOT_MODEL_IDLE_SECONDS === 0 ? false : s.EARSHOT_MODEL_IDLE_SECONDS }
      : {}),
    ...(s.EARSHOT_LIBPOCKETSPHINX || s.EARSHOT_LIBSPHINXBASE
      ? { pocketsphinx: { library: s.EARSHOT_LIBPOCKETSPHINX, sphinxbase: s.EARSHOT_LIBSPHINXBASE } }
      : {}),
  };
  return {
    host: overrides.host ?? s.EARSHOT_HOST ?? "127.0.0.1",
    port: overrides.port ?? s.EARSHOT_PORT ?? 8080,
    http: {
      requestTimeoutMs: s.EARSHOT_REQUEST_TIMEOUT_MS ?? 300_000,
      maxConnectionsPerIp: s.EARSHOT_CONNECTIONS_PER_IP ?? 64,
      limitLoopback: s.EARSHOT_LIMIT_LOOPBACK ?? false,
      ...defined(overrides.http),
    },
    streams: { perKey: s.EARSHOT_STREAMS_PER_KEY, perIp: s.EARSHOT_STREAMS_PER_IP, ...defined(overrides.streams) },
    maxBodyBytes: overrides.maxBodyBytes ?? s.EARSHOT_MAX_BODY_BYTES ?? 512 * 1024 * 1024,
    openAiMaxBytes: overrides.openAiMaxBytes ?? s.EARSHOT_OPENAI_MAX_BYTES ?? OPENAI_AUDIO_MAX_BYTES,
    url: {
      maxBytes: s.EARSHOT_URL_MAX_BYTES ?? 512 * 1024 * 1024,
      timeoutMs: s.EARSHOT_URL_TIMEOUT_MS ?? 60_000,
      maxRedirects: s.EARSHOT_URL_MAX_REDIRECTS ?? 5,
      allowList: s.EARSHOT_URL_ALLOW ?? [],
      ...defined(overrides.url),
    },
    apiKeys: overrides.apiKeys ?? s.EARSHOT_API_KEYS ?? [],
    auth: { tokenRotationMs: (s.EARSHOT_TOKEN_ROTATION_HOURS ?? 24) * 3600 * 1000, ...defined(overrides.auth) },
    corsOrigins: overrides.corsOrigins ?? (s.EARSHOT_CORS_ORIGINS?.length ? s.EARSHOT_CORS_ORIGINS : ["*"]),
    engine: { ...engine, ...defined(overrides.engine) },
    logLevel: overrides.logLevel ?? s.EARSHOT_LOG_LEVEL ?? "info",
    jobs: {
      dataDir,
      redisUrl: s.EARSHOT_REDIS_URL,
      blobDir: s.EARSHOT_BLOB_DIR ?? join(dataDir, "blobs"),
      retentionMs: (s.EARSHOT_JOB_RETENTION_SECONDS ?? 24 * 3600) * 1000,
      maxAttempts: s.EARSHOT_JOB_ATTEMPTS ?? 3,
      concurrency: s.EARSHOT_JOB_CONCURRENCY,
      queuePrefix: s.EARSHOT_QUEUE_PREFIX ?? "earshot",
      // Quick recovery from a killed worker against taking over a live one's jobs: the lock is renewed every 5 s
      // from the worker's main thread, which decoding never blocks (it runs in engine threads), so 10 s tolerates
      // a 5 s stall of that thread or of Redis; a check every 2 s finds a lapsed lock within 4 s. A wrong takeover
      // costs CPU, not correctness: the first run to finish completes the job, the other is discarded.
      lockMs: s.EARSHOT_JOB_LOCK_MS ?? 10_000,
      stalledCheckMs: s.EARSHOT_JOB_STALLED_CHECK_MS ?? 2000,
      reconcileMs: s.EARSHOT_JOB_RECONCILE_MS ?? 30_000,
      ...defined(overrides.jobs),
    },
    webhooks: {
      secret: s.EARSHOT_WEBHOOK_SECRET,
      maxAttempts: s.EARSHOT_WEBHOOK_ATTEMPTS ?? 8,
      retryBaseMs: s.EARSHOT_WEBHOOK_RETRY_MS ?? 1000,
      timeoutMs: s.EARSHOT_WEBHOOK_TIMEOUT_MS ?? 10_000,
      ...defined(overrides.webhooks),
    },
    configFile,
  };
}

/** Reads the settings (flags, environment, config file) and applies `overrides`; throws a ConfigError. */
export function loadConfig(overrides: ConfigOverrides = {}, sources: ConfigSources = {}): ServerConfig {
  const { settings, configFile } = readSettings(sources);
  return configFromSettings(settings, overrides, configFile);
}
