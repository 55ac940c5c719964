/**
 * What each route declares about itself for the API documents: its schemas, taken from `@earshot/protocol`,
 * and a line of prose. HTTP routes put a {@link RouteDocs} in their config (`config: { docs }`); WebSocket
 * routes a {@link SocketDocs} beside their handlers. `/openapi.json` and `/asyncapi.json` are generated from
 * these and nothing else, and a test fails for any route without them.
 */
import type { z } from "zod";

/** A request body: JSON of a schema, raw bytes of some media types, or either (`/v1/listen`: audio, or `{"url"}`). */
export interface BodyDocs {
  json?: z.ZodType;
  /** Media types sent as raw bytes, e.g. `audio/*`. */
  binary?: string[];
  /** `multipart/form-data` fields. */
  multipart?: z.ZodType;
  required?: boolean;
}

/** A response: JSON of a schema, no body, or bodies in one or more media types. */
export type ResponseDocs = z.ZodType | { empty: true; description: string } | ResponseBodies;

/** What a response may carry, one media type each; several when the request picks (OpenAI's `response_format`). */
export interface ResponseBodies {
  description: string;
  json?: z.ZodType;
  /** Media types sent as bytes or plain text, e.g. `audio/*`, `text/plain`. */
  binary?: string[];
  /** `application/x-ndjson`: a JSON value of the schema on each line. */
  ndjson?: z.ZodType;
  /** `text/event-stream`: server-sent events, each event's `data` a JSON value of the schema. */
  sse?: z.ZodType;
}

export interface RouteDocs {
  summary: string;
  description?: string;
  /** Group in the documents: `Listen`, `Speak`, `Projects`, … */
  tag: string;
  params?: z.ZodObject;
  query?: z.ZodType;
  /** Request headers that change what the route does (OctoAI's `X-OctoAI-Async`). */
  headers?: z.ZodObject;
  body?: BodyDocs;
  /** By status; the error body is added for every route. */
  responses: Record<number, ResponseDocs>;
  /** The error body when it is not Deepgram's (the Gladia and OpenAI routes answer in their own). */
  errorBody?: z.ZodType;
}

/** A WebSocket route: its query options and the frames each side sends (`binary` for audio frames). */
export interface SocketDocs {
  summary: string;
  description?: string;
  query?: z.ZodType;
  /** Frames the client sends, by message name. */
  send: Record<string, z.ZodType | "binary">;
  /** Frames the server sends, by message name. */
  receive: Record<string, z.ZodType | "binary">;
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route's entry in `/openapi.json`; `false` keeps it out (the web console's own files). */
    docs?: RouteDocs | false;
  }
}

/**
 * For an API family that answers errors in its own body (Gladia, OpenAI, AssemblyAI, OctoAI): turns a route's
 * docs into its `config`, with the family's tag and error body.
 */
export function familyDocs(tag: string, errorBody: z.ZodType) {
  return (docs: Omit<RouteDocs, "tag" | "errorBody">): { docs: RouteDocs } => ({ docs: { ...docs, tag, errorBody } });
}
