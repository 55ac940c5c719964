/**
 * Settings: every `EARSHOT_*` value parsed by one schema, from flags, the environment and the config file in
 * that order of precedence; a bad value stops the start naming it; the README's table is the schema's.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../test/support/app.js";
import { CONFIG_FILE_NAME, ConfigError, loadConfig } from "../src/config/load.js";
import { SETTING_NAMES } from "../src/config/settings.js";
import { withConfigTable } from "../src/config/table.js";

const load = (env: NodeJS.ProcessEnv, more: Parameters<typeof loadConfig>[1] = {}) =>
  loadConfig({}, { cwd: tempDir("config-cwd"), ...more, env });

function configFile(settings: unknown): { cwd: string; path: string } {
  const cwd = tempDir("config-file");
  const path = join(cwd, CONFIG_FILE_NAME);
  writeFileSync(path, typeof settings === "string" ? settings : JSON.stringify(settings));
  return { cwd, path };
}

describe("defaults", () => {
  it("are those the README lists", () => {
    const config = load({});
    expect(config).toMatchObject({
      host: "127.0.0.1",
      port: 8080,
      maxBodyBytes: 512 * 1024 * 1024,
      apiKeys: [],
      auth: { tokenRotationMs: 86_400_000 },
      corsOrigins: ["*"],
      logLevel: "info",
      url: { maxBytes: 512 * 1024 * 1024, timeoutMs: 60_000, maxRedirects: 5, allowList: [] },
      engine: { modelsDir: join(homedir(), ".earshot", "models") },
      jobs: {
        dataDir: join(homedir(), ".earshot"),
        blobDir: join(homedir(), ".earshot", "blobs"),
        redisUrl: undefined,
        retentionMs: 86_400_000,
        maxAttempts: 3,
        concurrency: undefined,
        queuePrefix: "earshot",
        lockMs: 10_000,
        stalledCheckMs: 2000,
        reconcileMs: 30_000,
      },
      webhooks: { secret: undefined, maxAttempts: 8, retryBaseMs: 1000, timeoutMs: 10_000 },
      http: { maxConnectionsPerIp: 64, limitLoopback: false },
      streams: { perKey: undefined, perIp: undefined },
      configFile: undefined,
    });
    expect(config.engine.workers).toBeUndefined();
  });
});

describe("the environment", () => {
  it("sets every kind of value: numbers, lists, paths, URLs", () => {
    const config = load({
      EARSHOT_PORT: "9000",
      EARSHOT_WORKERS: "3",
      EARSHOT_API_KEYS: " k1, k2 ,",
      EARSHOT_URL_ALLOW: "10.0.0.0/8,::1,media.internal",
      EARSHOT_DATA_DIR: "/srv/earshot",
      EARSHOT_REDIS_URL: "redis://127.0.0.1:6379",
      EARSHOT_JOB_RETENTION_SECONDS: "0.5",
      EARSHOT_MODEL: "pocketsphinx-en-us-debian",
      EARSHOT_LIBPOCKETSPHINX: "/opt/ps/libpocketsphinx.so",
      EARSHOT_LOG_LEVEL: "debug",
      EARSHOT_STREAMS_PER_KEY: "4",
      EARSHOT_STREAMS_PER_IP: "2",
      EARSHOT_LIMIT_LOOPBACK: "true",
    });
    expect(config).toMatchObject({
      port: 9000,
      http: { limitLoopback: true },
      streams: { perKey: 4, perIp: 2 },
      apiKeys: ["k1", "k2"],
      logLevel: "debug",
      url: { allowList: ["10.0.0.0/8", "::1", "media.internal"] },
      engine: {
        workers: 3,
        defaultModel: "pocketsphinx-en-us-debian",
        pocketsphinx: { library: "/opt/ps/libpocketsphinx.so" },
      },
      jobs: {
        dataDir: "/srv/earshot",
        blobDir: "/srv/earshot/blobs",
        redisUrl: "redis://127.0.0.1:6379",
        retentionMs: 500,
      },
    });
  });

  it("treats an empty variable as unset", () => {
    expect(load({ EARSHOT_PORT: "", EARSHOT_CORS_ORIGINS: "" })).toMatchObject({ port: 8080, corsOrigins: ["*"] });
  });

  it.each([
    ["EARSHOT_WORKERS", "abc", "EARSHOT_WORKERS must be a positive integer, got 'abc'"],
    ["EARSHOT_WORKERS", "0", "EARSHOT_WORKERS must be a positive integer, got '0'"],
    ["EARSHOT_PORT", "70000", "EARSHOT_PORT must be a port number from 0 to 65535, got '70000'"],
    ["EARSHOT_QUEUE_LIMIT", "1.5", "EARSHOT_QUEUE_LIMIT must be a positive integer, got '1.5'"],
    ["EARSHOT_LOG_LEVEL", "loud", "EARSHOT_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent"],
    ["EARSHOT_REDIS_URL", "localhost", "EARSHOT_REDIS_URL must be a URL such as redis://127.0.0.1:6379"],
    ["EARSHOT_URL_ALLOW", "10.0.0.0/99", "EARSHOT_URL_ALLOW must be a comma-separated list of CIDR ranges"],
    ["EARSHOT_LIMIT_LOOPBACK", "yes", "EARSHOT_LIMIT_LOOPBACK must be true or false, got 'yes'"],
    ["EARSHOT_STREAMS_PER_KEY", "0", "EARSHOT_STREAMS_PER_KEY must be a positive integer, got '0'"],
  ])("stops on %s=%s", (name, value, message) => {
    expect(() => load({ [name]: value })).toThrow(ConfigError);
    expect(() => load({ [name]: value })).toThrow(message);
  });

  it("names every bad value at once", () => {
    expect(() => load({ EARSHOT_WORKERS: "abc", EARSHOT_PORT: "x" })).toThrow(
      /Invalid settings:\n {2}EARSHOT_PORT must be .*\n {2}EARSHOT_WORKERS must be/,
    );
  });
});

describe("the config file", () => {
  it("is read from the working directory, with JSON values and the same keys", () => {
    const { cwd, path } = configFile({ EARSHOT_PORT: 9100, EARSHOT_API_KEYS: ["a", "b"], EARSHOT_WORKERS: null });
    const config = load({}, { cwd });
    expect(config).toMatchObject({ port: 9100, apiKeys: ["a", "b"], configFile: path });
    expect(config.engine.workers).toBeUndefined();
  });

  it("is named by --config or EARSHOT_CONFIG, relative to the working directory", () => {
    const { cwd } = configFile({});
    writeFileSync(join(cwd, "other.json"), JSON.stringify({ EARSHOT_PORT: 9200 }));
    expect(load({}, { cwd, configFile: "other.json" }).port).toBe(9200);
    expect(load({ EARSHOT_CONFIG: "other.json" }, { cwd }).port).toBe(9200);
  });

  it("ranks below the environment, which ranks below flags and code", () => {
    const { cwd } = configFile({ EARSHOT_PORT: 9100, EARSHOT_HOST: "0.0.0.0", EARSHOT_WORKERS: 2 });
    const env = { EARSHOT_PORT: "9300", EARSHOT_WORKERS: "4" };
    const sources = { cwd, env, flags: { EARSHOT_WORKERS: { flag: "--workers", value: "6" } } };
    expect(loadConfig({}, sources)).toMatchObject({ host: "0.0.0.0", port: 9300, engine: { workers: 6 } });
    expect(loadConfig({ port: 0, engine: { workers: 1 } }, sources)).toMatchObject({ port: 0, engine: { workers: 1 } });
  });

  it.each([
    [{ EARSHOT_WORKERS: "abc" }, /EARSHOT_WORKERS in .*earshot\.config\.json must be a positive integer, got 'abc'/],
    [{ EARSHOT_PROT: 8080 }, /EARSHOT_PROT in .*earshot\.config\.json is not a setting/],
    [{ EARSHOT_CONFIG: "x.json" }, /cannot name another config file/],
    ["{not json", /could not be read/],
    ["[1, 2]", /must hold a JSON object/],
  ])("stops on %j", (settings, message) => {
    const { cwd } = configFile(settings);
    expect(() => load({}, { cwd })).toThrow(message);
  });

  it("must exist when it is named", () => {
    expect(() => load({}, { configFile: "/nonexistent/earshot.json" })).toThrow(/does not exist/);
  });

  it("a bad flag is reported by its name", () => {
    expect(() => load({}, { flags: { EARSHOT_WORKERS: { flag: "--threads", value: "many" } } })).toThrow(
      "--threads must be a positive integer, got 'many'",
    );
  });
});

describe("the README", () => {
  it("lists every setting, as the schema describes it", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    expect(readme, "the README's configuration table is out of date: run `npm run config-table`").toBe(
      withConfigTable(readme),
    );
    for (const name of SETTING_NAMES) expect(readme).toContain(`\`${name}\``);
  });
});

describe("model settings", () => {
  it("reads the alias table as pairs from the environment, as JSON, or as an object in the config file", () => {
    expect(
      load({ EARSHOT_MODEL_ALIASES: "nova-3=whisper-small.en|whisper-base.en, nova-2=whisper-tiny.en" }).engine
        .modelAliases,
    ).toEqual({ "nova-3": ["whisper-small.en", "whisper-base.en"], "nova-2": ["whisper-tiny.en"] });
    expect(load({ EARSHOT_MODEL_ALIASES: '{"nova-3": "whisper-small.en"}' }).engine.modelAliases).toEqual({
      "nova-3": ["whisper-small.en"],
    });
    const { cwd } = configFile({ EARSHOT_MODEL_ALIASES: { base: ["vosk-model-small-en-us-0.15"] } });
    expect(load({}, { cwd }).engine.modelAliases).toEqual({ base: ["vosk-model-small-en-us-0.15"] });
    expect(() => load({ EARSHOT_MODEL_ALIASES: '{"nova-3": []}' })).toThrow(
      /EARSHOT_MODEL_ALIASES must be a JSON object of model name → installed model/,
    );
  });

  it("passes the catalog file on to the engine config", () => {
    expect(load({ EARSHOT_MODEL_CATALOG: "/etc/earshot/models.json" }).engine.modelCatalog).toBe(
      "/etc/earshot/models.json",
    );
  });
});
