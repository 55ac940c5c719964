/**
 * The one error hierarchy of Earshot. Engine, server and SDK errors all extend {@link EarshotError}, so a
 * catch site can tell any Earshot failure apart with one `instanceof`, and the server can render every one
 * of them as a Deepgram error body without a lookup table. Free of zod (like everything under `core/`), so a
 * browser bundle of the SDK does not carry the schemas.
 */
import type { ErrorBody } from "../errors.js";

/** Stable `err_code` values. The first ones are Deepgram's own strings, the rest are ours. */
export const ErrorCode = {
  BadRequest: "Bad Request",
  InvalidAuth: "INVALID_AUTH",
  InsufficientPermissions: "INSUFFICIENT_PERMISSIONS",
  ProjectNotFound: "PROJECT_NOT_FOUND",
  NotFound: "NOT_FOUND",
  PayloadTooLarge: "PAYLOAD_TOO_LARGE",
  TooManyRequests: "TOO_MANY_REQUESTS",
  Internal: "INTERNAL_SERVER_ERROR",
  Unavailable: "SERVICE_UNAVAILABLE",
  InvalidQuery: "INVALID_QUERY_PARAMETER",
  EmptyAudio: "EMPTY_AUDIO",
  UnsupportedAudio: "UNSUPPORTED_AUDIO",
  CorruptAudio: "CORRUPT_AUDIO",
  UrlRefused: "URL_REFUSED",
  UrlUnreachable: "URL_UNREACHABLE",
  InvalidJson: "INVALID_JSON",
  /** A WebSocket route called without the upgrade. */
  UpgradeRequired: "UPGRADE_REQUIRED",
  UnknownModel: "UNKNOWN_MODEL",
  /** A model the catalog knows, not installed on this server (`earshot models pull` installs it). */
  ModelNotInstalled: "MODEL_NOT_INSTALLED",
  UnsupportedLanguage: "UNSUPPORTED_LANGUAGE",
  /** The model (or its engine) cannot transcribe live streams. */
  ModelNotStreaming: "MODEL_NOT_STREAMING",
  Conflict: "CONFLICT",
  Cancelled: "CANCELLED",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode] | (string & {});

export interface EarshotErrorOptions {
  cause?: unknown;
  /** Seconds a client should wait before retrying (429 / 503). */
  retryAfter?: number;
}

export class EarshotError extends Error {
  override name = "EarshotError";
  /** HTTP status this error maps to (500 when it is not a client error). */
  readonly status: number;
  /** Deepgram-style `err_code`. */
  readonly code: ErrorCode;
  readonly retryAfter: number | undefined;

  constructor(status: number, code: ErrorCode, message: string, options: EarshotErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.code = code;
    this.retryAfter = options.retryAfter;
  }

  toBody(requestId: string): ErrorBody {
    return { err_code: this.code, err_msg: this.message, request_id: requestId };
  }
}

/** A request the client can fix: bad options, bad body. */
export class InvalidRequestError extends EarshotError {
  override name = "InvalidRequestError";
  constructor(message: string, code: ErrorCode = ErrorCode.BadRequest, options?: EarshotErrorOptions) {
    super(400, code, message, options);
  }
}

/** Bytes that are not audio we can decode: empty, truncated, unknown container, unsupported codec. */
export class AudioDecodeError extends EarshotError {
  override name = "AudioDecodeError";
  constructor(message: string, code: ErrorCode = ErrorCode.CorruptAudio, options?: EarshotErrorOptions) {
    super(400, code, message, options);
  }
}

export class PayloadTooLargeError extends EarshotError {
  override name = "PayloadTooLargeError";
  constructor(message: string, options?: EarshotErrorOptions) {
    super(413, ErrorCode.PayloadTooLarge, message, options);
  }
}

