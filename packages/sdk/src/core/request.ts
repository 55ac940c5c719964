/**
 * The HTTP core every resource goes through: URL and header assembly, per-attempt timeouts, retries with
 * backoff, and turning every failure into an {@link EarshotError}. Only Web APIs, so it runs in browsers too.
 */
import { EarshotError } from "@earshot/protocol/core";
import { type Answered, APIPromise } from "./api-promise.js";
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  parseErrorBody,
} from "./errors.js";

/** The `fetch` the client calls; the global one by default. Any WHATWG-compatible implementation fits. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** Header values by name; `null` removes a header a lower layer (client defaults, auth) would have set. */
export type HeaderValues = Record<string, string | null | undefined>;

/** What proves who the client is: an API key (`Token`) or an access token from `/v1/auth/grant` (`Bearer`). */
export interface Credential {
  scheme: "token" | "bearer";
  secret: string;
}

/** The `Authorization` header value for a credential: `Token <key>` or `Bearer <token>`. */
export function authorizationOf({ scheme, secret }: Credential): string {
  return `${scheme === "token" ? "Token" : "Bearer"} ${secret}`;
}

/** Per-call overrides, accepted as the last argument of every resource method. */
export interface RequestOptions {
  /** Aborts the call, including a pending retry; the call then rejects with {@link APIUserAbortError}. */
  signal?: AbortSignal;
  /** Milliseconds, per attempt. Overrides the client's `timeout`. */
  timeout?: number;
  /** Overrides the client's `maxRetries`. */
  maxRetries?: number;
  /** Added to (or, with `null`, removed from) the client's headers for this call. */
  headers?: HeaderValues;
}

/**
 * A body that can be sent again unchanged, which is what makes retries safe. Streams are not: resources
 * buffer them first.
 */
export type ReplayableBody = string | Blob | ArrayBuffer | Uint8Array<ArrayBuffer>;

/** What a resource asks the transport to send. */
export interface APIRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path below the base URL, starting with `/` (e.g. `/v1/listen`). */
  path: string;
  query?: URLSearchParams;
  /** A promise (a stream being buffered) is awaited once, before the first attempt; its rejection is the call's. */
  body?: ReplayableBody | Promise<ReplayableBody>;
  /** Request-specific headers such as `content-type`; the caller's `headers` still override them. */
  headers?: HeaderValues;
}

export interface TransportConfig {
  baseUrl: string;
  credential: Credential | undefined;
  timeout: number;
  maxRetries: number;
  fetch: Fetch;
  headers: HeaderValues;
}

const INITIAL_RETRY_DELAY_MS = 500;
const MAX_RETRY_DELAY_MS = 8_000;
const MAX_RETRY_AFTER_MS = 60_000;
/** setTimeout fires at once for larger delays, so longer timeouts (and `Infinity`) mean "no timeout". */
const MAX_TIMER_MS = 2_147_483_647;

export class Transport {
  readonly #config: TransportConfig;

  constructor(config: TransportConfig) {
    this.#config = config;
  }

  /** Send `request` and parse the JSON answer. */
  json<T>(request: APIRequest, options: RequestOptions = {}): APIPromise<T> {
    return this.request(
      { ...request, headers: { accept: "application/json", ...request.headers } },
      options,
      readJson<T>,
    );
  }

