/**
 * Where clients put their credential. Deepgram's send `Authorization: Token <key>` (any case: its Python SDK
 * sends `bearer`), or a token as `Bearer <jwt>`; OpenAI's send the key as `Bearer <key>`; AssemblyAI's send the
 * bare key; Gladia's use `x-gladia-key`; browsers, which cannot set headers on a WebSocket, offer
 * `Sec-WebSocket-Protocol: token, <key>` (or `bearer, <jwt>`). What the secret is — a key or a token — is told
 * from its shape, not from the scheme.
 */
import type { IncomingHttpHeaders } from "node:http";

const AUTHORIZATION = /^\s*(?:(?:token|bearer)\s+)?(\S+)\s*$/i;

/** Three base64url segments: a JWT (access token); anything else is an API key. */
export const looksLikeToken = (secret: string): boolean => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(secret);

/** The schemes a WebSocket client may offer first in `Sec-WebSocket-Protocol`, followed by the secret. */
export const PROTOCOL_SCHEMES = /^(token|bearer)$/i;

function protocolSecret(header: string | undefined): string | undefined {
  const [scheme, secret] = (header ?? "").split(",").map((p) => p.trim());
  return scheme && PROTOCOL_SCHEMES.test(scheme) ? secret || undefined : undefined;
}

/** The secret a request carries, if any. */
export function secretOf(headers: IncomingHttpHeaders): string | undefined {
  const gladia = headers["x-gladia-key"];
  return (
    headers.authorization?.match(AUTHORIZATION)?.[1] ??
    (typeof gladia === "string" && gladia.trim() !== "" ? gladia.trim() : undefined) ??
    protocolSecret(headers["sec-websocket-protocol"])
  );
}
