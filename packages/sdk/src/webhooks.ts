/**
 * Checking a callback really came from your Earshot server (Standard Webhooks signatures), with Web Crypto so it
 * runs in Node, Deno, Bun, workers and browsers alike.
 *
 * @example
 * app.post("/hook", async (req, res) => {
 *   const response = await verifyWebhook(req.rawBody, req.headers, process.env.EARSHOT_WEBHOOK_SECRET!);
 *   // …use response.results
 * });
 */
import {
  EarshotError,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  webhookKey,
  webhookSignedContent,
} from "@earshot/protocol/core";

export class WebhookVerificationError extends EarshotError {
  override name = "WebhookVerificationError";
  constructor(message: string) {
    super(400, "INVALID_WEBHOOK", message);
  }
}

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyWebhookOptions {
  /** Seconds a timestamp may be off from now (replay protection). @default 300 */
  tolerance?: number;
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value;
}

function base64(bytes: ArrayBuffer): string {
  let binary = "";
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Compares without stopping at the first difference, so timing says nothing about the expected signature. */
function equalInConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Verifies a callback's `webhook-signature` against `secret` and the body exactly as received, and returns the
 * parsed body. Throws {@link WebhookVerificationError} if a header is missing, the timestamp is outside
 * `tolerance`, or no signature matches.
 */
export async function verifyWebhook<T = unknown>(
  body: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<T> {
  const id = header(headers, WEBHOOK_ID_HEADER);
  const timestamp = header(headers, WEBHOOK_TIMESTAMP_HEADER);
  const signatures = header(headers, WEBHOOK_SIGNATURE_HEADER);
  if (!id || !timestamp || !signatures)
    throw new WebhookVerificationError("Missing webhook-id, -timestamp or -signature.");
  const seconds = Number(timestamp);
  const tolerance = options.tolerance ?? 300;
  if (!Number.isFinite(seconds) || Math.abs(Date.now() / 1000 - seconds) > tolerance) {
    throw new WebhookVerificationError("The webhook timestamp is too old or too new.");
  }
  const text = typeof body === "string" ? body : new TextDecoder().decode(body);
  const key = await crypto.subtle.importKey(
    "raw",
    webhookKey(secret) as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign(
    "HMAC",
    key,
    new TextEncoder().encode(webhookSignedContent(id, timestamp, text)),
  );
  const expected = base64(mac);
  // Several space-separated `version,signature` entries may be present (key rotation); one v1 match suffices.
  const matched = signatures
    .split(" ")
    .some((entry) => entry.startsWith("v1,") && equalInConstantTime(entry.slice(3), expected));
  if (!matched) throw new WebhookVerificationError("No webhook signature matches.");
  return JSON.parse(text) as T;
}