  /**
   * Send `request`, retrying where that is safe, and hand a successful response to `read`. The timeout covers
   * `read` too, so a body that stalls halfway fails like a server that never answers; a `read` that returns
   * the Response itself (audio streaming) leaves its body bounded by the caller's signal alone. Errors `read`
   * throws that are not EarshotErrors count as transport failures.
   */
  request<T>(request: APIRequest, options: RequestOptions, read: (response: Response) => Promise<T>): APIPromise<T> {
    return new APIPromise(this.#send(request, options, read));
  }

  async #send<T>(
    request: APIRequest,
    options: RequestOptions,
    read: (response: Response) => Promise<T>,
  ): Promise<Answered<T>> {
    const maxRetries = options.maxRetries ?? this.#config.maxRetries;
    const ready = { ...request, body: await request.body };
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#attempt(ready, options, read);
      } catch (error) {
        if (attempt >= maxRetries || !isRetryable(error)) throw error;
        await sleep(retryDelay(attempt, error), options.signal);
      }
    }
  }

  async #attempt<T>(
    request: APIRequest & { body?: ReplayableBody | undefined },
    options: RequestOptions,
    read: (response: Response) => Promise<T>,
  ): Promise<Answered<T>> {
    const timeout = options.timeout ?? this.#config.timeout;
    const timeoutController = new AbortController();
    const timer = timeout < MAX_TIMER_MS ? setTimeout(() => timeoutController.abort(), timeout) : undefined;
    const signal = options.signal
      ? AbortSignal.any([options.signal, timeoutController.signal])
      : timeoutController.signal;
    const fetchImpl = this.#config.fetch;
    try {
      const init: RequestInit = { method: request.method, headers: this.#headers(request, options), signal };
      if (request.body !== undefined) init.body = request.body;
      const response = await fetchImpl(this.#url(request), init);
      if (!response.ok) {
        throw APIError.generate(response.status, parseErrorBody(await response.text()), response.headers);
      }
      return { data: await read(response), response };
    } catch (error) {
      if (error instanceof EarshotError) throw error;
      if (options.signal?.aborted) throw new APIUserAbortError(undefined, { cause: options.signal.reason });
      if (timeoutController.signal.aborted) {
        throw new APIConnectionTimeoutError(`Request timed out after ${timeout} ms.`, { cause: error });
      }
      throw new APIConnectionError(`Connection error: ${rootMessage(error)}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  #url(request: APIRequest): string {
    // URLSearchParams writes spaces as "+"; Deepgram's SDKs send "%20", which no server misreads. A literal
    // "+" is already "%2B" at this point, so every "+" left is a space.
    const query = request.query?.toString().replaceAll("+", "%20");
    return `${this.#config.baseUrl}${request.path}${query ? `?${query}` : ""}`;
  }

  #headers(request: APIRequest, options: RequestOptions): Headers {
    const headers = new Headers();
    const credential = this.#config.credential;
    for (const layer of [
      credential === undefined ? {} : { authorization: authorizationOf(credential) },
      this.#config.headers,
      request.headers ?? {},
      options.headers ?? {},
    ]) {
      for (const [name, value] of Object.entries(layer)) {
        if (value === null) headers.delete(name);
        else if (value !== undefined) headers.set(name, value);
      }
    }
    return headers;
  }
}

async function readJson<T>(response: Response): Promise<T> {
  const text = await response.text();
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new APIError(response.status, "INVALID_RESPONSE_BODY", "The server's response is not valid JSON.", {
      headers: response.headers,
      body: text,
      cause,
    });
  }
}

function isRetryable(error: unknown): boolean {
  if (error instanceof APIError) return error.status === 408 || error.status === 429 || error.status >= 500;
  return error instanceof APIConnectionError;
}

/** The server's own estimate when it gave one (capped), else exponential backoff with jitter. */
function retryDelay(attempt: number, error: unknown): number {
  if (error instanceof APIError && error.retryAfter !== undefined) {
    return Math.min(error.retryAfter * 1000, MAX_RETRY_AFTER_MS);
  }
  const backoff = Math.min(INITIAL_RETRY_DELAY_MS * 2 ** attempt, MAX_RETRY_DELAY_MS);
  // Jitter downwards only, so a burst of clients that failed together spreads out without ever exceeding the cap.
  return backoff * (1 - Math.random() * 0.25);
}

/** Waits `ms`, or rejects with {@link APIUserAbortError} as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new APIUserAbortError(undefined, { cause: signal.reason }));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new APIUserAbortError(undefined, { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Node's fetch reports "fetch failed" and hides the useful part ("connect ECONNREFUSED …") in `cause`. */
function rootMessage(error: unknown): string {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause instanceof Error; depth++) {
    current = current.cause;
  }
  return current instanceof Error ? current.message : String(error);
}
