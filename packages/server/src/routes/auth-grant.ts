/**
 * `POST /v1/auth/grant`: trade an API key for a short-lived access token (a JWT), for a browser to hold instead
 * of the key. The token carries `usage:write` only, so it works on the speech APIs — HTTP and WebSocket — and
 * never on management routes; it fails when it expires, or at once when the key that granted it is deleted.
 */
import {
  GrantTokenRequestSchema,
  type GrantTokenResponse,
  GrantTokenResponseSchema,
  PermissionDeniedError,
  TOKEN_TTL,
} from "@earshot/protocol";
import type { FastifyInstance } from "fastify";
import type { TokenIssuer } from "../auth/tokens.js";
import { SPEECH_SCOPE } from "../auth.js";
import { parseBody } from "../http/body.js";

export function authGrantRoutes(app: FastifyInstance, tokens: TokenIssuer): void {
  app.post(
    "/v1/auth/grant",
    {
      config: {
        scope: SPEECH_SCOPE,
        tokens: false,
        // Granting a token is not usage; what the token is used for is logged.
        endpoint: false,
        docs: {
          tag: "Auth",
          summary: "Grant a short-lived access token",
          description: `The token is sent as \`Authorization: Bearer <token>\` (or the WebSocket protocols \`bearer, <token>\`) to listen, speak and read. \`ttl_seconds\`: ${TOKEN_TTL.min} to ${TOKEN_TTL.max}, ${TOKEN_TTL.default} by default.`,
          body: { json: GrantTokenRequestSchema, required: false },
          responses: { 200: GrantTokenResponseSchema },
        },
      },
    },
    async (request): Promise<GrantTokenResponse> => {
      const { ttl_seconds = TOKEN_TTL.default } = parseBody(GrantTokenRequestSchema, request.body, { optional: true });
      const principal = request.principal!;
      if (principal.kind === "token") throw new PermissionDeniedError("A token cannot grant tokens; use an API key.");
      const access_token = await tokens.grant(
        {
          apiKeyId: principal.apiKeyId,
          projectId: principal.projectId,
          principal: principal.kind,
          scopes: [SPEECH_SCOPE],
        },
        ttl_seconds,
      );
      request.log.info({ ttl_seconds }, "access token granted");
      return { access_token, expires_in: ttl_seconds };
    },
  );
}
