/**
 * Every `EARSHOT_*` setting: its schema, what a valid value looks like, its default and what it does. The same
 * names work as environment variables, as keys of the JSON config file and (for some) as CLI flags; the README's
 * configuration table is generated from this list (`npm run config-table`), so this is the one place to document
 * a setting.
 */
import ipaddr from "ipaddr.js";
import { z } from "zod";

export interface Setting<T = unknown> {
  /** Parses the raw value: a string from the environment or a flag, or a JSON value from the config file. */
  schema: z.ZodType<T>;
  /** How a valid value reads in an error message: "EARSHOT_WORKERS must be a positive integer, got 'abc'". */
  expects: string;
  /** The default as the README shows it. */
  default: string;
  description: string;
}

/** Numbers come as strings from the environment and as numbers from JSON. */
const numeric = (value: unknown): unknown =>
  typeof value === "string" && value.trim() !== "" ? Number(value.trim()) : value;

const positiveInt = z.preprocess(numeric, z.number().int().min(1));
const nonNegativeInt = z.preprocess(numeric, z.number().int().min(0));
const text = z.string().trim().min(1);
const BOOLEANS: Record<string, boolean> = { true: true, "1": true, false: false, "0": false };
/** `true`/`false` (or `1`/`0`) from the environment, a boolean from JSON. */
const flag = z.preprocess(
  (value) => (typeof value === "string" ? (BOOLEANS[value.trim().toLowerCase()] ?? value) : value),
  z.boolean(),
);
/** A comma-separated string, or a JSON array. */
const listOf = <T>(item: z.ZodType<T>) =>
  z.preprocess(
    (value) =>
      typeof value === "string"
        ? value
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : value,
    z.array(item),
  );

/**
 * Model aliases: a JSON object (`{"nova-3": ["whisper-small.en", "whisper-base.en"]}`, a single name allowed) from
 * the config file or the environment, or `nova-3=whisper-small.en|whisper-base.en,nova-2=…` from the environment.
 */
const modelAliases = z.preprocess(
  (value) => {
    if (typeof value !== "string") return value;
    const trimmed = value.trim();
    if (trimmed.startsWith("{")) {
      try {
        return JSON.parse(trimmed);
      } catch {
        return value;
      }
    }
    return Object.fromEntries(
      trimmed
        .split(",")
        .filter((pair) => pair.trim())
        .map((pair) => {
          const [name = "", targets = ""] = pair.split("=");
          return [name.trim(), targets.split("|").map((t) => t.trim())];
        }),
    );
  },
  z.record(text, z.union([text.transform((t) => [t]), z.array(text).min(1)])),
);

const isAddressRule = (entry: string): boolean =>
  entry.includes("/") ? ipaddr.isValidCIDR(entry) : ipaddr.isValid(entry) || /^[a-z0-9.-]+$/i.test(entry);

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const setting = <T>(s: Setting<T>): Setting<T> => s;

