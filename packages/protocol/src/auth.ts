/**
 * `POST /v1/auth/grant` (Deepgram's): trade an API key for a short-lived access token, which a browser can hold
 * instead of the key and sends as `Authorization: Bearer <token>` (or the WebSocket protocols `bearer, <token>`).
 */
import { z } from "zod";

/** Token lifetimes, seconds: Deepgram's default and its bounds. */
export const TOKEN_TTL = { default: 30, min: 1, max: 3600 } as const;

export const GrantTokenRequestSchema = z.object({
  /** Lifetime asked for, seconds: 1 to 3600, 30 when not given. */
  ttl_seconds: z.number().int().min(TOKEN_TTL.min).max(TOKEN_TTL.max).optional(),
});
export type GrantTokenRequest = z.infer<typeof GrantTokenRequestSchema>;

export const GrantTokenResponseSchema = z.object({
  access_token: z.string(),
  /** Seconds the token stays valid from now. */
  expires_in: z.number(),
});
export type GrantTokenResponse = z.infer<typeof GrantTokenResponseSchema>;
