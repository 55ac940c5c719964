import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIPromise,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  type ClientOptions,
  EarshotClient,
  EarshotError,
  type GrantTokenResponse,
  InternalServerError,
  Job,
  type JobDeletedResponse,
  type JobInfo,
  type JobListResponse,
  type ListenAcceptedResponse,
  type ListenResponse,
  type ModelList,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitError,
  type SpeakResponse,
  type StatusResponse,
  UnprocessableEntityError,
  type WithResponse,
} from "../src/index.js";

interface Received {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** performance.now() when the request arrived. */
  at: number;
}

type Handler = (request: Received, response: ServerResponse) => void;

const LISTEN_RESPONSE: ListenResponse = {
  metadata: {
    transaction_key: "deprecated",
    request_id: "req-1",
    sha256: "00",
    created: "2025-01-01T00:00:00.000Z",
    duration: 1,
    channels: 1,
    models: ["m"],
    model_info: { m: { name: "base", version: "1", arch: "whisper" } },
  },
  results: { channels: [{ alternatives: [{ transcript: "hello", confidence: 0.9, words: [] }] }] },
};

let server: Server;
let baseUrl: string;
const answerOk: Handler = (_request, response) => send(response, 200, LISTEN_RESPONSE);
let handler = answerOk;
let received: Received[] = [];

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const contentType = typeof body === "string" ? "text/plain" : "application/json";
  response.writeHead(status, { "content-type": contentType, ...headers }).end(text);
}

function client(options: ClientOptions = {}): EarshotClient {
  return new EarshotClient({ baseUrl, apiKey: "secret", ...options });
}

