/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the route table: every route registered on the app
 * (collected as Fastify registers them) with the schemas it declares in `config.docs`, converted from zod with
 * `z.toJSONSchema`. Nothing here is written by hand but the envelope; a route that declares nothing is listed by
 * {@link undocumentedRoutes}, which a test keeps empty.
 */
import { ErrorBodySchema } from "@earshot/protocol";
import type { FastifyInstance, RouteOptions } from "fastify";
import { z } from "zod";
import { routeAccess } from "../auth.js";
import type { BodyDocs, ResponseDocs, RouteDocs } from "./route-docs.js";

type JsonSchema = Record<string, unknown>;

export interface RouteEntry {
  method: string;
  url: string;
  config: RouteOptions["config"];
}

declare module "fastify" {
  interface FastifyInstance {
    /** Every route of the app, as registered (what the API documents are made from). */
    apiRoutes: RouteEntry[];
  }
}

/** Records every route as it is registered, in `app.apiRoutes`; call before any route is added. */
export function collectRoutes(app: FastifyInstance): RouteEntry[] {
  const routes: RouteEntry[] = [];
  app.decorate("apiRoutes", routes);
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) {
      // HEAD mirrors GET, OPTIONS is CORS' preflight: neither is an operation of its own.
      if (method === "HEAD" || method === "OPTIONS") continue;
      routes.push({ method, url: route.url, config: route.config });
    }
  });
  return routes;
}

export const undocumentedRoutes = (routes: RouteEntry[]): string[] =>
  routes.filter((r) => r.config?.docs === undefined).map((r) => `${r.method} ${r.url}`);

/** A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), without its `$schema` line. */
export function jsonSchema(schema: z.ZodType, io: "input" | "output" = "output", target?: "draft-7"): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: "any",
    ...(target ? { target } : {}),
  }) as JsonSchema;
  return rest;
}

/** Query, path or header parameters from an object schema, one per property. */
function parameters(schema: z.ZodType | undefined, where: "query" | "path" | "header"): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema);
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === "path" || required.has(name),
      ...(description ? { description } : {}),
      schema: rest,
      // Lists travel as repeated keys (`keyterm=a&keyterm=b`).
      ...(rest.type === "array" ? { style: "form", explode: true } : {}),
    };
  });
}

/** Media types carried as bytes or plain text: a string of that type each. */
const binaryContent = (media: string[] = []): Record<string, unknown> =>
  Object.fromEntries(media.map((m) => [m, { schema: { type: "string", contentMediaType: m } }]));

function requestBody(body: BodyDocs): JsonSchema {
  const content: Record<string, unknown> = {};
  if (body.json) content["application/json"] = { schema: jsonSchema(body.json, "input") };
  if (body.multipart) content["multipart/form-data"] = { schema: jsonSchema(body.multipart, "input") };
  return { required: body.required ?? true, content: { ...content, ...binaryContent(body.binary) } };
}

function response(docs: ResponseDocs): JsonSchema {
  if (docs instanceof z.ZodType) {
    return {
      description: docs.description ?? "OK",
      content: { "application/json": { schema: jsonSchema(docs) } },
    };
  }
  if ("empty" in docs) return { description: docs.description };
  const content: Record<string, unknown> = {};
  if (docs.json) content["application/json"] = { schema: jsonSchema(docs.json) };
  if (docs.ndjson) content["application/x-ndjson"] = { schema: jsonSchema(docs.ndjson) };
  // OpenAPI 3.1 has no schema for an event stream; this one is each event's `data`, as for ndjson's lines.
  if (docs.sse) content["text/event-stream"] = { schema: jsonSchema(docs.sse) };
  return { description: docs.description, content: { ...content, ...binaryContent(docs.binary) } };
}

const errorResponse = (body: z.ZodType | undefined) => ({
  description: body
    ? "An error, in this API family's own body, with the matching status."
    : "An error, in Deepgram's body (`err_code`, `err_msg`, `request_id`) with the matching status.",
  content: { "application/json": { schema: jsonSchema(body ?? ErrorBodySchema) } },
});

const operationId = (method: string, url: string): string =>
  method.toLowerCase() +
  url
    .split("/")
    .filter(Boolean)
    .map((part) => part.replace(/^:/, "by_"))
    .map((part) => part.replace(/[^a-zA-Z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? "").toUpperCase()))
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");

function operation(route: RouteEntry, docs: RouteDocs): JsonSchema {
  const config = route.config ?? {};
  const access = config.public ? undefined : routeAccess(config);
  const who = access
    ? `Needs the \`${access.scope}\` scope${access.tokens ? "; an access token may call it" : ""}.`
    : "Needs no credential.";
  return {
    operationId: operationId(route.method, route.url),
    summary: docs.summary,
    description: [docs.description, who].filter(Boolean).join("\n\n"),
    tags: [docs.tag],
    ...(access
      ? { security: [{ apiKey: [] }, ...(access.tokens ? [{ accessToken: [] }] : [])], "x-scope": access.scope }
      : { security: [] }),
    parameters: [
      ...parameters(docs.params, "path"),
      ...parameters(docs.query, "query"),
      ...parameters(docs.headers, "header"),
    ],
    ...(docs.body ? { requestBody: requestBody(docs.body) } : {}),
    responses: {
      ...Object.fromEntries(Object.entries(docs.responses).map(([status, r]) => [status, response(r)])),
      default: errorResponse(docs.errorBody),
    },
  };
}

export interface DocumentInfo {
  version: string;
}

export function openApiDocument(routes: RouteEntry[], info: DocumentInfo): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const docs = route.config?.docs;
    if (!docs) continue;
    const path = route.url.replace(/:(\w+)/g, "{$1}");
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route, docs);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Earshot API",
      version: info.version,
      description:
        "Self-hosted speech-to-text and text-to-speech that speaks Deepgram's v1 API, and Gladia's, OpenAI's audio, AssemblyAI's v2 and OctoAI's Whisper endpoint. Errors use Deepgram's body, except in the other APIs, which answer in their own. The WebSocket routes are described by the AsyncAPI document at /asyncapi.json.",
      license: { name: "MIT", identifier: "MIT" },
    },
    jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
    servers: [{ url: "/" }],
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: "apiKey",
          in: "header",
          name: "Authorization",
          description: "`Token <API key>` (Deepgram's scheme; `Bearer <key>` works too).",
        },
        accessToken: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "A short-lived access token from `POST /v1/auth/grant`.",
        },
      },
    },
  };
}
