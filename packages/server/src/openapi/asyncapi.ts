/**
 * The AsyncAPI 3.0 document of the WebSocket routes (`/asyncapi.json`), generated from the {@link SocketDocs}
 * each route declares: one channel per path with its query as the WebSocket binding, a `send` operation for the
 * client's frames and a `receive` operation for the server's. Payload schemas come from the protocol's zod
 * schemas as JSON Schema draft-07, the dialect AsyncAPI schemas extend.
 */
import type { z } from "zod";
import { jsonSchema } from "./document.js";
import type { SocketDocs } from "./route-docs.js";

type Json = Record<string, unknown>;

const channelId = (path: string): string =>
  path
    .split("/")
    .filter(Boolean)
    .map((part, i) => (i === 0 ? part : part.charAt(0).toUpperCase() + part.slice(1)))
    .join("");

function message(name: string, payload: z.ZodType | "binary"): Json {
  return payload === "binary"
    ? {
        name,
        title: name,
        contentType: "application/octet-stream",
        payload: { type: "string", format: "binary" },
      }
    : { name, title: name, contentType: "application/json", payload: jsonSchema(payload, "output", "draft-7") };
}

export function asyncApiDocument(sockets: Array<{ path: string; docs: SocketDocs }>, info: { version: string }): Json {
  const channels: Json = {};
  const operations: Json = {};
  for (const { path, docs } of sockets) {
    const id = channelId(path);
    const names = (side: Record<string, unknown>, prefix: string) =>
      Object.keys(side).map((name) => [`${prefix}${name}`, name] as const);
    const sent = names(docs.send, "client");
    const received = names(docs.receive, "server");
    channels[id] = {
      address: path,
      title: docs.summary,
      ...(docs.description ? { description: docs.description } : {}),
      messages: Object.fromEntries([
        ...sent.map(([key, name]) => [key, message(name, docs.send[name]!)]),
        ...received.map(([key, name]) => [key, message(name, docs.receive[name]!)]),
      ]),
      ...(docs.query ? { bindings: { ws: { query: jsonSchema(docs.query, "output", "draft-7") } } } : {}),
    };
    const ref = (key: string) => ({ $ref: `#/channels/${id}/messages/${key}` });
    operations[`${id}Send`] = {
      action: "send",
      channel: { $ref: `#/channels/${id}` },
      summary: "Frames the client sends.",
      messages: sent.map(([key]) => ref(key)),
    };
    operations[`${id}Receive`] = {
      action: "receive",
      channel: { $ref: `#/channels/${id}` },
      summary: "Frames the server sends.",
      messages: received.map(([key]) => ref(key)),
    };
  }
  return {
    asyncapi: "3.0.0",
    info: {
      title: "Earshot WebSocket API",
      version: info.version,
      description:
        "Live transcription and synthesis over WebSocket, as Deepgram's streaming APIs: v1 live listen and speak, and Flux's turn-based v2 listen. Every refusal (credentials, options, capacity) is an HTTP response to the upgrade request, with Deepgram's error body.",
    },
    defaultContentType: "application/json",
    servers: {
      earshot: {
        host: "localhost:8080",
        protocol: "ws",
        description: "The server's own origin (`wss` behind TLS).",
        security: [{ $ref: "#/components/securitySchemes/apiKey" }, { $ref: "#/components/securitySchemes/protocol" }],
      },
    },
    channels,
    operations,
    components: {
      securitySchemes: {
        apiKey: {
          type: "httpApiKey",
          in: "header",
          name: "Authorization",
          description: "`Token <API key>`, or `Bearer <access token>` from POST /v1/auth/grant.",
        },
        protocol: {
          type: "httpApiKey",
          in: "header",
          name: "Sec-WebSocket-Protocol",
          description: "For browsers: the protocols `token, <API key>` or `bearer, <access token>`.",
        },
      },
    },
  };
}
