/**
 * Opening a WebSocket in any runtime, for the live listen and speak clients. Browsers, Deno, Bun and Node ≥ 22
 * have a global WebSocket, which cannot send headers, so the key travels as `Sec-WebSocket-Protocol: token, <key>`
 * (an access token as `bearer, <token>`), as Deepgram's SDKs do. Node 20 has none: there the `ws` package is loaded on demand (bundlers resolve its
 * browser stub, never executed), the key goes in `Authorization`, and a refused handshake's status and error body
 * are readable, so they become the matching {@link APIError}.
 */
import { APIError, parseErrorBody } from "./errors.js";
import { authorizationOf, type Credential, type HeaderValues } from "./request.js";

/** Where the client's sockets go: its base URL and credentials. */
export interface SocketTarget {
  /** The client's `baseUrl` (http/https, mapped to ws/wss). */
  baseUrl: string;
  credential: Credential | undefined;
  /** Sent where the runtime allows WebSocket headers (Node); browsers cannot send any. */
  headers: HeaderValues;
}

/** `http(s)://host/prefix` + path + query → `ws(s)://host/prefix/path?query`, spaces as `%20` like the REST calls. */
export function socketUrl(baseUrl: string, path: string, query: URLSearchParams): string {
  const url = new URL(`${baseUrl}${path}`);
  url.protocol = url.protocol === "https:" ? "wss:" : url.protocol === "http:" ? "ws:" : url.protocol;
  url.search = query.toString().replaceAll("+", "%20");
  return url.toString();
}

/** Opens the socket; `onRefused` gets the error for a refused handshake where the runtime shows one. */
export async function openWebSocket(
  url: string,
  target: SocketTarget,
  onRefused: (error: APIError) => void,
): Promise<WebSocket> {
  const Global = (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
  if (Global) {
    const { credential } = target;
    const socket = new Global(url, credential ? [credential.scheme, credential.secret] : undefined);
    socket.binaryType = "arraybuffer";
    return socket;
  }
  const { WebSocket: NodeWebSocket } = await import("ws");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(target.headers)) if (typeof value === "string") headers[name] = value;
  if (target.credential) headers.authorization = authorizationOf(target.credential);
  const socket = new NodeWebSocket(url, { headers });
  socket.binaryType = "arraybuffer";
  socket.on("unexpected-response", (_request, response) => {
    let body = "";
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => {
      body += chunk;
    });
    response.on("end", () => {
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(response.headers)) {
        if (typeof value === "string") responseHeaders.set(name, value);
      }
      onRefused(APIError.generate(response.statusCode ?? 0, parseErrorBody(body), responseHeaders));
      socket.terminate();
    });
  });
  return socket as unknown as WebSocket;
}
