/** The generated webhook secret: made once, kept private, shared by every process that signs callbacks. */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RedisServer, startRedis } from "@earshot/bench/processes";
import { webhookKey } from "@earshot/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../../test/support/app.js";
import { fileSecret, redisSecret, resolveWebhookSecret, WEBHOOK_SECRET_FILE } from "../src/webhooks/secret.js";

describe("embedded", () => {
  it("generates a Standard Webhooks secret on first start, readable by its owner only, and keeps it", () => {
    const dir = tempDir("secret");
    const first = fileSecret(dir);
    expect(first).toMatchObject({ source: "generated", location: join(dir, WEBHOOK_SECRET_FILE) });
    expect(webhookKey(first.secret).byteLength).toBe(32);
    expect(statSync(first.location!).mode & 0o777).toBe(0o600);
    expect(fileSecret(dir).secret).toBe(first.secret);
  });

  it("uses a secret already in the data dir (another process made it first)", () => {
    const dir = tempDir("secret");
    writeFileSync(join(dir, WEBHOOK_SECRET_FILE), "whsec_c2hhcmVk\n", { mode: 0o600 });
    expect(fileSecret(dir).secret).toBe("whsec_c2hhcmVk");
    expect(readFileSync(join(dir, WEBHOOK_SECRET_FILE), "utf8")).toBe("whsec_c2hhcmVk\n");
  });

  it("prefers the configured secret and writes nothing then", async () => {
    const dir = tempDir("secret");
    const jobs = { dataDir: dir, redisUrl: undefined, queuePrefix: "earshot" };
    const signing = await resolveWebhookSecret({ jobs, webhooks: { secret: "mine" } } as never);
    expect(signing).toEqual({ secret: "mine", source: "config" });
    expect(() => statSync(join(dir, WEBHOOK_SECRET_FILE))).toThrow();
  });
});

describe("scaled out", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.close());

  it("keeps one secret in Redis, so API nodes and workers sign alike", async () => {
    const [a, b] = await Promise.all([redisSecret(redis.url, "t1"), redisSecret(redis.url, "t1")]);
    expect(a.secret).toBe(b.secret);
    expect(a).toMatchObject({ source: "generated", location: "Redis key t1:webhook-secret" });
    expect((await redisSecret(redis.url, "t2")).secret).not.toBe(a.secret);
  });
});