/** The bounded work queue is full; the client should retry after `retryAfter` seconds. */
export class CapacityError extends EarshotError {
  override name = "CapacityError";
  constructor(message: string, retryAfter: number, options?: EarshotErrorOptions) {
    super(429, ErrorCode.TooManyRequests, message, { ...options, retryAfter });
  }
}

export class NotFoundError extends EarshotError {
  override name = "NotFoundError";
  constructor(message: string, options?: EarshotErrorOptions) {
    super(404, ErrorCode.NotFound, message, options);
  }
}

export class AuthenticationError extends EarshotError {
  override name = "AuthenticationError";
  constructor(message = "Invalid credentials.", options?: EarshotErrorOptions) {
    super(401, ErrorCode.InvalidAuth, message, options);
  }
}

/**
 * The server cannot do this now through no fault of the request: shutting down, a decoder or model missing on
 * this machine. A 5xx, so jobs retry it and live streams close with 1011; `retryAfter` when a wait would help.
 */
export class UnavailableError extends EarshotError {
  override name = "UnavailableError";
  constructor(message: string, options?: EarshotErrorOptions) {
    super(503, ErrorCode.Unavailable, message, options);
  }
}

/** The request conflicts with the state of what it addresses (a stream already closed). */
export class ConflictError extends EarshotError {
  override name = "ConflictError";
  constructor(message: string, options?: EarshotErrorOptions) {
    super(409, ErrorCode.Conflict, message, options);
  }
}

/** The caller gave up (aborted its signal, went away); 499 is nginx's "client closed request". */
export class CancelledError extends EarshotError {
  override name = "CancelledError";
  constructor(message: string, options?: EarshotErrorOptions) {
    super(499, ErrorCode.Cancelled, message, options);
  }
}

/** An error as plain data, for crossing a thread or process boundary (structured clone drops classes). */
export interface SerializedError {
  name: string;
  message: string;
  status: number;
  code: string;
  retryAfter?: number | undefined;
}

export function serializeError(error: unknown): SerializedError {
  const e = error instanceof Error ? error : new Error(String(error));
  if (!(e instanceof EarshotError)) {
    return { name: e.name, message: e.message, status: 500, code: ErrorCode.Internal };
  }
  return { name: e.name, message: e.message, status: e.status, code: e.code, retryAfter: e.retryAfter };
}

/** How each class is rebuilt from its data; a class missing here comes back as a plain {@link EarshotError}. */
const REVIVERS: Record<string, (e: SerializedError, options: EarshotErrorOptions) => EarshotError> = {
  InvalidRequestError: (e, o) => new InvalidRequestError(e.message, e.code, o),
  AudioDecodeError: (e, o) => new AudioDecodeError(e.message, e.code, o),
  PayloadTooLargeError: (e, o) => new PayloadTooLargeError(e.message, o),
  CapacityError: (e, o) => new CapacityError(e.message, e.retryAfter ?? 1, o),
  NotFoundError: (e, o) => new NotFoundError(e.message, o),
  AuthenticationError: (e, o) => new AuthenticationError(e.message, o),
  UnavailableError: (e, o) => new UnavailableError(e.message, o),
  ConflictError: (e, o) => new ConflictError(e.message, o),
  CancelledError: (e, o) => new CancelledError(e.message, o),
};

/** The inverse of {@link serializeError}: the same class, status, code, message and `retryAfter`. */
export function reviveError(data: SerializedError): EarshotError {
  const options: EarshotErrorOptions = data.retryAfter === undefined ? {} : { retryAfter: data.retryAfter };
  return REVIVERS[data.name]?.(data, options) ?? new EarshotError(data.status, data.code, data.message, options);
}
/** The credential is valid but its scopes do not reach this route (Deepgram's 403). */
export class PermissionDeniedError extends EarshotError {
  override name = "PermissionDeniedError";
  constructor(message = "User does not have sufficient permissions.", options?: EarshotErrorOptions) {
    super(403, ErrorCode.InsufficientPermissions, message, options);
  }
}
