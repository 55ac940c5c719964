/**
 * Accounts when API nodes are scaled out: two servers on one Redis share projects, keys, access tokens (and
 * their signing keys, rotated under load) and the request log. A key deleted on one node fails on the other at
 * once, with every token it granted.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clip } from "@earshot/bench/corpus";
import { type RedisServer, startRedis } from "@earshot/bench/processes";
import { EarshotClient } from "@earshot/sdk";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { sleep } from "../support/live.js";
import { startTestServer } from "../support/server.js";

const ROTATION_MS = 1500;
const audio = readFileSync(clip("misc", "jfk").path);

let redis: RedisServer;
let a: EarshotServer;
let b: EarshotServer;
let adminKey: string;

const client = (server: EarshotServer, credential: { apiKey?: string; accessToken?: string }) =>
  new EarshotClient({ baseUrl: server.url, maxRetries: 0, ...credential });

/** The HTTP status a call failed with, or 200. */
const statusOf = (call: Promise<unknown>): Promise<number> =>
  call.then(
    () => 200,
    (err: { status?: number }) => err.status ?? 0,
  );

beforeAll(async () => {
  redis = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), "earshot-accounts-redis-"));
  const node = () =>
    startTestServer({
      engine: { workers: 1 },
      jobs: { redisUrl: redis.url, dataDir: dir, blobDir: join(dir, "blobs") },
      auth: { tokenRotationMs: ROTATION_MS },
    });
  [a, b] = await Promise.all([node(), node()]);
  const created = await runCli(["keys", "create", "--scope", "admin", "--redis", redis.url]);
  expect(created.code, created.stderr).toBe(0);
  adminKey = created.stdout.trim();
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await redis?.close();
});

describe("two API nodes on one Redis", () => {
  it("share keys: made on one, used on the other, deleted on one and refused by the other at once", async () => {
    const admin = client(a, { apiKey: adminKey });
    const [{ projects }, fromB] = await Promise.all([
      admin.manage.v1.projects.list(),
      client(b, { apiKey: adminKey }).manage.v1.projects.list(),
    ]);
    expect(fromB.projects).toEqual(projects);
    const projectId = projects[0]!.project_id;
    const made = await admin.manage.v1.projects.keys.create(projectId, { comment: "shared", scopes: ["member"] });
    const onB = client(b, { apiKey: made.key });
    const result = await onB.listen.v1.media.transcribeFile(audio);
    expect(result.results.channels[0]!.alternatives[0]!.transcript).toMatch(/country/);
    const token = (await client(b, { apiKey: made.key }).auth.v1.tokens.grant({ ttl_seconds: 600 })).access_token;
    expect(await statusOf(client(a, { accessToken: token }).models.list())).toBe(200);

    await admin.manage.v1.projects.keys.delete(projectId, made.api_key_id);
    expect(await statusOf(onB.models.list())).toBe(401);
    expect(await statusOf(client(b, { accessToken: token }).models.list())).toBe(401);
    expect(await statusOf(client(a, { accessToken: token }).models.list())).toBe(401);

    // What node B served is in the log node A reads.
    const { requests } = await admin.manage.v1.projects.requests.list(projectId, { accessor: made.api_key_id });
    expect(requests.map((r) => r.path)).toContain("/v1/listen");
  });

  it("rotate the token signing key without cutting tokens short", async () => {
    const before = (await client(a, { apiKey: adminKey }).auth.v1.tokens.grant({ ttl_seconds: 600 })).access_token;
    await sleep(ROTATION_MS + 200);
    // Node B's key is now too old: this grant rotates it, and node A learns the new key from the token's kid.
    const after = (await client(b, { apiKey: adminKey }).auth.v1.tokens.grant({ ttl_seconds: 600 })).access_token;
    const kid = (token: string) => JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()).kid;
    expect(kid(after)).not.toBe(kid(before));
    for (const server of [a, b]) {
      for (const token of [before, after]) {
        expect(await statusOf(client(server, { accessToken: token }).models.list())).toBe(200);
      }
    }
  });
});
