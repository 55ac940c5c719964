/**
 * The HTTP listener's own defences, below the routes: errors Node and Fastify answer before a route runs
 * (header overflow, timeouts, over-long parameters, unparsable URLs) answered in the API's error shape, malformed
 * CORS preflights refused the same way, and a cap on the connections one client address holds.
 */
import { randomUUID } from "node:crypto";
import { createServer, type RequestListener, type Server, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { EarshotError, ErrorCode } from "@earshot/protocol";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isLoopback } from "../auth/authenticator.js";
import type { HttpLimits } from "../config/load.js";
import { sendError, toEarshotError } from "../errors.js";

/**
 * Fastify's `serverFactory`: Node's HTTP server with a request timeout covering headers and body, so a body
 * trickled a byte at a time cannot hold a connection forever. Node checks that timeout every 30 s by default; a
 * short timeout (tests, strict deployments) is checked sooner. Fastify's own options cannot pass that interval.
 */
export function httpServerFactory(limits: HttpLimits): (handler: RequestListener) => Server {
  return (handler) => {
    const server = createServer(
      { connectionsCheckingInterval: Math.min(30_000, Math.max(100, limits.requestTimeoutMs / 4)) },
      handler,
    );
    server.requestTimeout = limits.requestTimeoutMs;
    server.headersTimeout = Math.min(server.headersTimeout, limits.requestTimeoutMs);
    // Fastify's default, which it sets only on servers it makes itself.
    server.keepAliveTimeout = 72_000;
    limitConnectionsPerAddress(server, limits.maxConnectionsPerIp, limits.limitLoopback ? () => false : isLoopback);
    return server;
  };
}

/** What Node's parser reports before any request exists: a status and a sentence, by error code. */
function clientFault(err: NodeJS.ErrnoException): EarshotError {
  if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") {
    return new EarshotError(408, ErrorCode.BadRequest, "The request did not arrive in time (headers and body).");
  }
  if (err.code === "HPE_HEADER_OVERFLOW") {
    return new EarshotError(431, ErrorCode.BadRequest, "The request's headers are larger than this server accepts.");
  }
  return new EarshotError(400, ErrorCode.BadRequest, "The request could not be parsed as HTTP.");
}

/**
 * Fastify's `clientErrorHandler`: the raw socket is all there is, so the response is written by hand, with a
 * request id of its own so the body has the API's four fields.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  if (socket.writable) {
    const error = clientFault(err);
    const requestId = randomUUID();
    const body = JSON.stringify(error.toBody(requestId));
    socket.write(
      `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\ndg-request-id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Fastify's `frameworkErrors`: a bad URL component (400) or an over-long route parameter (414), before routing. */
export function frameworkErrors(error: Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.header("dg-request-id", request.id);
  reply.header("x-dg-request-id", request.id);
  return sendError(reply, request, toEarshotError(error));
}

/**
 * A preflight must name the method it asks about; without one, `@fastify/cors` answers a plain-text 400. Added
 * before the CORS plugin, so this hook runs first and the refusal goes through the error handler.
 */
export function refuseBadPreflight(app: FastifyInstance): void {
  app.addHook("onRequest", async (request) => {
    if (request.method !== "OPTIONS" || !request.headers.origin) return;
    if (!request.headers["access-control-request-method"]) {
      throw new EarshotError(
        400,
        ErrorCode.BadRequest,
        "A CORS preflight (OPTIONS with Origin) needs an Access-Control-Request-Method header.",
      );
    }
  });
}

/**
 * Closes a new connection at once when its address already holds `max`. Addresses `exempt` answers true for are
 * not counted: by default loopback, since a reverse proxy on this host brings every client from 127.0.0.1 and
 * must enforce its own limits.
 */
export function limitConnectionsPerAddress(
  server: Server,
  max: number,
  exempt: (address: string) => boolean = isLoopback,
): void {
  const open = new Map<string, number>();
  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "";
    if (exempt(address)) return;
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once("close", () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
