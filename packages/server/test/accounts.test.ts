/**
 * The pieces of accounts on their own, over a real SQLite file: key secrets and their hashes, projects and
 * members (several processes agreeing on one default project), scopes within roles, expiry, access tokens and
 * the rotation of their signing key, and the reports made from the request log.
 */
import { join } from "node:path";
import { Accounts } from "@earshot/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tempDir } from "../../../test/support/app.js";
import { generateKey, parseKey, verifySecret } from "../src/accounts/secrets.js";
import { SqliteDocStore } from "../src/accounts/sqlite-doc-store.js";
import { isLoopback } from "../src/auth/authenticator.js";
import { TokenIssuer } from "../src/auth/tokens.js";
import { filterUsage, usageBreakdown, usageSummary, windowOf } from "../src/usage/report.js";
import type { RequestRecord } from "../src/usage/request-log.js";
import { endpointOf, usageFromQuery } from "../src/usage/telemetry.js";

const openAccounts = (dir = tempDir("accounts")) => new Accounts(new SqliteDocStore(join(dir, "jobs.db")));

afterEach(() => {
  vi.useRealTimers();
});

describe("key secrets", () => {
  it("are found by their id and checked against a salted scrypt hash", async () => {
    const { id, key, hash } = await generateKey();
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(hash).not.toContain(key.split("_")[2]);
    const parsed = parseKey(key)!;
    expect(parsed.id).toBe(id);
    expect(await verifySecret(parsed.secret, hash)).toBe(true);
    expect(
      await verifySecret(
        parsed.secret.replace(/.$/, (c) => (c === "0" ? "1" : "0")),
        hash,
      ),
    ).toBe(false);
    for (const other of ["", "secret", key.slice(0, -1), `${key}0`, key.toUpperCase()]) {
      expect(parseKey(other)).toBeUndefined();
    }
  });
});

describe("accounts", () => {
  it("agree on one default project when several processes start at once", async () => {
    const dir = tempDir("accounts-race");
    const all = [openAccounts(dir), openAccounts(dir), openAccounts(dir)];
    const projects = await Promise.all(all.map((a) => a.ensureDefaultProject()));
    expect(new Set(projects.map((p) => p.id)).size).toBe(1);
    expect(await all[0]!.projects()).toHaveLength(1);
    const members = await all[0]!.memberships(projects[0]!.id);
    expect(members).toHaveLength(1);
    await Promise.all(all.map((a) => a.close()));
  });

  it("give a key no more than its member's role, and narrow it when the role is lowered", async () => {
    const accounts = openAccounts();
    const { record, key, project } = await accounts.createHostKey({
      email: "dev@example.com",
      comment: "dev",
      scopes: ["admin"],
    });
    expect((await accounts.membership(project.id, record.memberId))?.scopes).toEqual(["admin"]);
    expect([...(await accounts.verify(key))!.scopes]).toContain("keys:write");
    await expect(
      accounts.createKey({ projectId: project.id, memberId: record.memberId, comment: "x", scopes: ["owner"] }),
    ).rejects.toMatchObject({ status: 403 });
    await expect(
      accounts.createKey({ projectId: project.id, memberId: record.memberId, comment: "x", scopes: ["root"] }),
    ).rejects.toMatchObject({ status: 400 });
    await accounts.setRole(project.id, record.memberId, "member");
    const narrowed = (await accounts.verify(key))!.scopes;
    expect(narrowed.has("keys:write")).toBe(false);
    expect(narrowed.has("usage:write")).toBe(true);
    await accounts.close();
  });

  it("refuse expired and deleted keys, and drop a deleted project's keys", async () => {
    const accounts = openAccounts();
    const expiring = await accounts.createHostKey({
      comment: "brief",
      scopes: ["member"],
      expiresAt: Date.now() + 1500,
    });
    expect(await accounts.verify(expiring.key)).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(await accounts.verify(expiring.key)).toBeUndefined();

    const other = await accounts.createHostKey({ project: "other", comment: "o", scopes: ["member"] });
    expect(other.project.name).toBe("other");
    await accounts.deleteProject(other.project.id);
    expect(await accounts.verify(other.key)).toBeUndefined();
    await expect(accounts.deleteProject((await accounts.ensureDefaultProject()).id)).rejects.toMatchObject({
      status: 400,
    });
    expect(await accounts.revokeKey(expiring.record.id)).toBe(true);
    expect(await accounts.revokeKey(expiring.record.id)).toBe(false);
    await accounts.close();
  });
});

