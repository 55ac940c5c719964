/**
 * Outgoing HTTP(S) requests (`{"url": …}` audio, callbacks) over Node's own `http`/`https`, with the
 * {@link UrlGuard}'s DNS lookup on every connection.
 *
 * Why not undici: importing the npm `undici` installs its Agent as the process's global dispatcher, which Node's
 * built-in `fetch` then uses — and Node 20's fetch over a foreign Agent fails an assertion (`assert(!this.paused)`)
 * when a response body is read late, which crashed `earshot listen <url>` and any other in-process `fetch` that
 * shares the CLI's process with the server.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";

export interface OutboundRequest {
  method: "GET" | "POST" | "PUT";
  headers?: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

export interface OutboundResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** The body as it arrives; read it or call `resume()` to discard it. */
  body: IncomingMessage;
}

/** Keep-alive connections whose every DNS lookup goes through `lookup`. */
export class OutboundClient {
  private readonly http: HttpAgent;
  private readonly https: HttpsAgent;

  constructor(private readonly lookup: LookupFunction) {
    this.http = new HttpAgent({ keepAlive: true });
    this.https = new HttpsAgent({ keepAlive: true });
  }

  request(url: URL, init: OutboundRequest): Promise<OutboundResponse> {
    const secure = url.protocol === "https:";
    const send = secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, {
        method: init.method,
        headers: init.headers,
        agent: secure ? this.https : this.http,
        lookup: this.lookup,
        signal: init.signal,
      });
      req.once("response", (res) => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: res }));
      req.once("error", reject);
      req.end(init.body);
    });
  }

  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}
