/**
 * One HTTP delivery of a callback. Callback URLs obey the same address rules as `{"url": …}` fetches — a
 * request must not be able to make us POST into our own network — checked on the URL and again on the
 * address the socket connects to.
 */
import { WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER } from "@earshot/protocol";
import type { UrlPolicy, WebhookConfig } from "../config/load.js";
import { OutboundClient } from "../http/outbound.js";
import { UrlGuard } from "../listen/fetch-url.js";
import { signWebhook } from "./sign.js";

export interface DeliveryOutcome {
  statusCode: number | null;
  /** Null when the receiver accepted (2xx). */
  error: string | null;
  /** Retrying cannot help (the URL is refused). */
  permanent: boolean;
}

export class CallbackSender {
  private readonly guard: UrlGuard;
  private readonly client: OutboundClient;

  constructor(
    policy: Pick<UrlPolicy, "allowList">,
    private readonly config: Pick<WebhookConfig, "timeoutMs">,
    /** Every callback is signed with it (Standard Webhooks). */
    private readonly secret: string,
    /** Told of every attempt's outcome (metrics). */
    private readonly onOutcome?: (outcome: DeliveryOutcome) => void,
  ) {
    this.guard = new UrlGuard(policy.allowList);
    this.client = new OutboundClient(this.guard.lookup);
  }

  /** Throws an InvalidRequestError when `url` can never be called back (not a URL, scheme, literal private address). */
  check(url: string): void {
    this.guard.parse(url);
  }

  /** `headers` are the API family's own (AssemblyAI's webhook auth header); the signature headers always go. */
  async send(
    url: string,
    method: "POST" | "PUT",
    messageId: string,
    body: string,
    headers: Record<string, string> = {},
  ): Promise<DeliveryOutcome> {
    const outcome = await this.attempt(url, method, messageId, body, headers);
    this.onOutcome?.(outcome);
    return outcome;
  }

  private async attempt(
    url: string,
    method: "POST" | "PUT",
    messageId: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<DeliveryOutcome> {
    try {
      this.check(url);
    } catch (err) {
      return { statusCode: null, error: (err as Error).message, permanent: true };
    }
    const timestamp = Math.floor(Date.now() / 1000);
    const allHeaders: Record<string, string> = {
      ...headers,
      "content-type": "application/json",
      "user-agent": "earshot-webhooks",
      [WEBHOOK_ID_HEADER]: messageId,
      [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
      [WEBHOOK_SIGNATURE_HEADER]: signWebhook(this.secret, messageId, timestamp, body),
    };
    try {
      const response = await this.client.request(new URL(url), {
        method,
        headers: allHeaders,
        body,
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      response.body.resume();
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      return {
        statusCode: response.statusCode,
        error: ok ? null : `The receiver answered HTTP ${response.statusCode}.`,
        permanent: false,
      };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const refused = e.code === "EARSHOT_ADDRESS_REFUSED";
      return { statusCode: null, error: refused ? e.message : `Delivery failed: ${e.message}`, permanent: refused };
    }
  }

  close(): void {
    this.client.close();
  }
}