describe("access tokens", () => {
  const claims = { apiKeyId: "k", projectId: "p", principal: "key" as const, scopes: ["usage:write" as const] };

  it("verify while signed, unexpired and issued by a live signing key", async () => {
    const docs = new SqliteDocStore(join(tempDir("tokens"), "jobs.db"));
    const tokens = new TokenIssuer(docs, 3600_000);
    const token = await tokens.grant(claims, 60);
    expect(await tokens.verify(token)).toMatchObject({ apiKeyId: "k", projectId: "p", scopes: ["usage:write"] });
    const [header, payload, signature] = token.split(".");
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), scope: "keys:write" }),
    ).toString("base64url");
    expect(await tokens.verify(`${header}.${forged}.${signature}`)).toBeUndefined();
    const otherKid = Buffer.from(JSON.stringify({ alg: "HS256", kid: "nope" })).toString("base64url");
    expect(await tokens.verify(`${otherKid}.${payload}.${signature}`)).toBeUndefined();
    const none = Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url");
    expect(await tokens.verify(`${none}.${payload}.`)).toBeUndefined();
    await docs.close();
  });

  it("outlive a rotation of the signing key, which is dropped an hour after it was replaced", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.parse("2030-01-01T00:00:00Z");
    vi.setSystemTime(start);
    const docs = new SqliteDocStore(join(tempDir("rotation"), "jobs.db"));
    const tokens = new TokenIssuer(docs, 600_000);
    const early = await tokens.grant(claims, 3600);
    vi.setSystemTime(start + 601_000);
    const late = await tokens.grant(claims, 3600);
    expect(await docs.list("signing")).toHaveLength(2);
    // A second node, reading the same store, verifies both.
    const other = new TokenIssuer(docs, 600_000);
    vi.setSystemTime(start + 3599_000);
    for (const issuer of [tokens, other]) {
      expect(await issuer.verify(early)).toBeDefined();
      expect(await issuer.verify(late)).toBeDefined();
    }
    vi.setSystemTime(start + 601_000 + 3601_000);
    await tokens.rotate();
    expect(await docs.list("signing")).toHaveLength(2);
    expect(await tokens.verify(early)).toBeUndefined();
    await docs.close();
  });
});

describe("usage reports", () => {
  const day = (date: string, extra: Partial<RequestRecord> = {}): RequestRecord => ({
    requestId: `${date}-${Math.random()}`,
    projectId: "p",
    apiKeyId: "k",
    created: Date.parse(`${date}T12:00:00Z`),
    path: "/v1/listen",
    endpoint: "listen",
    method: "sync",
    code: 200,
    durationMs: 10,
    models: ["m"],
    audioSeconds: 1800,
    characters: null,
    channels: 1,
    features: [],
    tags: [],
    callback: null,
    completed: null,
    ...extra,
  });

  it("sum per day over whole UTC days, filtered by features and grouped on request", () => {
    const window = windowOf({ start: "2025-03-01", end: "2025-03-03" });
    expect(window).toEqual({ start: Date.parse("2025-03-01"), end: Date.parse("2025-03-04") - 1 });
    const records = [
      day("2025-03-01"),
      day("2025-03-03", { features: ["diarize"], apiKeyId: "j" }),
      day("2025-03-03", { endpoint: "speak", audioSeconds: null, characters: 40 }),
    ];
    const summary = usageSummary(records, window);
    expect(summary.results.map((r) => [r.start, r.requests, r.hours, r.tts_characters])).toEqual([
      ["2025-03-01", 1, 0.5, 0],
      ["2025-03-02", 0, 0, 0],
      ["2025-03-03", 2, 0.5, 40],
    ]);
    expect(filterUsage(records, { diarize: "true" } as never)).toHaveLength(1);
    const byKey = usageBreakdown(records, window, ["accessor"]);
    expect(byKey.results.map((r) => [r.grouping.accessor, r.requests]).sort()).toEqual([
      ["j", 1],
      ["k", 2],
    ]);
    expect(usageBreakdown([], window, []).results).toHaveLength(1);
  });

  it("name each route's API family, and read a Deepgram query's model, features and tags", () => {
    expect(
      ["/v1/listen", "/v2/listen", "/v1/speak", "/v1/audio/speech", "/v1/audio/transcriptions", "/v1/read"].map(
        endpointOf,
      ),
    ).toEqual(["listen", "listen", "speak", "speak", "listen", "read"]);
    expect(endpointOf("/v2/pre-recorded")).toBe("listen");
    expect(endpointOf("/predict")).toBe("listen");
    expect(endpointOf("/v1/agent/converse")).toBe("agent");
    expect(usageFromQuery({ model: "nova-3", diarize: "true", punctuate: "false", keyterm: ["a"], tag: "t" })).toEqual({
      models: ["nova-3"],
      features: ["diarize", "keyterm"],
      tags: ["t"],
    });
  });
});

describe("loopback", () => {
  it("is 127.0.0.0/8 and ::1, also IPv4-mapped", () => {
    expect(["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"].every(isLoopback)).toBe(true);
    expect(["10.0.0.1", "::ffff:10.0.0.1", "0.0.0.0", undefined].some(isLoopback)).toBe(false);
  });
});
