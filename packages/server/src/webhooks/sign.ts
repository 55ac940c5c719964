/** Standard Webhooks signing (the receiver's side is `verifyWebhook` in the SDK). */
import { createHmac } from "node:crypto";
import { webhookKey, webhookSignedContent } from "@earshot/protocol";

export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac("sha256", webhookKey(secret)).update(webhookSignedContent(id, timestamp, body));
  return `v1,${mac.digest("base64")}`;
}
