/**
 * One error handler: every failure leaves as a Deepgram error body with the right status. Our own errors are
 * {@link EarshotError}s already; Fastify's own (body too large, bad JSON, unknown route) are translated.
 */
import { EarshotError, ErrorCode } from "@earshot/protocol";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ErrorCode.PayloadTooLarge,
  FST_ERR_CTP_EMPTY_JSON_BODY: ErrorCode.InvalidJson,
  FST_ERR_CTP_INVALID_JSON_BODY: ErrorCode.InvalidJson,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ErrorCode.BadRequest,
};

export function toEarshotError(error: unknown): EarshotError {
  if (error instanceof EarshotError) return error;
  const fe = error as Partial<FastifyError>;
  if (typeof fe.statusCode === "number" && fe.statusCode >= 400 && fe.statusCode < 500) {
    const message =
      fe.code === "FST_ERR_CTP_BODY_TOO_LARGE"
        ? "The request body is larger than this server accepts."
        : (fe.message ?? "Bad request");
    return new EarshotError(fe.statusCode, FASTIFY_CODES[fe.code ?? ""] ?? ErrorCode.BadRequest, message);
  }
  return new EarshotError(500, ErrorCode.Internal, "Internal server error.", { cause: error });
}

export function sendError(reply: FastifyReply, request: FastifyRequest, error: EarshotError): FastifyReply {
  if (error.retryAfter !== undefined) reply.header("retry-after", String(error.retryAfter));
  return reply.status(error.status).send(error.toBody(request.id));
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const earshot = toEarshotError(error);
    if (earshot.status >= 500) request.log.error({ err: error }, "request failed");
    return sendError(reply, request, earshot);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      request,
      new EarshotError(404, ErrorCode.NotFound, `No route for ${request.method} ${request.url}.`),
    ),
  );
}
