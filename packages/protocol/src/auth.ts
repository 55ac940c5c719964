/**
 * `POST /v1/auth/grant` (Deepgram's): trade an API key for a short-lived access token, which a browser can hold
 * instead of the key and sends as `Authorization: Bearer <token>` (or the WebSocket protocols `bearer, <token>`).
 */
import { z } from "zod";

export const GrantTokenRequestSchema = z.object({
  /** Lifetime asked for, seconds; Deepgram allows 1 to 3600 and defaults to 30. */
  ttl_seconds: z.number().int().min(1).max(3600).optional(),
});
export type GrantTokenRequest = z.infer<typeof GrantTokenRequestSchema>;

export const GrantTokenResponseSchema = z.object({
  access_token: z.string(),
  /** Seconds the token stays valid from now. */
  expires_in: z.number(),
});
export type GrantTokenResponse = z.infer<typeof GrantTokenResponseSchema>;
