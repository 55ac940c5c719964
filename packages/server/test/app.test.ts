/**
 * The HTTP layer over a small in-test engine (`app.inject`, no port): request parsing, the Deepgram response
 * shape, error mapping and `/v1/status`. The same routes over the real engine are tested end to end in
 * test/e2e.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { ErrorBodySchema, StatusResponseSchema } from "@earshot/protocol";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUnitApp, type UnitApp } from "../../../test/support/app.js";

let unit: UnitApp;
beforeAll(async () => {
  unit = await startUnitApp({ maxBodyBytes: 64 * 1024 });
});
afterAll(() => unit?.close());

const audio = Buffer.from("RIFF-but-the-fake-engine-does-not-care");

describe("POST /v1/listen", () => {
  it("answers with Deepgram's response, the request id in header and body", async () => {
    const res = await unit.app.inject({
      method: "POST",
      url: "/v1/listen?tag=a&extra=team:research&utterances=true",
      headers: { "content-type": "audio/wav" },
      payload: audio,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.metadata.request_id).toBe(res.headers["dg-request-id"]);
    const model = unit.engine.registry.defaultModel;
    expect(body.metadata).toMatchObject({
      models: [model.uuid],
      model_info: { [model.uuid]: { name: model.name, version: model.version, arch: model.architecture } },
      tags: ["a"],
      extra: { team: "research" },
      duration: 2,
      channels: 1,
    });
    expect(body.results.channels[0].alternatives[0].transcript).toBe("hello world");
    expect(body.results.utterances).toHaveLength(1);
  });

  it("passes the raw format to the engine once, from encoding, sample_rate and channels", async () => {
    await unit.app.inject({
      method: "POST",
      url: "/v1/listen?encoding=mulaw&sample_rate=8000&channels=2&multichannel=true",
      payload: audio,
    });
    expect(unit.engine.calls.at(-1)?.options).toMatchObject({
      raw: { encoding: "mulaw", sampleRate: 8000, channels: 2 },
      multichannel: true,
    });
  });

  it("warns when a Deepgram model name is served by the default model", async () => {
    const res = await unit.app.inject({ method: "POST", url: "/v1/listen?model=nova-3", payload: audio });
    expect(res.json().metadata.warnings[0]).toMatchObject({ parameter: "model", type: "model_substituted" });
  });
});

describe("errors", () => {
  it.each([
    ["an empty body without a Content-Type", { method: "POST", url: "/v1/listen" }, 400, "EMPTY_AUDIO", /empty/],
    [
      "an empty body sent as audio",
      { method: "POST", url: "/v1/listen", headers: { "content-type": "audio/wav" }, payload: Buffer.alloc(0) },
      400,
      "EMPTY_AUDIO",
      /empty/,
    ],
    [
      "an empty JSON body",
      { method: "POST", url: "/v1/listen", headers: { "content-type": "application/json" }, payload: "" },
      400,
      "EMPTY_AUDIO",
      /empty/,
    ],
    [
      "JSON that does not parse",
      { method: "POST", url: "/v1/listen", headers: { "content-type": "application/json" }, payload: "{not json" },
      400,
      "INVALID_JSON",
      /could not be parsed/,
    ],
    [
      "JSON that is not {url}",
      { method: "POST", url: "/v1/listen", headers: { "content-type": "application/json" }, payload: '{"uri":"x"}' },
      400,
      "Bad Request",
      /\{"url"/,
    ],
    [
      "an encoding without a sample rate",
      { method: "POST", url: "/v1/listen?encoding=linear16", payload: audio },
      400,
      "INVALID_QUERY_PARAMETER",
      /encoding=linear16 requires sample_rate/,
    ],
    [
      "a sample rate that is not a number",
      { method: "POST", url: "/v1/listen?sample_rate=abc", payload: audio },
      400,
      "INVALID_QUERY_PARAMETER",
      /sample_rate must be a number, got 'abc'/,
    ],
    [
      "an unknown model",
      { method: "POST", url: "/v1/listen?model=no-such-model", payload: audio },
      400,
      undefined,
      /no-such-model/,
    ],
    [
      "a body over the limit",
      { method: "POST", url: "/v1/listen", payload: Buffer.alloc(65 * 1024, 1) },
      413,
      "PAYLOAD_TOO_LARGE",
      /larger than this server accepts/,
    ],
    ["GET on the live route", { method: "GET", url: "/v1/listen" }, 426, "UPGRADE_REQUIRED", /WebSocket route/],
    ["GET on the speak socket", { method: "GET", url: "/v1/speak" }, 426, "UPGRADE_REQUIRED", /WebSocket route/],
    [
      "a speak sample rate the encoding does not take",
      {
        method: "POST",
        url: "/v1/speak?encoding=linear16&sample_rate=44100",
        headers: { "content-type": "application/json" },
        payload: '{"text":"hi"}',
      },
      400,
      "INVALID_QUERY_PARAMETER",
      /use one of 8000/,
    ],
    ["an unknown route", { method: "GET", url: "/v1/nothing" }, 404, "NOT_FOUND", /No route/],
  ] as const)("maps %s to %i %s", async (_, request, status, code, message) => {
    const res = await unit.app.inject(request as InjectOptions);
    expect(res.statusCode, res.body).toBe(status);
    const body = ErrorBodySchema.parse(res.json());
    if (code) expect(body.err_code).toBe(code);
    expect(body.err_msg).toMatch(message);
    expect(body.request_id).toBe(res.headers["dg-request-id"]);
  });

  it("answers 426 with an Upgrade header", async () => {
    const res = await unit.app.inject({ method: "GET", url: "/v1/listen" });
    expect(res.headers.upgrade).toBe("websocket");
  });

  it("answers 429 with Retry-After when the engine is full", async () => {
    unit.engine.active = unit.engine.queueLimit;
    try {
      const res = await unit.app.inject({ method: "POST", url: "/v1/listen", payload: audio });
      expect(res.statusCode).toBe(429);
      expect(res.headers["retry-after"]).toBe("2");
      expect(res.json().err_code).toBe("TOO_MANY_REQUESTS");
    } finally {
      unit.engine.active = 0;
    }
  });

  it("hides an unexpected failure behind a 500 and keeps serving", async () => {
    const transcribe = unit.engine.transcribe;
    unit.engine.transcribe = async () => {
      throw new Error("worker exploded at 0xdeadbeef");
    };
    try {
      const res = await unit.app.inject({ method: "POST", url: "/v1/listen", payload: audio });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toMatchObject({ err_code: "INTERNAL_SERVER_ERROR", err_msg: "Internal server error." });
    } finally {
      unit.engine.transcribe = transcribe;
    }
    const after = await unit.app.inject({ method: "POST", url: "/v1/listen", payload: audio });
    expect(after.statusCode).toBe(200);
  });
});

describe("GET /v1/status", () => {
  it("reports the engine's queue depth and admitted requests separately", async () => {
    unit.engine.queueDepth = 3;
    unit.engine.active = 5;
    try {
      const status = StatusResponseSchema.parse((await unit.app.inject("/v1/status")).json());
      expect(status.engine).toMatchObject({ queue_depth: 3, active: 5, queue_limit: 16, workers: 2 });
      expect(status.status).toBe("ok");
    } finally {
      unit.engine.queueDepth = 0;
      unit.engine.active = 0;
    }
  });

  it("says callbacks are signed, with a secret generated into the data dir (0600) when none is configured", async () => {
    const status = (await unit.app.inject("/v1/status")).json();
    expect(status.webhooks).toEqual({ signed: true, secret_source: "generated" });
    const file = statSync(join(unit.config.jobs.dataDir, "webhook-secret"));
    expect(file.mode & 0o777).toBe(0o600);
  });

  it("names the configured secret's source", async () => {
    const configured = await startUnitApp({ webhooks: { secret: "whsec_dGVzdA==" } });
    try {
      expect((await configured.app.inject("/v1/status")).json().webhooks.secret_source).toBe("config");
    } finally {
      await configured.close();
    }
  });
});

describe("jobs over the fake engine", () => {
  it("runs a /v1/jobs submission to done with the same response /v1/listen gives", async () => {
    const submitted = await unit.app.inject({ method: "POST", url: "/v1/jobs?utterances=true", payload: audio });
    expect(submitted.statusCode).toBe(202);
    const { request_id: id } = submitted.json();
    let job = (await unit.app.inject(`/v1/jobs/${id}`)).json();
    for (let i = 0; i < 100 && job.status !== "done"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      job = (await unit.app.inject(`/v1/jobs/${id}`)).json();
    }
    expect(job).toMatchObject({ status: "done", progress: 1, attempts: 1 });
    expect(job.result.results.channels[0].alternatives[0].transcript).toBe("hello world");
    expect(job.result.metadata.request_id).toBe(id);
  });

  it("refuses an empty job body with EMPTY_AUDIO, as /v1/listen does", async () => {
    const res = await unit.app.inject({ method: "POST", url: "/v1/jobs" });
    expect(res.json().err_code).toBe("EMPTY_AUDIO");
  });
});