export const SETTINGS = {
  EARSHOT_CONFIG: setting({
    schema: text,
    expects: "a file path",
    default: "`./earshot.config.json` if it exists",
    description:
      "JSON file of these settings keyed by variable name (`--config FILE`); flags and the environment win over it",
  }),
  EARSHOT_HOST: setting({
    schema: text,
    expects: "a host name or address",
    default: "`127.0.0.1`",
    description: "interface the server listens on (`0.0.0.0` for every interface)",
  }),
  EARSHOT_PORT: setting({
    schema: z.preprocess(numeric, z.number().int().min(0).max(65_535)),
    expects: "a port number from 0 to 65535",
    default: "`8080`",
    description: "port the server listens on (0 picks a free one)",
  }),
  EARSHOT_API_KEYS: setting({
    schema: listOf(text),
    expects: "a comma-separated list of keys",
    default: "none",
    description:
      "API keys with the owner role on the default project (simple mode, beside keys made with `earshot keys create`)",
  }),
  EARSHOT_TOKEN_ROTATION_HOURS: setting({
    schema: z.preprocess(numeric, z.number().positive()),
    expects: "a positive number of hours",
    default: "24",
    description:
      "access tokens' signing key is replaced once it is this old; the previous one keeps verifying for an hour (the longest token lifetime)",
  }),
  EARSHOT_CORS_ORIGINS: setting({
    schema: listOf(text),
    expects: "a comma-separated list of origins",
    default: "`*`",
    description: "browser origins allowed by CORS (`*`: any)",
  }),
  EARSHOT_REQUEST_TIMEOUT_MS: setting({
    schema: positiveInt,
    expects: "a positive integer",
    default: "300000 (5 min)",
    description:
      "time for a request's headers and body to arrive, ms (408 beyond): a trickled body cannot hold a connection",
  }),
  EARSHOT_CONNECTIONS_PER_IP: setting({
    schema: positiveInt,
    expects: "a positive integer",
    default: "64",
    description:
      "open connections (HTTP and WebSocket) one non-loopback client address may hold (see `EARSHOT_LIMIT_LOOPBACK`); more are closed at once",
  }),
  EARSHOT_STREAMS_PER_KEY: setting({
    schema: positiveInt,
    expects: "a positive integer",
    default: "half the server's live capacity",
    description:
      "live channels (`/v1/listen` and `/v2/listen` WebSockets, one per audio channel) and, separately, speak WebSockets one API key may hold at once; more get 429 with `Retry-After`, so no one key takes all the capacity",
  }),
  EARSHOT_STREAMS_PER_IP: setting({
    schema: positiveInt,
    expects: "a positive integer",
    default: "half the server's live capacity",
    description:
      "the same, per non-loopback client address (`EARSHOT_LIMIT_LOOPBACK` counts loopback too), whatever the keys",
  }),
  EARSHOT_LIMIT_LOOPBACK: setting({
    schema: flag,
    expects: "true or false",
    default: "false",
    description:
      "apply the per-address limits (connections and streams) to loopback clients too; off because a reverse proxy on this host brings every client from 127.0.0.1 and must limit them itself",
  }),
  EARSHOT_MAX_BODY_BYTES: setting({
    schema: positiveInt,
    expects: "a positive integer",
    default: "536870912 (512 MiB)",
    description: "largest request body, bytes (413 beyond); bodies are held in memory",
  }),
  EARSHOT_OPENAI_MAX_BYTES: setting({
    schema: positiveInt,
    expects: "a positive integer",
    default: "26214400 (25 MiB, OpenAI's)",
    description: "largest file `/v1/audio/transcriptions` and `/v1/audio/translations` take, bytes (413 beyond)",
  }),
  EARSHOT_LOG_LEVEL: setting({
    schema: z.enum(LOG_LEVELS),
    expects: `one of ${LOG_LEVELS.join(", ")}`,
    default: "`info`",
    description: "server log level",
  }),
  EARSHOT_URL_MAX_BYTES: setting({
    schema: positiveInt,
    expects: "a positive integer",
    default: "536870912 (512 MiB)",
    description: 'largest file fetched for `{"url"}` sources, bytes',
  }),
  EARSHOT_URL_TIMEOUT_MS: setting({
    schema: positiveInt,
    expects: "a positive integer",
    default: "60000",
    description: 'time allowed for a `{"url"}` fetch, redirects included, ms',
  }),
  EARSHOT_URL_MAX_REDIRECTS: setting({
    schema: nonNegativeInt,
    expects: "a non-negative integer",
    default: "5",
    description: 'redirects followed for a `{"url"}` fetch',
  }),
  EARSHOT_URL_ALLOW: setting({
    schema: listOf(text.refine(isAddressRule)),
    expects: "a comma-separated list of CIDR ranges, addresses or host names",
    default: "none",
    description:
      'private, loopback or link-local addresses that `{"url"}` sources and callbacks may reach anyway (e.g. `10.0.0.0/8`)',
  }),
  EARSHOT_WORKERS: setting({
    schema: positiveInt,
    expects: "a positive integer",
    default: "one per core",
    description: "engine worker threads, each holding its own loaded models",
  }),
  EARSHOT_QUEUE_LIMIT: setting({
    schema: positiveInt,
    expects: "a positive integer",
    default: "8 per worker",
    description: "requests admitted at once; beyond that, 429 with `Retry-After`",
  }),
  EARSHOT_MODEL: setting({
    schema: text,
    expects: "a model name",
    default: "`pocketsphinx-en-us`",
    description: "default speech recogniser (`pocketsphinx-en-us-debian` is the other built-in)",
  }),
  EARSHOT_MODELS_DIR: setting({
    schema: text,
    expects: "a directory path",
    default: "`~/.earshot/models`",
    description: "models installed with `earshot models pull`, `import` or `add`",
  }),
  EARSHOT_MODEL_CATALOG: setting({
    schema: text,
    expects: "a file path",
    default: "none (the built-in catalog)",
    description:
      "JSON file of models `earshot models pull` can fetch beyond the built-in catalog (`--catalog FILE`; format under Models)",
  }),
  EARSHOT_MODEL_ALIASES: setting({
    schema: modelAliases,
    expects: "a JSON object of model name → installed model(s), or `name=model|model,…`",
    default: "Deepgram names → best installed English model",
    description:
      "which installed model serves a requested name (Deepgram's, or any): the first installed of the list wins; a name with no installed target falls back to `EARSHOT_MODEL`",
  }),
  EARSHOT_MODEL_IDLE_SECONDS: setting({
    schema: nonNegativeInt,
    expects: "a number of seconds",
    default: "900",
    description: "a model unused this long is unloaded from memory until its next request; 0 keeps models loaded",
  }),
  EARSHOT_LIBPOCKETSPHINX: setting({
    schema: text,
    expects: "a library name or path",
    default: "`libpocketsphinx.so.3`",
    description: "PocketSphinx shared library (another distribution's, or a self-built one)",
  }),
  EARSHOT_LIBSPHINXBASE: setting({
    schema: text,
    expects: "a library name or path",
    default: "`libsphinxbase.so.3`",
    description: "SphinxBase shared library that goes with it",
  }),
  EARSHOT_DATA_DIR: setting({
    schema: text,
    expects: "a directory path",
    default: "`~/.earshot`",
    description: "embedded job store (`jobs.db`), job audio and the generated webhook secret",
  }),
  EARSHOT_BLOB_DIR: setting({
    schema: text,
    expects: "a directory path",
    default: "`<data dir>/blobs`",
    description: "job audio and uploads; with Redis, a path every worker shares",
  }),
  EARSHOT_REDIS_URL: setting({
    schema: z.url(),
    expects: "a URL such as redis://127.0.0.1:6379",
    default: "none (embedded jobs)",
    description: "scale out: jobs go through BullMQ on this Redis and `earshot worker` processes run them",
  }),
  EARSHOT_QUEUE_PREFIX: setting({
    schema: text,
    expects: "a key prefix",
    default: "`earshot`",
    description: "prefix of the Redis keys of the job store and queues",
  }),
  EARSHOT_JOB_RETENTION_SECONDS: setting({
    schema: z.preprocess(numeric, z.number().positive()),
    expects: "a positive number of seconds",
    default: "86400 (24 h)",
    description: "job audio and results are deleted this long after the job ends",
  }),
  EARSHOT_JOB_ATTEMPTS: setting({
    schema: positiveInt,
    expects: "a positive integer",
    default: "3",
    description: "starts of one job (crashes and transient failures included) before it ends in `error`",
  }),
  EARSHOT_JOB_CONCURRENCY: setting({
    schema: positiveInt,
    expects: "a positive integer",
    default: "the engine's workers (a worker process: one more)",
    description: "jobs run at once by one process",
  }),
  EARSHOT_JOB_LOCK_MS: setting({
    schema: positiveInt,
    expects: "a positive integer",
    default: "10000",
    description:
      "Redis mode: a running job's lock, renewed every half of it; a killed worker's jobs are taken over once it lapses",
  }),
  EARSHOT_JOB_STALLED_CHECK_MS: setting({
    schema: positiveInt,
    expects: "a positive integer",
    default: "2000",
    description:
      "Redis mode: how often workers look for jobs whose lock lapsed (a killed worker's jobs run again within the lock plus twice this)",
  }),
  EARSHOT_JOB_RECONCILE_MS: setting({
    schema: positiveInt,
    expects: "a positive integer",
    default: "30000",
    description:
      "Redis mode: how often (and at start) API nodes and workers requeue jobs the store has as queued or running but the queue lost",
  }),
  EARSHOT_WEBHOOK_SECRET: setting({
    schema: text,
    expects: "a non-empty string",
    default: "generated",
    description:
      "signs callbacks, `whsec_<base64>` or any string; unset, one is generated and kept (data dir, or Redis)",
  }),
  EARSHOT_WEBHOOK_ATTEMPTS: setting({
    schema: positiveInt,
    expects: "a positive integer",
    default: "8",
    description: "deliveries tried per callback before it is marked failed",
  }),
  EARSHOT_WEBHOOK_RETRY_MS: setting({
    schema: positiveInt,
    expects: "a positive integer",
    default: "1000",
    description: "first callback retry delay, ms; each further retry doubles it (at most 10 minutes)",
  }),
  EARSHOT_WEBHOOK_TIMEOUT_MS: setting({
    schema: positiveInt,
    expects: "a positive integer",
    default: "10000",
    description: "time allowed for one callback delivery, ms",
  }),
} as const satisfies Record<`EARSHOT_${string}`, Setting>;

export type SettingName = keyof typeof SETTINGS;
/** Parsed settings; a missing one takes its default where the config is assembled. */
export type Settings = { -readonly [K in SettingName]?: (typeof SETTINGS)[K] extends Setting<infer T> ? T : never };

export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

export const isSettingName = (name: string): name is SettingName => Object.hasOwn(SETTINGS, name);

/** The one schema of every setting; the config file is checked against it too, so a misspelt key is an error. */
export const SettingsSchema = z.strictObject(
  Object.fromEntries(SETTING_NAMES.map((name) => [name, SETTINGS[name].schema.optional()])),
) as unknown as z.ZodType<Settings>;
