/**
 * The SDK's errors. All of them extend protocol's {@link EarshotError}, so one `instanceof EarshotError` catches
 * every failure a call can produce; the subclasses say whether the server answered ({@link APIError} and its
 * status-mapped children) or never did (the transport errors).
 */
import { EarshotError, type EarshotErrorOptions, ErrorCode } from "@earshot/protocol/core";

export interface APIErrorDetails {
  /** The error response's headers. */
  headers: Headers;
  /** The response body: parsed JSON when it was JSON, else its text; `undefined` when empty. */
  body?: unknown;
  /** Overrides the request id otherwise read from the `dg-request-id` / `x-dg-request-id` headers. */
  requestId?: string | undefined;
  cause?: unknown;
}

/** The server answered with a non-2xx status (or with a 2xx body the SDK could not read). */
export class APIError extends EarshotError {
  override name = "APIError";
  readonly headers: Headers;
  readonly body: unknown;
  /** Quote this when reporting a problem: it is how the server's logs find the request. */
  readonly requestId: string | undefined;

  constructor(status: number, code: ErrorCode, message: string, details: APIErrorDetails) {
    super(status, code, message, errorOptions(details));
    this.headers = details.headers;
    this.body = details.body;
    this.requestId = details.requestId ?? requestIdOf(details.headers);
  }

  /**
   * The error for a failed response, as the subclass matching its status. Understands Deepgram's three error
   * body shapes: legacy `{err_code, err_msg, request_id}`, modern `{category, message, details, request_id}`
   * and plain text.
   */
  static generate(status: number, body: unknown, headers: Headers): APIError {
    let code: string | undefined;
    let message: string | undefined;
    let requestId: string | undefined;
    if (isRecord(body)) {
      code = stringField(body, "err_code") ?? stringField(body, "category");
      const details = stringField(body, "details");
      message = stringField(body, "err_msg") ?? stringField(body, "message");
      if (message !== undefined && details !== undefined) message = `${message} (${details})`;
      requestId = stringField(body, "request_id");
    } else if (typeof body === "string" && body.trim() !== "") {
      message = body.trim();
    }
    const ErrorClass = errorClassFor(status);
    return new ErrorClass(status, code ?? defaultCode(status), message ?? `${status} status code (no body)`, {
      headers,
      body,
      requestId,
    });
  }
}

export class BadRequestError extends APIError {
  override name = "BadRequestError";
}

export class AuthenticationError extends APIError {
  override name = "AuthenticationError";
}

export class PermissionDeniedError extends APIError {
  override name = "PermissionDeniedError";
}

export class NotFoundError extends APIError {
  override name = "NotFoundError";
}

export class PayloadTooLargeError extends APIError {
  override name = "PayloadTooLargeError";
}

export class UnprocessableEntityError extends APIError {
  override name = "UnprocessableEntityError";
}

export class RateLimitError extends APIError {
  override name = "RateLimitError";
}

export class InternalServerError extends APIError {
  override name = "InternalServerError";
}

/**
 * No usable response arrived: refused connection, DNS failure, reset socket, broken body. `status` is the
 * gateway status such a failure would map to (502); it was never sent by the server.
 */
export class APIConnectionError extends EarshotError {
  override name = "APIConnectionError";

  /** `status` and `code` exist so that subclasses can state their own. */
  constructor(
    message = "Connection error.",
    options?: EarshotErrorOptions,
    status = 502,
    code: ErrorCode = "CONNECTION_ERROR",
  ) {
    super(status, code, message, options);
  }
}

/** The request took longer than its `timeout`. `status` is 504 by analogy; the server did not send it. */
export class APIConnectionTimeoutError extends APIConnectionError {
  override name = "APIConnectionTimeoutError";

  constructor(message = "Request timed out.", options?: EarshotErrorOptions) {
    super(message, options, 504, "CONNECTION_TIMEOUT");
  }
}

/**
 * The caller's `signal` aborted the request. Never retried. `status` is 499 ("client closed request"), below
 * 500 so that code treating `status >= 500` as retryable leaves it alone.
 */
export class APIUserAbortError extends EarshotError {
  override name = "APIUserAbortError";

  constructor(message = "Request was aborted.", options?: EarshotErrorOptions) {
    super(499, "USER_ABORT", message, options);
  }
}

/** The server's id for a request, from `dg-request-id` (Deepgram's name) or `x-dg-request-id` (older servers). */
export function requestIdOf(headers: Headers): string | undefined {
  return headers.get("dg-request-id") ?? headers.get("x-dg-request-id") ?? undefined;
}

/** The response body as {@link APIError.generate} expects it: JSON when it parses, else the text itself. */
export function parseErrorBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Milliseconds the server asked us to wait, from `retry-after-ms` (what openai-node and Deepgram's SDKs read)
 * or `Retry-After` (seconds or an HTTP date). `undefined` when absent or unparseable.
 */
export function retryAfterMs(headers: Headers): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "" && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get("retry-after");
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function errorOptions(details: APIErrorDetails): EarshotErrorOptions {
  const wait = retryAfterMs(details.headers);
  const options: EarshotErrorOptions = {};
  if (details.cause !== undefined) options.cause = details.cause;
  if (wait !== undefined) options.retryAfter = wait / 1000;
  return options;
}

function errorClassFor(status: number): typeof APIError {
  if (status >= 500) return InternalServerError;
  switch (status) {
    case 400:
      return BadRequestError;
    case 401:
      return AuthenticationError;
    case 403:
      return PermissionDeniedError;
    case 404:
      return NotFoundError;
    case 413:
      return PayloadTooLargeError;
    case 422:
      return UnprocessableEntityError;
    case 429:
      return RateLimitError;
    default:
      return APIError;
  }
}

/** A code for bodies that carry none (plain text, proxies' HTML pages, empty), so `code` is always set. */
function defaultCode(status: number): ErrorCode {
  switch (status) {
    case 400:
      return ErrorCode.BadRequest;
    case 401:
      return ErrorCode.InvalidAuth;
    case 404:
      return ErrorCode.NotFound;
    case 413:
      return ErrorCode.PayloadTooLarge;
    case 429:
      return ErrorCode.TooManyRequests;
    case 503:
      return ErrorCode.Unavailable;
    default:
      return status >= 500 ? ErrorCode.Internal : `HTTP_${status}`;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}
