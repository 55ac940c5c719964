/**
 * OpenAI-compatible routes answer errors in OpenAI's shape (`{"error": {message, type, param, code}}`), which the
 * `openai` clients parse, instead of Deepgram's. Register those routes inside {@link openAiScope}; its error handler also
 * covers the authentication hook, which runs in the route's context.
 */
import { EarshotError, type OpenAiErrorBody } from "@earshot/protocol";
import type { FastifyInstance } from "fastify";
import { toEarshotError } from "../errors.js";

/** An error about one field of the request body, reported as OpenAI's `param`. */
export class OpenAiParamError extends EarshotError {
  override name = "OpenAiParamError";
  constructor(
    readonly param: string,
    error: EarshotError,
  ) {
    super(error.status, error.code, error.message, { cause: error, retryAfter: error.retryAfter });
  }
}

/** Run `fn`; an EarshotError it throws is blamed on `param`. */
export function blame<T>(param: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw err instanceof EarshotError ? new OpenAiParamError(param, err) : err;
  }
}

function errorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

export function openAiErrorBody(error: EarshotError): OpenAiErrorBody {
  return {
    error: {
      message: error.message,
      type: errorType(error.status),
      param: error instanceof OpenAiParamError ? error.param : null,
      code: error.status === 401 ? "invalid_api_key" : error.code.toLowerCase().replaceAll(" ", "_"),
    },
  };
}

/** Encapsulate `register`'s routes under OpenAI's error shape. */
export function openAiScope(
  app: FastifyInstance,
  register: (scope: FastifyInstance) => void | Promise<void>,
): Promise<void> {
  return app.register(async (scope) => {
    scope.setErrorHandler((error, request, reply) => {
      const earshot = toEarshotError(error);
      if (earshot.status >= 500) request.log.error({ err: error }, "request failed");
      if (earshot.retryAfter !== undefined) reply.header("retry-after", String(earshot.retryAfter));
      return reply.status(earshot.status).send(openAiErrorBody(earshot));
    });
    await register(scope);
  }) as unknown as Promise<void>;
}
