/** `client.listen.v1.connect`: where live connections go, derived from the client's options. */
import { type SocketTarget, socketUrl } from "../core/websocket.js";
import { LiveConnection, type LiveConnectOptions } from "../live/connection.js";

export function connectLive(target: SocketTarget, options: LiveConnectOptions): LiveConnection {
  return new LiveConnection(socketUrl(target.baseUrl, "/v1/listen", LiveConnection.query(options)), target, options);
}
