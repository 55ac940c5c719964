/**
 * API-key authentication, on when keys are configured. Deepgram clients send `Authorization: Token <key>`;
 * Bearer is accepted too, and the scheme matches case-insensitively (Deepgram's Python SDK sends `bearer`).
 * Other families' clients send the key their own way (see the hook).
 */
import { timingSafeEqual } from "node:crypto";
import { ASSEMBLYAI_PREFIX, AuthenticationError } from "@earshot/protocol";
import type { FastifyInstance } from "fastify";

/** Paths anyone may read: health checks come from load balancers that hold no key. */
const PUBLIC_PATHS = new Set(["/v1/status"]);

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route needs no key (the web console's page and assets: the key is typed into the page). */
    public?: boolean;
  }
}

export function keyFromAuthorization(header: string | undefined): string | undefined {
  const match = header?.match(/^\s*(token|bearer)\s+(\S+)\s*$/i);
  return match?.[2];
}

export function keyMatches(candidate: string | undefined, keys: string[]): boolean {
  if (!candidate) return false;
  const given = Buffer.from(candidate);
  return keys.some((key) => {
    const expected = Buffer.from(key);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

export function registerAuth(app: FastifyInstance, keys: string[]): void {
  if (keys.length === 0) return;
  app.addHook("onRequest", async (request) => {
    if (PUBLIC_PATHS.has(request.url.split("?")[0]!) || request.routeOptions.config.public) return;
    // Gladia's clients send their key in `x-gladia-key`; AssemblyAI's send `Authorization: <key>`, no scheme.
    const gladiaKey = request.headers["x-gladia-key"];
    const bareKey = request.url.startsWith(`${ASSEMBLYAI_PREFIX}/`) ? request.headers.authorization?.trim() : undefined;
    const key =
      keyFromAuthorization(request.headers.authorization) ??
      bareKey ??
      (typeof gladiaKey === "string" ? gladiaKey : undefined);
    if (!keyMatches(key, keys)) throw new AuthenticationError();
  });
}
