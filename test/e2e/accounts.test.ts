/**
 * Running Earshot for a team, end to end on a real server and engine: the first admin key made on the host with
 * `earshot keys create`, then the official Deepgram SDK v5, unmodified, managing projects and keys, granting a
 * token that transcribes (REST and WebSocket) until it expires, reading the request log and usage; scopes
 * refused where they do not reach; a deleted key failing at once; Deepgram's error body on every bad input.
 */
import { readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { DeepgramClient, DeepgramError } from "@deepgram/sdk";
import { clip } from "@earshot/bench/corpus";
import { ErrorBodySchema, RequestLogEntrySchema, UsageResponseSchema } from "@earshot/protocol";
import { EarshotClient } from "@earshot/sdk";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { chunks, pcm16, silence, sleep } from "../support/live.js";
import { startTestServer } from "../support/server.js";

const lj = clip("ljspeech-dev", "LJ001-0003");
const audio = readFileSync(lj.path);

let server: EarshotServer;
let adminKey: string;
let projectId: string;
const dg = (apiKey: string) => new DeepgramClient({ apiKey, baseUrl: server.url, maxRetries: 0 });

/** The status a Deepgram SDK call failed with (undefined when it succeeded). */
async function statusOf(call: Promise<unknown>): Promise<number | undefined> {
  try {
    await call;
    return undefined;
  } catch (err) {
    if (err instanceof DeepgramError) return err.statusCode;
    throw err;
  }
}

async function api(path: string, init: RequestInit & { key?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.key) headers.set("authorization", `Token ${init.key}`);
  const response = await fetch(`${server.url}${path}`, { ...init, headers });
  const text = await response.text();
  const json = response.headers.get("content-type")?.startsWith("application/json");
  return { status: response.status, body: json && text ? JSON.parse(text) : text };
}

/** Streams a clip through the SDK's live socket and returns the final transcript. */
async function liveTranscript(client: DeepgramClient, args: Record<string, unknown> = {}): Promise<string> {
  const socket = await client.listen.v1.connect({
    model: "nova-3",
    encoding: "linear16",
    sample_rate: 16000,
    reconnectAttempts: 0,
    ...args,
  } as any);
  const finals: string[] = [];
  const closed = new Promise<any>((resolve) => socket.on("close", resolve));
  socket.on("message", (m: any) => {
    if (m.type === "Results" && m.is_final) finals.push(m.channel.alternatives[0].transcript);
  });
  socket.connect();
  await socket.waitForOpen();
  for (const chunk of chunks(Buffer.concat([pcm16(lj.path, "accounts.raw"), silence(1)]), 6400))
    socket.sendMedia(chunk);
  socket.sendCloseStream({ type: "CloseStream" });
  expect((await closed).code).toBe(1000);
  return finals.join(" ").trim();
}

beforeAll(async () => {
  server = await startTestServer();
  // The first key is made on the host, in the server's store, while the server runs.
  const created = await runCli(["keys", "create", "--scope", "admin", "--data-dir", server.config.jobs.dataDir]);
  expect(created.code, created.stderr).toBe(0);
  adminKey = created.stdout.trim();
  expect(adminKey).toMatch(/^esk_[0-9a-f]{32}_[0-9a-f]{48}$/);
  projectId = (await dg(adminKey).manage.v1.projects.list()).projects![0]!.project_id!;
});
afterAll(async () => {
  await server?.close();
});

describe("the official Deepgram SDK v5", () => {
  it("lists and reads projects, creates, lists and deletes keys; a deleted key fails at once", async () => {
    const admin = dg(adminKey);
    const { projects } = await admin.manage.v1.projects.list();
    expect(projects).toEqual([{ project_id: projectId, name: "Default project" }]);
    expect(await admin.manage.v1.projects.get(projectId)).toEqual({
      project_id: projectId,
      name: "Default project",
      mip_opt_out: true,
    });

    const created = await admin.manage.v1.projects.keys.create(projectId, {
      comment: "transcriber",
      scopes: ["member"],
      tags: ["ci"],
      time_to_live_in_seconds: 3600,
    });
    expect(created).toMatchObject({ comment: "transcriber", scopes: ["member"], tags: ["ci"] });
    expect(Date.parse(created.expiration_date!)).toBeGreaterThan(Date.now() + 3500_000);
    const { api_keys } = await admin.manage.v1.projects.keys.list(projectId);
    const listed = api_keys!.find((k) => k.api_key!.api_key_id === created.api_key_id);
    expect(listed).toMatchObject({ member: { email: "host@localhost" }, api_key: { comment: "transcriber" } });
    expect(JSON.stringify(api_keys)).not.toContain(created.key);
    const one = await admin.manage.v1.projects.keys.get(projectId, created.api_key_id!);
    expect(one.item?.member?.api_key).toMatchObject({ api_key_id: created.api_key_id, tags: ["ci"] });

    const member = dg(created.key!);
    const result = await member.listen.v1.media.transcribeFile(audio, { model: "nova-3" });
    expect((result as any).results.channels[0].alternatives[0].transcript.length).toBeGreaterThan(10);

    await admin.manage.v1.projects.keys.delete(projectId, created.api_key_id!);
    expect(await statusOf(member.listen.v1.media.transcribeFile(audio, {}))).toBe(401);
    expect(await statusOf(member.manage.v1.projects.list())).toBe(401);
  });

  it("refuses a key where its scope does not reach", async () => {
    const admin = dg(adminKey);
    const reader = await admin.manage.v1.projects.keys.create(projectId, { comment: "dash", scopes: ["usage:read"] });
    const member = await admin.manage.v1.projects.keys.create(projectId, { comment: "app", scopes: ["member"] });
    // usage:read reads usage, and nothing else.
    await dg(reader.key!).manage.v1.projects.usage.get(projectId);
    expect(await statusOf(dg(reader.key!).listen.v1.media.transcribeFile(audio, {}))).toBe(403);
    expect(await statusOf(dg(reader.key!).manage.v1.projects.keys.list(projectId))).toBe(403);
    // A member uses the APIs but cannot make keys, nor grant itself more through a key it may not make.
    const refused = await dg(member.key!)
      .manage.v1.projects.keys.create(projectId, { comment: "x", scopes: ["member"] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DeepgramError);
    expect((refused as DeepgramError).statusCode).toBe(403);
    expect((refused as DeepgramError).body).toMatchObject({ err_code: "INSUFFICIENT_PERMISSIONS" });
    // An admin cannot hand out owner.
    expect(await statusOf(admin.manage.v1.projects.keys.create(projectId, { comment: "x", scopes: ["owner"] }))).toBe(
      403,
    );
    // The same rule covers the WebSocket routes, before the upgrade.
    const socket = await dg(reader.key!).listen.v1.connect({ model: "nova-3", reconnectAttempts: 0 } as any);
    socket.on("error", () => {});
    socket.connect();
    await expect(socket.waitForOpen()).rejects.toThrow(/403/);
  });

  it("grants a token that transcribes over REST and WebSocket, is refused on management, and expires", async () => {
    const granted = await dg(adminKey).auth.v1.tokens.grant({ ttl_seconds: 20 });
    expect(granted.expires_in).toBe(20);
    const browser = new DeepgramClient({ accessToken: granted.access_token, baseUrl: server.url, maxRetries: 0 });
    const rest = await browser.listen.v1.media.transcribeFile(audio, {});
    const restText: string = (rest as any).results.channels[0].alternatives[0].transcript;
    expect(restText.length).toBeGreaterThan(10);
    // Over WebSocket the SDK offers the token as the `bearer` protocol.
    expect(await liveTranscript(browser)).not.toBe("");
    expect(await statusOf(browser.manage.v1.projects.list())).toBe(403);
    expect(await statusOf(browser.auth.v1.tokens.grant())).toBe(403);

    const short = await dg(adminKey).auth.v1.tokens.grant({ ttl_seconds: 1 });
    const brief = new DeepgramClient({ accessToken: short.access_token, baseUrl: server.url, maxRetries: 0 });
    expect(await statusOf(brief.listen.v1.media.transcribeFile(audio, {}))).toBeUndefined();
    await sleep(2100);
    expect(await statusOf(brief.listen.v1.media.transcribeFile(audio, {}))).toBe(401);
    expect((await dg(adminKey).auth.v1.tokens.grant()).expires_in).toBe(30);
    for (const ttl_seconds of [0, 3601, 1.5]) {
      expect(await statusOf(dg(adminKey).auth.v1.tokens.grant({ ttl_seconds }))).toBe(400);
    }
  });

  it("reads the request log and usage: every request and stream, per key, without audio or text", async () => {
    const admin = dg(adminKey);
    const key = await admin.manage.v1.projects.keys.create(projectId, { comment: "logged", scopes: ["member"] });
    const client = new EarshotClient({ baseUrl: server.url, apiKey: key.key!, maxRetries: 0 });
    const { data: listened, requestId } = await client.listen.v1.media
      .transcribeFile(audio, { diarize: true, tag: ["team-a"] })
      .withResponse();
    const spoken = "The request log counts characters.";
    await (await client.speak.v1.audio.generate({ text: spoken })).arrayBuffer();
    const streamed = await liveTranscript(dg(key.key!));
    const job = await client.jobs.submit(audio);
    await job.result();

    const { requests } = await admin.manage.v1.projects.requests.list(projectId, {
      accessor: key.api_key_id,
      limit: 10,
    });
    const entries = requests!.map((r) => RequestLogEntrySchema.parse(r));
    expect(entries.map((e) => e.response.details.method).sort()).toEqual(["async", "streaming", "sync", "sync"]);
    const listen = entries.find((e) => e.request_id === requestId)!;
    expect(listen).toMatchObject({ path: "/v1/listen", endpoint: "listen", code: 200, api_key_id: key.api_key_id });
    expect(listen.response.details.total_audio).toBeCloseTo(listened.metadata.duration, 2);
    expect(listen.response.details.features).toEqual(["diarize"]);
    expect(listen.response.details.tags).toEqual(["team-a"]);
    expect(listen.response.details.models).toEqual([listened.metadata.model_info[listened.metadata.models[0]!]!.name]);
    const speak = entries.find((e) => e.endpoint === "speak")!;
    expect(speak.response.details.tts_characters).toBe(spoken.length);
    const stream = entries.find((e) => e.response.details.method === "streaming")!;
    expect(stream).toMatchObject({ path: "/v1/listen", code: 101 });
    expect(stream.response.details.total_audio).toBeGreaterThan(1);
    // The async job's record is completed when the job ends.
    const async = (await admin.manage.v1.projects.requests.get(projectId, job.id)).request!;
    expect(async.response?.details).toMatchObject({ method: "async" });
    expect((async.response as any).details.total_audio).toBeGreaterThan(1);
    // The log holds no audio and no transcript text.
    const transcripts = [listened.results.channels[0]!.alternatives[0]!.transcript, streamed];
    for (const text of transcripts) expect(JSON.stringify(requests)).not.toContain(text);

    const usage = UsageResponseSchema.parse(
      await admin.manage.v1.projects.usage.get(projectId, { accessor: key.api_key_id }),
    );
    const today = usage.results.at(-1)!;
    expect(today.requests).toBe(4);
    expect(today.tts_characters).toBe(spoken.length);
    expect(today.hours).toBeGreaterThan(0);
    const diarized = (await admin.manage.v1.projects.usage.get(projectId, { diarize: true })) as any;
    expect(diarized.results.at(-1)).toMatchObject({ requests: 1 });
    const breakdown = await admin.manage.v1.projects.usage.breakdown.get(projectId, {
      accessor: key.api_key_id,
      grouping: "method",
    });
    expect(breakdown.results.map((r) => [r.grouping.method, r.requests]).sort()).toEqual([
      ["async", 1],
      ["streaming", 1],
      ["sync", 2],
    ]);
    const fields = await admin.manage.v1.projects.usage.fields.list(projectId);
    expect(fields.tags).toContain("team-a");
    expect(fields.features).toContain("diarize");
    expect(fields.processing_methods).toEqual(expect.arrayContaining(["async", "streaming", "sync"]));
  });

  it("logs a stream refused for its options under its key, with the status it got", async () => {
    const admin = dg(adminKey);
    const key = await admin.manage.v1.projects.keys.create(projectId, { comment: "bad stream", scopes: ["member"] });
    const socket = await dg(key.key!).listen.v1.connect({ encoding: "carrier-pigeon", reconnectAttempts: 0 } as any);
    socket.on("error", () => {});
    socket.connect();
    await expect(socket.waitForOpen()).rejects.toThrow(/400/);
    const { requests } = await admin.manage.v1.projects.requests.list(projectId, { accessor: key.api_key_id });
    expect(requests).toHaveLength(1);
    expect(requests![0]).toMatchObject({
      path: "/v1/listen",
      code: 400,
      response: { details: { method: "streaming" } },
    });
    const failed = await admin.manage.v1.projects.requests.list(projectId, {
      accessor: key.api_key_id,
      status: "failed",
    });
    expect(failed.requests).toHaveLength(1);
  });

  it("lists members and their scopes, and the project's models", async () => {
    const admin = dg(adminKey);
    const { members } = await admin.manage.v1.projects.members.list(projectId);
    const host = members!.find((m) => m.email === "host@localhost")!;
    expect(host.scopes).toEqual(["owner"]);
    expect((await admin.manage.v1.projects.members.scopes.list(projectId, host.member_id!)).scopes).toEqual(["owner"]);
    const models = await admin.manage.v1.projects.models.list(projectId);
    expect(models.stt!.map((m) => m.name)).toContain(server.engine.registry.defaultModel.name);
  });
});

describe("the earshot command", () => {
  it("lists and revokes keys on the host, and prints usage through the API", async () => {
    const dataDir = ["--data-dir", server.config.jobs.dataDir];
    const made = await runCli(["keys", "create", "--scope", "member", "--comment", "cli", "--ttl", "600", ...dataDir]);
    const key = made.stdout.trim();
    const id = /key (\S+) \(member\)/.exec(made.stderr)![1]!;
    const listed = await runCli(["keys", "list", ...dataDir]);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+Default project\\s+member\\s+expires 20`));
    expect(listed.stdout).not.toContain(key);
    const spoken = await api("/v1/speak", {
      key,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "Counted." }),
    });
    expect(spoken.status).toBe(200);
    expect((await runCli(["keys", "revoke", id, ...dataDir])).stdout).toBe(`${id} revoked\n`);
    expect(await statusOf(dg(key).manage.v1.projects.list())).toBe(401);

    const usage = await runCli(["usage", "--server", server.url, "--api-key", adminKey]);
    expect(usage.code, usage.stderr).toBe(0);
    const today = new Date().toISOString().slice(0, 10);
    expect(usage.stdout).toMatch(new RegExp(`^${today}\\s+\\d+ requests\\s+[\\d.]+ min\\s+\\d+ characters$`, "m"));
    const byMethod = await runCli(["usage", "--by", "method", "--server", server.url, "--api-key", adminKey]);
    expect(byMethod.stdout).toMatch(/^"sync"\s+\d+ requests/m);
  });
});

describe("bad input on management routes", () => {
  it("gets Deepgram's error body, with the status that says why", async () => {
    const json = { "content-type": "application/json" };
    const unknown = "00000000-0000-0000-0000-000000000000";
    const cases: Array<[string, RequestInit & { key?: string }, number]> = [
      ["/v1/projects", {}, 401],
      ["/v1/projects", { key: "esk_not-a-key" }, 401],
      [`/v1/projects/${unknown}`, { key: adminKey }, 404],
      [`/v1/projects/${unknown}/keys`, { key: adminKey }, 404],
      [`/v1/projects/${unknown}/members`, { key: adminKey }, 404],
      [`/v1/projects/${unknown}/models`, { key: adminKey }, 404],
      [`/v1/projects/${unknown}/requests`, { key: adminKey }, 404],
      [`/v1/projects/${unknown}/usage`, { key: adminKey }, 404],
      [`/v1/projects/${unknown}/leave`, { key: adminKey, method: "DELETE" }, 404],
      [`/v1/projects/${projectId}`, { key: adminKey, method: "PATCH", headers: json, body: "{" }, 400],
      [`/v1/projects/${projectId}`, { key: adminKey, method: "PATCH", headers: json, body: '{"name":""}' }, 400],
      [`/v1/projects/${projectId}`, { key: adminKey, method: "DELETE" }, 403],
      [`/v1/projects/${projectId}/keys?status=sleeping`, { key: adminKey }, 400],
      [`/v1/projects/${projectId}/keys`, { key: adminKey, method: "POST", headers: json, body: "{}" }, 400],
      [`/v1/projects/${projectId}/keys`, { key: adminKey, method: "POST", body: "raw bytes" }, 400],
      [
        `/v1/projects/${projectId}/keys`,
        { key: adminKey, method: "POST", headers: json, body: '{"comment":"x","scopes":["superuser"]}' },
        400,
      ],
      [
        `/v1/projects/${projectId}/keys`,
        {
          key: adminKey,
          method: "POST",
          headers: json,
          body: '{"comment":"x","scopes":["member"],"time_to_live_in_seconds":60,"expiration_date":"2099-01-01T00:00:00Z"}',
        },
        400,
      ],
      [
        `/v1/projects/${projectId}/keys`,
        {
          key: adminKey,
          method: "POST",
          headers: json,
          body: '{"comment":"x","scopes":["member"],"expiration_date":"2001-01-01T00:00:00Z"}',
        },
        400,
      ],
      [`/v1/projects/${projectId}/keys/${unknown}`, { key: adminKey }, 404],
      [`/v1/projects/${projectId}/keys/${unknown}`, { key: adminKey, method: "DELETE" }, 404],
      [`/v1/projects/${projectId}/members/${unknown}`, { key: adminKey, method: "DELETE" }, 404],
      [`/v1/projects/${projectId}/members/${unknown}/scopes`, { key: adminKey }, 404],
      [
        `/v1/projects/${projectId}/members/${unknown}/scopes`,
        { key: adminKey, method: "PUT", headers: json, body: '{"scope":"emperor"}' },
        400,
      ],
      [`/v1/projects/${projectId}/models/nonexistent`, { key: adminKey }, 404],
      [`/v1/projects/${projectId}/requests?limit=many`, { key: adminKey }, 400],
      [`/v1/projects/${projectId}/requests?start=yesterday`, { key: adminKey }, 400],
      [`/v1/projects/${projectId}/requests?method=carrier-pigeon`, { key: adminKey }, 400],
      [`/v1/projects/${projectId}/requests/${unknown}`, { key: adminKey }, 404],
      [`/v1/projects/${projectId}/usage?end=2025-13-45`, { key: adminKey }, 400],
      [`/v1/projects/${projectId}/usage/breakdown?grouping=planet`, { key: adminKey }, 400],
      [`/v1/projects/${projectId}/usage/fields?start=soon`, { key: adminKey }, 400],
      ["/v1/auth/grant", { key: adminKey, method: "POST", headers: json, body: '{"ttl_seconds":"long"}' }, 400],
    ];
    for (const [path, init, status] of cases) {
      const response = await api(path, init);
      expect(response.status, `${init.method ?? "GET"} ${path}`).toBe(status);
      expect(ErrorBodySchema.parse(response.body).err_msg.length, path).toBeGreaterThan(0);
    }
  });
});

describe("a server with no keys", () => {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((i) => i?.family === "IPv4" && !i.internal)?.address;

  it.skipIf(!address)("answers this machine's loopback without a key, and refuses other addresses", async () => {
    const open = await startTestServer({ host: "0.0.0.0" });
    try {
      const port = new URL(open.url).port;
      const local = await fetch(`http://127.0.0.1:${port}/v1/models`);
      expect(local.status).toBe(200);
      const remote = await fetch(`http://${address}:${port}/v1/models`);
      expect(remote.status).toBe(401);
      expect((await remote.json()).err_msg).toMatch(/earshot keys create/);
      // Health stays readable from anywhere.
      expect((await fetch(`http://${address}:${port}/v1/status`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});
