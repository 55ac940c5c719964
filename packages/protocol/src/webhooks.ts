/**
 * Signed callbacks, per Standard Webhooks (standardwebhooks.com): every delivery carries `webhook-id` (the same
 * on every retry of one message), `webhook-timestamp` (Unix seconds) and `webhook-signature`
 * (`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`). A secret written `whsec_<base64>` is that key in
 * base64; any other secret is used as its UTF-8 bytes.
 */
export const WEBHOOK_ID_HEADER = "webhook-id";
export const WEBHOOK_TIMESTAMP_HEADER = "webhook-timestamp";
export const WEBHOOK_SIGNATURE_HEADER = "webhook-signature";

/** The bytes that are signed. */
export const webhookSignedContent = (id: string, timestamp: number | string, body: string): string =>
  `${id}.${timestamp}.${body}`;

/** The HMAC key for a configured secret. */
export function webhookKey(secret: string): Uint8Array {
  if (secret.startsWith("whsec_")) {
    const binary = atob(secret.slice("whsec_".length));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  }
  return new TextEncoder().encode(secret);
}