function only(list: Received[]): Received {
  expect(list).toHaveLength(1);
  return list[0]!;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const entry: Received = {
        method: request.method ?? "",
        url: new URL(request.url ?? "/", "http://localhost"),
        headers: request.headers,
        body: Buffer.concat(chunks),
        at,
      };
      received.push(entry);
      handler(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  received = [];
  handler = answerOk;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("request encoding", () => {
  it("serialises options: booleans as true/false, lists as repeated keys, spaces as %20", async () => {
    const result = await client().listen.v1.media.transcribeFile(new Uint8Array([1, 2, 3]), {
      model: "base",
      punctuate: true,
      utterances: false,
      utt_split: 0.8,
      keyterm: ["a b", "c+d"],
      tag: ["x"],
    });
    expect(result).toEqual(LISTEN_RESPONSE);
    expectTypeOf(result).toEqualTypeOf<ListenResponse>();

    const request = only(received);
    expect(request.method).toBe("POST");
    expect(request.url.pathname).toBe("/v1/listen");
    expect(request.url.search).toBe(
      "?model=base&punctuate=true&utterances=false&utt_split=0.8&keyterm=a%20b&keyterm=c%2Bd&tag=x",
    );
    expect(request.url.searchParams.getAll("keyterm")).toEqual(["a b", "c+d"]);
    expect(request.headers.authorization).toBe("Token secret");
    expect(request.headers.accept).toBe("application/json");
  });

  it("sends no query string without options", async () => {
    await client().listen.v1.media.transcribeFile(new Uint8Array([1]));
    expect(only(received).url.search).toBe("");
  });

  const bytes = new Uint8Array([0, 1, 2, 250, 255]);
  const sources: [string, () => Parameters<EarshotClient["listen"]["v1"]["media"]["transcribeFile"]>[0]][] = [
    ["Uint8Array", () => bytes],
    ["ArrayBuffer", () => bytes.slice().buffer],
    ["Blob", () => new Blob([bytes], { type: "audio/wav" })],
    ["Buffer view into a larger buffer", () => Buffer.from([9, 9, ...bytes, 9]).subarray(2, 2 + bytes.length)],
    [
      "ReadableStream",
      () =>
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(bytes.subarray(0, 2));
            controller.enqueue(bytes.subarray(2));
            controller.close();
          },
        }),
    ],
  ];
  for (const [name, source] of sources) {
    it(`sends a ${name} as an application/octet-stream body`, async () => {
      await client().listen.v1.media.transcribeFile(source());
      const request = only(received);
      expect(request.headers["content-type"]).toBe("application/octet-stream");
      expect([...request.body]).toEqual([...bytes]);
    });
  }

  it("resends a ReadableStream's bytes when it retries", async () => {
    handler = (_request, response) =>
      received.length === 1
        ? send(response, 503, "busy", { "retry-after-ms": "0" })
        : send(response, 200, LISTEN_RESPONSE);
    const stream = new Blob([bytes]).stream();
    await client().listen.v1.media.transcribeFile(stream);
    expect(received).toHaveLength(2);
    expect([...received[1]!.body]).toEqual([...bytes]);
  });

  it("sends transcribeUrl as JSON with the options in the query", async () => {
    await client().listen.v1.media.transcribeUrl({ url: "https://example.com/a.mp3", model: "base", diarize: true });
    const request = only(received);
    expect(request.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(request.body.toString())).toEqual({ url: "https://example.com/a.mp3" });
    expect(request.url.search).toBe("?model=base&diarize=true");
  });

  it("returns the accepted response, typed as such, when a callback is given", async () => {
    handler = (_request, response) => send(response, 200, { request_id: "cb-1" });
    const media = client().listen.v1.media;
    const accepted = await media.transcribeUrl({ url: "https://example.com/a.mp3", callback: "https://hook.test/x" });
    expectTypeOf(accepted).toEqualTypeOf<ListenAcceptedResponse>();
    expect(accepted).toEqual({ request_id: "cb-1" });
    expect(only(received).url.searchParams.get("callback")).toBe("https://hook.test/x");

    // Options whose callback may or may not be set get the union, not a guess.
    const maybe: { callback?: string } = {};
    const either = await media.transcribeFile(new Uint8Array([1]), maybe);
    expectTypeOf(either).toEqualTypeOf<ListenResponse | ListenAcceptedResponse>();
  });

  it("merges headers: client, then request; null removes one", async () => {
    const c = client({ headers: { "x-team": "a", "x-trace": "1" } });
    await c.listen.v1.media.transcribeFile(
      new Uint8Array([1]),
      {},
      { headers: { "x-team": "b", authorization: null } },
    );
    const request = only(received);
    expect(request.headers["x-team"]).toBe("b");
    expect(request.headers["x-trace"]).toBe("1");
    expect(request.headers.authorization).toBeUndefined();
  });

  it("reads EARSHOT_BASE_URL and EARSHOT_API_KEY when no options are given", async () => {
    const saved = { url: process.env.EARSHOT_BASE_URL, key: process.env.EARSHOT_API_KEY };
    process.env.EARSHOT_BASE_URL = `${baseUrl}/`;
    process.env.EARSHOT_API_KEY = "from-env";
    try {
      const c = new EarshotClient();
      expect(c.baseUrl).toBe(baseUrl);
      await c.listen.v1.media.transcribeFile(new Uint8Array([1]));
      expect(only(received).headers.authorization).toBe("Token from-env");
    } finally {
      for (const [name, value] of [
        ["EARSHOT_BASE_URL", saved.url],
        ["EARSHOT_API_KEY", saved.key],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it("defaults to http://127.0.0.1:8080 and rejects a malformed base URL at once", () => {
    const saved = process.env.EARSHOT_BASE_URL;
    delete process.env.EARSHOT_BASE_URL;
    try {
      expect(new EarshotClient().baseUrl).toBe("http://127.0.0.1:8080");
    } finally {
      if (saved !== undefined) process.env.EARSHOT_BASE_URL = saved;
    }
    expect(() => new EarshotClient({ baseUrl: "not a url" })).toThrow(TypeError);
  });
});

describe("errors", () => {
  it("maps a Deepgram JSON error body", async () => {
    handler = (_request, response) =>
      send(response, 401, { err_code: "INVALID_AUTH", err_msg: "Invalid credentials.", request_id: "body-id" });
    const error = await client()
      .listen.v1.media.transcribeFile(new Uint8Array([1]))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toBeInstanceOf(EarshotError);
    expect(error).toMatchObject({
      name: "AuthenticationError",
      status: 401,
      code: "INVALID_AUTH",
      message: "Invalid credentials.",
      requestId: "body-id",
      body: { err_code: "INVALID_AUTH", err_msg: "Invalid credentials.", request_id: "body-id" },
    });
    expect((error as APIError).headers.get("content-type")).toBe("application/json");
  });

  it("maps a plain-text error body, taking the request id from dg-request-id", async () => {
    handler = (_request, response) => send(response, 404, "no such route\n", { "dg-request-id": "header-id" });
    const error = await client()
      .listen.v1.media.transcribeFile(new Uint8Array([1]))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({
      status: 404,
      code: "NOT_FOUND",
      message: "no such route",
      requestId: "header-id",
      body: "no such route\n",
    });
  });

  it("generates the subclass for each status", () => {
    const cases: [number, typeof APIError][] = [
      [400, BadRequestError],
      [401, AuthenticationError],
      [403, PermissionDeniedError],
      [404, NotFoundError],
      [413, PayloadTooLargeError],
      [422, UnprocessableEntityError],
      [429, RateLimitError],
      [500, InternalServerError],
      [503, InternalServerError],
    ];
    for (const [status, ErrorClass] of cases) {
      const error = APIError.generate(status, undefined, new Headers());
      expect(error).toBeInstanceOf(ErrorClass);
      expect(error.name).toBe(ErrorClass.name);
    }
    const teapot = APIError.generate(418, undefined, new Headers());
    expect(teapot.constructor).toBe(APIError);
    expect(teapot).toMatchObject({ code: "HTTP_418", message: "418 status code (no body)" });
  });

  it("reads Deepgram's modern error shape and the retry hints", () => {
    const modern = APIError.generate(
      400,
      { category: "INVALID_JSON", message: "Invalid JSON submitted.", details: "line 1", request_id: "r" },
      new Headers({ "retry-after-ms": "1500" }),
    );
    expect(modern).toMatchObject({ code: "INVALID_JSON", message: "Invalid JSON submitted. (line 1)", requestId: "r" });
    expect(modern.retryAfter).toBe(1.5);
    expect(APIError.generate(429, "", new Headers({ "retry-after": "2" })).retryAfter).toBe(2);
    const date = new Date(Date.now() + 10_000).toUTCString();
    const fromDate = APIError.generate(503, "", new Headers({ "retry-after": date })).retryAfter;
    expect(fromDate).toBeGreaterThan(8);
    expect(fromDate).toBeLessThanOrEqual(10);
  });

  it("rejects a 2xx body that is not JSON with an APIError", async () => {
    handler = (_request, response) => send(response, 200, "<html>");
    const error = await client()
      .listen.v1.media.transcribeFile(new Uint8Array([1]))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status: 200, body: "<html>" });
    expect(received).toHaveLength(1);
  });
});

describe("retries", () => {
  it("retries a 503 and returns the later success", async () => {
    handler = (_request, response) =>
      received.length === 1
        ? send(response, 503, { err_code: "SERVICE_UNAVAILABLE", err_msg: "busy", request_id: "r" })
        : send(response, 200, LISTEN_RESPONSE);
    const result = await client().listen.v1.media.transcribeFile(new Uint8Array([1]));
    expect(result).toEqual(LISTEN_RESPONSE);
    expect(received).toHaveLength(2);
    // Default backoff: about 0.5 s, jittered down by at most a quarter.
    expect(received[1]!.at - received[0]!.at).toBeGreaterThanOrEqual(350);
  });

  it("waits as long as Retry-After says before retrying", async () => {
    handler = (_request, response) =>
      received.length === 1
        ? send(response, 429, "slow down", { "retry-after": "1" })
        : send(response, 200, LISTEN_RESPONSE);
    await client().listen.v1.media.transcribeFile(new Uint8Array([1]));
    expect(received).toHaveLength(2);
    expect(received[1]!.at - received[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it("gives up after maxRetries and throws the last error", async () => {
    handler = (_request, response) => send(response, 500, "boom", { "retry-after-ms": "0" });
    const error = await client({ maxRetries: 3 })
      .listen.v1.media.transcribeFile(new Uint8Array([1]))
      .catch((e) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(received).toHaveLength(4);
  });

  it("does not retry a 400", async () => {
    handler = (_request, response) => send(response, 400, { err_code: "Bad Request", err_msg: "bad", request_id: "r" });
    const error = await client()
      .listen.v1.media.transcribeFile(new Uint8Array([1]))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(received).toHaveLength(1);
  });

  it("throws APIConnectionError after retrying a refused connection", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    let calls = 0;
    const c = new EarshotClient({
      baseUrl: `http://127.0.0.1:${port}`,
      fetch: (url, init) => {
        calls++;
        return fetch(url, init);
      },
    });
    const error = await c.listen.v1.media.transcribeFile(new Uint8Array([1])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
    expect((error as Error).message).toContain("ECONNREFUSED");
    expect(calls).toBe(3);
  });
});

describe("abort and timeout", () => {
  const hang: Handler = () => {};

  it("rejects with APIUserAbortError when the signal aborts mid-request", async () => {
    handler = hang;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await client()
      .listen.v1.media.transcribeFile(new Uint8Array([1]), {}, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(received).toHaveLength(1);
  });

  it("rejects with APIUserAbortError when the signal aborts during a retry wait", async () => {
    handler = (_request, response) => send(response, 503, "busy", { "retry-after": "30" });
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 100);
    const error = await client()
      .listen.v1.media.transcribeFile(new Uint8Array([1]), {}, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(received).toHaveLength(1);
  });

  it("sends nothing when the signal is already aborted", async () => {
    const error = await client()
      .listen.v1.media.transcribeFile(new Uint8Array([1]), {}, { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(received).toHaveLength(0);
  });

  it("rejects with APIConnectionTimeoutError, after retrying, when the server does not answer in time", async () => {
    handler = hang;
    const error = await client({ timeout: 100, maxRetries: 1 })
      .listen.v1.media.transcribeFile(new Uint8Array([1]))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).toMatchObject({ message: "Request timed out after 100 ms." });
    expect(received).toHaveLength(2);
  });

  it("lets a per-request timeout override the client's", async () => {
    handler = hang;
    const error = await client()
      .listen.v1.media.transcribeFile(new Uint8Array([1]), {}, { timeout: 50, maxRetries: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(received).toHaveLength(1);
  });
});

describe("withResponse", () => {
  const withId =
    (body: unknown, id = "req-42"): Handler =>
    (_request, response) =>
      send(response, 200, body, { "dg-request-id": id, "x-extra": "yes" });

  it("gives the body, the response and dg-request-id of a transcription; a plain await still gives the body", async () => {
    handler = withId(LISTEN_RESPONSE);
    const media = client().listen.v1.media;
    const call = media.transcribeFile(new Uint8Array([1]));
    expect(call).toBeInstanceOf(Promise);
    expect(call).toBeInstanceOf(APIPromise);
    const { data, response, requestId } = await call.withResponse();
    expect(data).toEqual(LISTEN_RESPONSE);
    expect(requestId).toBe("req-42");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-extra")).toBe("yes");
    // One request, however many ways the result is read.
    expect(await call).toEqual(LISTEN_RESPONSE);
    expect(await call.then((r) => r.metadata.request_id)).toBe("req-1");
    expect(only(received).url.pathname).toBe("/v1/listen");

    // Types only: a call inside expectTypeOf(...) would send a request nobody awaits.
    expectTypeOf<ReturnType<typeof call.withResponse>>().toEqualTypeOf<Promise<WithResponse<ListenResponse>>>();
  });

  it("reads the request id of transcribeUrl, and of a transcription with progress", async () => {
    handler = withId({ request_id: "cb-1" }, "url-1");
    const media = client().listen.v1.media;
    const accepted = media.transcribeUrl({ url: "https://a.test/x.mp3", callback: "https://hook.test/x" });
    expectTypeOf(accepted).toEqualTypeOf<APIPromise<ListenAcceptedResponse>>();
    expect(await accepted.withResponse()).toMatchObject({ data: { request_id: "cb-1" }, requestId: "url-1" });

    handler = (_request, response) => {
      response.writeHead(200, { "content-type": "application/x-ndjson", "dg-request-id": "progress-1" });
      response.write(`${JSON.stringify({ type: "progress", fraction: 0.5 })}\n`);
      response.end(`${JSON.stringify({ type: "result", result: LISTEN_RESPONSE })}\n`);
    };
    const fractions: number[] = [];
    const { data, requestId } = await media
      .transcribeFile(new Uint8Array([1]), {}, { onProgress: (f) => fractions.push(f) })
      .withResponse();
    expect(data).toEqual(LISTEN_RESPONSE);
    expect(requestId).toBe("progress-1");
    expect(fractions).toEqual([0.5]);
  });

  it("gives speech whose audio is still unread, with its request id", async () => {
    handler = (_request, response) => {
      response.writeHead(200, { "content-type": "audio/wav", "dg-request-id": "speak-1", "dg-char-count": "5" });
      response.end(Buffer.from([1, 2, 3]));
    };
    const { data, requestId } = await client().speak.v1.audio.generate({ text: "Hello" }).withResponse();
    expectTypeOf(data).toEqualTypeOf<SpeakResponse>();
    expect(requestId).toBe("speak-1");
    expect(data.requestId).toBe("speak-1");
    expect([...(await data.bytes())]).toEqual([1, 2, 3]);
  });

  it("covers every jobs call, a submitted Job included", async () => {
    const info: JobInfo = {
      request_id: "j1",
      kind: "jobs",
      status: "processing",
      progress: 0.25,
      created_at: "2025-01-01T00:00:00Z",
      started_at: "2025-01-01T00:00:01Z",
      completed_at: null,
      expires_at: null,
      attempts: 1,
      max_attempts: 3,
      options: {},
      source: { type: "upload", url: null, size: 1 },
      callback: null,
      error: null,
    };
    handler = (request, response) => {
      const answers: Record<string, unknown> = {
        "POST /v1/jobs": { request_id: "j1", status_url: `${baseUrl}/v1/jobs/j1` },
        "GET /v1/jobs/j1": info,
        "GET /v1/jobs": { jobs: [], total: 0, limit: 20, offset: 0, next_offset: null },
        "DELETE /v1/jobs/j1": { request_id: "j1", deleted: true },
      };
      send(response, 200, answers[`${request.method} ${request.url.pathname}`], { "dg-request-id": request.method });
    };
    const jobs = client().jobs;
    const submitted = await jobs.submit(new Uint8Array([1])).withResponse();
    expect(submitted.data).toBeInstanceOf(Job);
    expect(submitted.data.id).toBe("j1");
    expect(submitted.requestId).toBe("POST");
    expectTypeOf(submitted.data).toEqualTypeOf<Job>();

    const job = submitted.data;
    expect((await jobs.get("j1").withResponse()).data).toEqual(info);
    expect((await job.status().withResponse()).requestId).toBe("GET");
    expect(await job.isReady()).toBe(false);
    expect((await jobs.list().withResponse()).requestId).toBe("GET");
    expect((await job.cancel().withResponse()).requestId).toBe("DELETE");
    expectTypeOf<ReturnType<typeof jobs.list>>().toEqualTypeOf<APIPromise<JobListResponse>>();
    expectTypeOf<ReturnType<typeof job.cancel>>().toEqualTypeOf<APIPromise<JobDeletedResponse>>();
    expectTypeOf<ReturnType<typeof job.isReady>>().toEqualTypeOf<APIPromise<boolean>>();
  });

  it("rejects with the APIError, and leaves no unhandled rejection when only withResponse() is read", async () => {
    handler = (_request, response) => send(response, 400, "bad", { "dg-request-id": "bad-1" });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const error = await client()
        .listen.v1.media.transcribeFile(new Uint8Array([1]), {}, { maxRetries: 0 })
        .withResponse()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).requestId).toBe("bad-1");
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});

describe("models, status and access tokens", () => {
  const MODELS: ModelList = {
    stt: [
      {
        name: "pocketsphinx-en-us",
        canonical_name: "pocketsphinx-en-us",
        architecture: "pocketsphinx",
        languages: ["en"],
        version: "1",
        uuid: "u1",
        batch: true,
        streaming: true,
        formatted_output: false,
      },
    ],
    tts: [],
  };
  const STATUS: StatusResponse = {
    system_health: "Healthy",
    active_batch_requests: 0,
    active_stream_requests: 0,
    status: "ok",
    version: "0.1.0",
    uptime_seconds: 3,
    engine: { default_model: "m", workers: 2, busy_workers: 0, queue_depth: 0, active: 0, queue_limit: 16 },
    webhooks: { signed: true, secret_source: "generated" },
  };

  it("lists models, reads one by id (escaped) and reads the status, each a typed GET", async () => {
    handler = (request, response) =>
      send(
        response,
        200,
        request.url.pathname === "/v1/status" ? STATUS : request.url.pathname === "/v1/models" ? MODELS : MODELS.stt[0],
      );
    const c = client();
    const models = await c.models.list();
    expect(models).toEqual(MODELS);
    expectTypeOf(models).toEqualTypeOf<ModelList>();
    await c.models.get("a/b c");
    const status = await c.status();
    expect(status).toEqual(STATUS);
    expectTypeOf(status).toEqualTypeOf<StatusResponse>();
    expect(received.map((r) => `${r.method} ${r.url.pathname}`)).toEqual([
      "GET /v1/models",
      "GET /v1/models/a%2Fb%20c",
      "GET /v1/status",
    ]);
    expect(received.every((r) => r.headers.authorization === "Token secret")).toBe(true);
  });

  it("grants a token with the key, and a client built from it sends Bearer instead of the key", async () => {
    const grant: GrantTokenResponse = { access_token: "eyJ.tok.en", expires_in: 600 };
    handler = (_request, response) => send(response, 200, grant);
    const answer = await client().auth.v1.tokens.grant({ ttl_seconds: 600 });
    expect(answer).toEqual(grant);
    const request = only(received);
    expect(`${request.method} ${request.url.pathname}`).toBe("POST /v1/auth/grant");
    expect(request.headers.authorization).toBe("Token secret");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(request.body.toString())).toEqual({ ttl_seconds: 600 });

    received = [];
    handler = answerOk;
    await client({ accessToken: answer.access_token }).listen.v1.media.transcribeFile(new Uint8Array([1]));
    expect(only(received).headers.authorization).toBe("Bearer eyJ.tok.en");
  });

  it("manages projects at Deepgram's paths: JSON bodies, repeated query keys, escaped ids", async () => {
    handler = (_request, response) => send(response, 200, { ok: true });
    const { projects } = client().manage.v1;
    await projects.list();
    await projects.update("p/1", { name: "Team" });
    await projects.keys.create("p/1", { comment: "ci", scopes: ["member", "usage:read"], time_to_live_in_seconds: 60 });
    await projects.keys.list("p/1", { status: "expired" });
    await projects.keys.delete("p/1", "k 1");
    await projects.members.scopes.update("p/1", "m", { scope: "admin" });
    await projects.requests.list("p/1", { limit: 5, page: 2, method: "streaming" });
    await projects.usage.get("p/1", { start: "2025-01-01", tag: ["a", "b"], diarize: true });
    await projects.usage.breakdown.get("p/1", { grouping: ["accessor", "models"] });
    await projects.usage.fields.list("p/1", { end: "2025-02-01" });
    expect(received.map((r) => `${r.method} ${r.url.pathname}${r.url.search}`)).toEqual([
      "GET /v1/projects",
      "PATCH /v1/projects/p%2F1",
      "POST /v1/projects/p%2F1/keys",
      "GET /v1/projects/p%2F1/keys?status=expired",
      "DELETE /v1/projects/p%2F1/keys/k%201",
      "PUT /v1/projects/p%2F1/members/m/scopes",
      "GET /v1/projects/p%2F1/requests?limit=5&page=2&method=streaming",
      "GET /v1/projects/p%2F1/usage?start=2025-01-01&tag=a&tag=b&diarize=true",
      "GET /v1/projects/p%2F1/usage/breakdown?grouping=accessor&grouping=models",
      "GET /v1/projects/p%2F1/usage/fields?end=2025-02-01",
    ]);
    expect(JSON.parse(received[2]!.body.toString())).toEqual({
      comment: "ci",
      scopes: ["member", "usage:read"],
      time_to_live_in_seconds: 60,
    });
    expect(received[2]!.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(received[5]!.body.toString())).toEqual({ scope: "admin" });
  });

  it("reports a server without token support as a NotFoundError", async () => {
    handler = (_request, response) => send(response, 404, { err_code: "NOT_FOUND", err_msg: "No route." });
    const error = await client()
      .auth.v1.tokens.grant()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(JSON.parse(only(received).body.toString())).toEqual({});
  });

  it("offers the access token as the WebSocket protocols bearer, <token> where sockets cannot send headers", () => {
    const opened: { url: string; protocols: unknown }[] = [];
    class BrowserWebSocket {
      binaryType = "blob";
      constructor(url: string, protocols?: string[]) {
        opened.push({ url, protocols });
      }
      addEventListener(): void {}
      close(): void {}
    }
    const saved = Object.getOwnPropertyDescriptor(globalThis, "WebSocket");
    Object.defineProperty(globalThis, "WebSocket", { value: BrowserWebSocket, configurable: true, writable: true });
    try {
      client({ accessToken: "eyJ.tok.en" }).listen.v1.connect({ reconnect: false }).close();
      client().listen.v1.connect({ reconnect: false }).close();
      client({ apiKey: "" }).listen.v1.connect({ reconnect: false }).close();
    } finally {
      if (saved) Object.defineProperty(globalThis, "WebSocket", saved);
      else delete (globalThis as { WebSocket?: unknown }).WebSocket;
    }
    expect(opened.map((o) => o.protocols)).toEqual([["bearer", "eyJ.tok.en"], ["token", "secret"], undefined]);
    expect(opened[0]!.url).toBe(`${baseUrl.replace("http", "ws")}/v1/listen`);
  });
});
