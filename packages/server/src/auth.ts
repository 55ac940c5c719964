/**
 * Authentication and scopes on every HTTP route. Each route says what it needs in its config:
 *
 * - `public: true`: nothing (health, metrics, API documents, the web console's page).
 * - `scope`: the fine scope a caller needs. When a route says nothing it needs `usage:write`, the right to use
 *   the speech APIs — so every route another API family adds (listen, speak, read, jobs, OpenAI, Gladia,
 *   AssemblyAI…) is a speech route by default, and management routes, which name their scopes, are the
 *   exceptions.
 * - `tokens`: whether an access token may call it; by default exactly the `usage:write` routes, so tokens never
 *   reach management.
 *
 * WebSocket routes follow the same rule before their upgrade (`ws/upgrade.ts`).
 */
import type { FineScope } from "@earshot/protocol";
import type { FastifyContextConfig, FastifyInstance } from "fastify";
import { type Authenticator, authorize, type Principal, type RouteAccess } from "./auth/authenticator.js";
import { secretOf } from "./auth/credentials.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route needs no credential. */
    public?: boolean;
    /** The fine scope a caller needs; default `usage:write`. */
    scope?: FineScope;
    /** Whether an access token may call the route; default: when its scope is `usage:write`. */
    tokens?: boolean;
  }
  interface FastifyRequest {
    /** Who is calling; set before the handler on every route that is not public. */
    principal?: Principal;
  }
}

export const SPEECH_SCOPE: FineScope = "usage:write";

/** What a route's config asks of its caller, defaults applied. */
export function routeAccess(config: Pick<FastifyContextConfig, "scope" | "tokens">): RouteAccess {
  const scope = config.scope ?? SPEECH_SCOPE;
  return { scope, tokens: config.tokens ?? scope === SPEECH_SCOPE };
}

export function registerAuth(app: FastifyInstance, auth: Authenticator): void {
  app.decorateRequest("principal", undefined);
  app.addHook("onRequest", async (request, reply) => {
    const config = request.routeOptions.config;
    if (config.public) return;
    const principal = await auth.authenticate(secretOf(request.headers), request.socket.remoteAddress);
    authorize(principal, routeAccess(config));
    request.principal = principal;
    // Every later line about this request (Fastify's own "request completed" included, which goes through the
    // reply's logger) names its project and key id; never the key itself.
    const log = request.log.child({ project_id: principal.projectId, api_key_id: principal.apiKeyId });
    request.log = log;
    reply.log = log;
  });
}
