/** The client: options, their environment defaults, and the resource tree. */
import type { StatusResponse } from "@earshot/protocol";
import type { APIPromise } from "./core/api-promise.js";
import { type Credential, type Fetch, type HeaderValues, type RequestOptions, Transport } from "./core/request.js";
import { Auth } from "./resources/auth.js";
import { Jobs } from "./resources/jobs.js";
import { Listen } from "./resources/listen.js";
import { Manage } from "./resources/manage.js";
import { Models } from "./resources/models.js";
import { Read } from "./resources/read.js";
import { Speak } from "./resources/speak.js";

export interface ClientOptions {
  /**
   * Server origin, without `/v1` (as in Deepgram's SDKs), e.g. `http://127.0.0.1:8080`. A path prefix for a
   * reverse proxy is kept (`https://host/earshot`).
   *
   * @default process.env.EARSHOT_BASE_URL, else "http://127.0.0.1:8080"
   */
  baseUrl?: string | undefined;

  /**
   * API key, sent as `Authorization: Token <apiKey>`. Unset (or `""`, which also ignores the environment) for a
   * server that runs without auth.
   *
   * @default process.env.EARSHOT_API_KEY
   */
  apiKey?: string | undefined;

  /**
   * Access token from `POST /v1/auth/grant` (`client.auth.v1.tokens.grant`), sent as `Authorization: Bearer
   * <token>`; takes precedence over `apiKey`, as in Deepgram's SDK. What a browser page should hold instead of a
   * key where the server grants tokens.
   */
  accessToken?: string | undefined;

  /**
   * Milliseconds one attempt may take, response body included, before it fails with
   * `APIConnectionTimeoutError` (and is retried). Long files on a slow CPU take minutes, hence the generous
   * default. `Infinity` disables it.
   *
   * @default 600_000 (10 minutes)
   */
  timeout?: number | undefined;

  /**
   * Retries after a 408, 429, 5xx or connection failure, with exponential backoff from 0.5 s (capped at 8 s)
   * or the server's `Retry-After`. `0` disables them.
   *
   * @default 2
   */
  maxRetries?: number | undefined;

  /**
   * The `fetch` to use, e.g. undici's with a custom dispatcher, or an instrumented wrapper.
   *
   * @default globalThis.fetch
   */
  fetch?: Fetch | undefined;

  /** Headers sent with every request. A `null` value removes one the client would set (e.g. `authorization`). */
  headers?: HeaderValues | undefined;
}

const DEFAULT_BASE_URL = "http://127.0.0.1:8080";

/**
 * Client for an Earshot server, or any server that speaks Deepgram's v1 API.
 *
 * @example
 * const client = new EarshotClient({ baseUrl: "http://127.0.0.1:8080" });
 * const { results } = await client.listen.v1.media.transcribeFile(bytes, { model: "base", utterances: true });
 */
export class EarshotClient {
  readonly baseUrl: string;
  readonly timeout: number;
  readonly maxRetries: number;
  /** Speech-to-text: `listen.v1.media.transcribeFile` / `transcribeUrl`, live `listen.v1.connect`. */
  readonly listen: Listen;
  /** Transcription jobs (an Earshot extension): `jobs.submit`, `get`, `list`, `gather`, `asCompleted`. */
  readonly jobs: Jobs;
  /** Text-to-speech: `speak.v1.audio.generate`, live `speak.v1.connect`. */
  readonly speak: Speak;
  /** Text intelligence (summary, topics, intents, sentiment): `read.v1.text.analyze`. */
  readonly read: Read;
  /** Installed recognisers and voices: `models.list`, `models.get`. */
  readonly models: Models;
  /** Short-lived access tokens: `auth.v1.tokens.grant`. */
  readonly auth: Auth;
  /** Projects, keys, members, the request log and usage: `manage.v1.projects…`, as in Deepgram's SDK. */
  readonly manage: Manage;
  readonly #transport: Transport;

  constructor(options: ClientOptions = {}) {
    const baseUrl = (options.baseUrl ?? readEnv("EARSHOT_BASE_URL") ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
    // Fail here, where the mistake is, rather than as a retried "connection error" on the first call.
    new URL(baseUrl);
    this.baseUrl = baseUrl;
    this.timeout = options.timeout ?? 600_000;
    this.maxRetries = options.maxRetries ?? 2;
    const fetchImpl = options.fetch ?? globalThis.fetch;
    const apiKey = (options.apiKey ?? readEnv("EARSHOT_API_KEY")) || undefined;
    const credential: Credential | undefined = options.accessToken
      ? { scheme: "bearer", secret: options.accessToken }
      : apiKey
        ? { scheme: "token", secret: apiKey }
        : undefined;
    const transport = new Transport({
      baseUrl,
      credential,
      timeout: this.timeout,
      maxRetries: this.maxRetries,
      // A plain call: browsers throw "Illegal invocation" when fetch runs with `this` bound to another object.
      fetch: (url, init) => fetchImpl(url, init),
      headers: options.headers ?? {},
    });
    const sockets = { baseUrl, credential, headers: options.headers ?? {} };
    this.#transport = transport;
    this.listen = new Listen(transport, sockets);
    this.jobs = new Jobs(transport);
    this.speak = new Speak(transport, sockets);
    this.read = new Read(transport);
    this.models = new Models(transport);
    this.auth = new Auth(transport);
    this.manage = new Manage(transport);
  }

  /**
   * The server's health and load, `GET /v1/status` (Deepgram self-hosted's path): version, uptime, workers,
   * queue. It needs no credentials on Earshot, so a page can show it before anyone signs in.
   */
  status(requestOptions?: RequestOptions): APIPromise<StatusResponse> {
    return this.#transport.json({ method: "GET", path: "/v1/status" }, requestOptions);
  }
}

/** `process.env` where there is one (Node, Bun, Deno), nothing in browsers. Empty values count as unset. */
function readEnv(name: string): string | undefined {
  try {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    const value = env?.[name]?.trim();
    return value === "" ? undefined : value;
  } catch {
    // Deno without --allow-env throws on access; that is the same as not set.
    return undefined;
  }
}
