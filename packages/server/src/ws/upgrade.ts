/**
 * WebSocket routes on the Fastify server's HTTP listener, through `ws` in no-server mode. Everything that can
 * refuse a connection — unknown path, authentication, bad options, capacity — runs before the upgrade, so a
 * refusal is a plain HTTP response with the Deepgram error body, `dg-request-id` and `dg-error` headers, which
 * is what the Deepgram SDKs report (`Unexpected server response: 401`).
 */
import { randomUUID } from "node:crypto";
import { type IncomingMessage, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import {
  EarshotError,
  ErrorBodySchema,
  ErrorCode,
  type FineScope,
  InvalidRequestError,
  LiveCloseCode,
  LiveCloseReason,
  NotFoundError,
} from "@earshot/protocol";
import type { FastifyInstance } from "fastify";
import { type WebSocket, WebSocketServer } from "ws";
import { type Authenticator, authorize, type Principal } from "../auth/authenticator.js";
import { PROTOCOL_SCHEMES, secretOf } from "../auth/credentials.js";
import { routeAccess } from "../auth.js";
import { toEarshotError } from "../errors.js";
import type { SocketDocs } from "../openapi/route-docs.js";
import type { Telemetry, UsageNote } from "../usage/telemetry.js";

/** How long clients get to answer the server's closing handshake at shutdown. */
const SHUTDOWN_GRACE_MS = 1000;

export interface UpgradeRequest {
  raw: IncomingMessage;
  url: URL;
  /** Query parameters as a multimap, the shape the protocol's option schemas parse. */
  query: Record<string, string | string[]>;
  requestId: string;
  principal: Principal;
  /** What the route notes of the stream's usage (model, audio seconds, characters), logged when it closes. */
  usage: UsageNote;
}

export interface WebSocketRoute<Context> {
  path: string;
  /** The fine scope a caller needs; default `usage:write`, as for HTTP routes (tokens are accepted for it). */
  scope?: FineScope;
  /** Its messages and options, for the AsyncAPI document. */
  docs: SocketDocs;
  /** Runs before the upgrade; throw an {@link EarshotError} to refuse with that status. */
  prepare(request: UpgradeRequest): Context | Promise<Context>;
  /** Runs once the socket is open. */
  onConnection(socket: WebSocket, context: Context, request: UpgradeRequest): void;
}

export interface WebSocketOptions {
  auth: Authenticator;
  telemetry: Telemetry;
  /** Largest frame accepted, bytes. */
  maxPayload: number;
}

function queryOf(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const previous = query[key];
    query[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return query;
}

/** The upgrade's request target; one `new URL` cannot read (`//`, `http://[`) is the client's error. */
function targetOf(raw: IncomingMessage): URL {
  try {
    return new URL(raw.url ?? "/", "http://localhost");
  } catch {
    throw new InvalidRequestError("The request target is not a valid URL path.");
  }
}

/** Header values must be visible ASCII; error messages may not be. */
const headerSafe = (text: string): string => text.replace(/[^\x20-\x7e]/g, "?").slice(0, 500);

function refuse(socket: Duplex, requestId: string, error: EarshotError): void {
  const body = JSON.stringify(error.toBody(requestId));
  const headers = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? "Error"}`,
    "Content-Type: application/json",
    `Content-Length: ${Buffer.byteLength(body)}`,
    `dg-request-id: ${requestId}`,
    `x-dg-request-id: ${requestId}`,
    `dg-error: ${headerSafe(error.message)}`,
    ...(error.retryAfter !== undefined ? [`Retry-After: ${error.retryAfter}`] : []),
    "Connection: close",
  ];
  socket.end(`${headers.join("\r\n")}\r\n\r\n${body}`);
}

export function registerWebSocketRoutes(
  app: FastifyInstance,
  options: WebSocketOptions,
  // biome-ignore lint/suspicious/noExplicitAny: each route has its own context type
  routes: WebSocketRoute<any>[],
): void {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayload,
    // Echo the scheme, never the key: Chromium fails the handshake unless one offered protocol comes back.
    handleProtocols: (protocols) => {
      const first = [...protocols][0];
      return first && PROTOCOL_SCHEMES.test(first) ? first : false;
    },
  });
  const requestIds = new WeakMap<IncomingMessage, string>();
  wss.on("headers", (headers, request) => {
    const id = requestIds.get(request);
    if (id) headers.push(`dg-request-id: ${id}`, `x-dg-request-id: ${id}`);
  });

  app.server.on("upgrade", async (raw: IncomingMessage, socket: Duplex, head: Buffer) => {
    const requestId = randomUUID();
    socket.on("error", () => socket.destroy());
    let route: WebSocketRoute<unknown> | undefined;
    let request: UpgradeRequest | undefined;
    try {
      const url = targetOf(raw);
      const found = routes.find((r) => r.path === url.pathname);
      route = found;
      if (!found) throw new NotFoundError(`No WebSocket route at ${url.pathname}.`);
      const principal = await options.auth.authenticate(secretOf(raw.headers), raw.socket.remoteAddress);
      authorize(principal, routeAccess({ scope: found.scope }));
      request = { raw, url, query: queryOf(url), requestId, principal, usage: {} };
      const context = await found.prepare(request);
      const accepted = request;
      requestIds.set(raw, requestId);
      wss.handleUpgrade(raw, socket, head, (ws) => {
        const closed = options.telemetry.streamOpened({ ...accepted, path: found.path });
        ws.once("close", closed);
        found.onConnection(ws, context, accepted);
      });
    } catch (err) {
      const error = toEarshotError(err);
      if (error.status >= 500) app.log.error({ err }, "websocket upgrade failed");
      options.telemetry.streamRefused(route?.path ?? "unmatched", error.status, request);
      refuse(socket, requestId, error);
    }
  });
  // A plain GET (a browser, curl) on a WebSocket path: say what the path is instead of a 404.
  for (const route of routes) {
    const docs = {
      tag: "WebSocket",
      summary: `${route.docs.summary} (WebSocket: see /asyncapi.json)`,
      description: `A plain GET answers 426: ${route.path} takes a WebSocket upgrade.`,
      responses: { 426: ErrorBodySchema },
    };
    app.get(route.path, { config: { public: true, docs } }, async (_request, reply) => {
      reply.header("upgrade", "websocket");
      throw new EarshotError(
        426,
        ErrorCode.UpgradeRequired,
        `GET ${route.path} is a WebSocket route: connect with a WebSocket client (Upgrade: websocket), or POST to ${route.path} for the HTTP API.`,
      );
    });
  }
  // Shutting down: tell every client with a 1001 close (Deepgram's SDKs reconnect, to another instance if there
  // is one), then cut whoever has not answered the close within the grace period. preClose, because the HTTP
  // server's close waits for these connections.
  app.addHook("preClose", async () => {
    const open = [...wss.clients];
    await Promise.all(
      open.map(
        (client) =>
          new Promise<void>((resolve) => {
            const cut = setTimeout(() => client.terminate(), SHUTDOWN_GRACE_MS);
            client.once("close", () => {
              clearTimeout(cut);
              resolve();
            });
            client.close(LiveCloseCode.GoingAway, LiveCloseReason.Shutdown);
          }),
      ),
    );
    wss.close();
  });
}
