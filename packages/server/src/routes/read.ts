/**
 * `POST /v1/read`: text intelligence (summary, topics, intents, sentiment) on JSON `{"text"}` or `{"url"}`, the
 * options in the query as on `/v1/listen`. The analysis is the engine's, the same that `/v1/listen` runs on a
 * transcript; answered on the connection.
 */
import { readText } from "@earshot/engine";
import {
  InvalidRequestError,
  parseReadOptions,
  ReadOptionsSchema,
  ReadRequestSchema,
  type ReadResponse,
  ReadResponseSchema,
} from "@earshot/protocol";
import type { FastifyInstance } from "fastify";
import type { UrlFetcher } from "../listen/fetch-url.js";
import { TEXT_MODEL_UUID } from "../listen/response.js";
import { noteUsage } from "../usage/telemetry.js";

/** Deepgram's input limit for `/v1/read`, in characters. */
const MAX_CHARACTERS = 150_000;

async function textOf(body: unknown, urls: UrlFetcher, signal: AbortSignal | undefined): Promise<string> {
  const parsed = ReadRequestSchema.safeParse(body);
  if (!parsed.success) {
    throw new InvalidRequestError('The body must be JSON {"text": "…"} (non-empty) or {"url": "https://…"}.');
  }
  const text =
    "text" in parsed.data ? parsed.data.text : new TextDecoder().decode(await urls.fetch(parsed.data.url, signal));
  if (!text.trim()) throw new InvalidRequestError("The text to read is empty.");
  if (text.length > MAX_CHARACTERS) {
    throw new InvalidRequestError(`The text is ${text.length} characters; /v1/read takes at most ${MAX_CHARACTERS}.`);
  }
  return text;
}

export function readRoutes(app: FastifyInstance, deps: { urls: UrlFetcher }): void {
  app.post(
    "/v1/read",
    {
      config: {
        docs: {
          tag: "Read",
          summary: "Analyse text",
          description:
            'The body is JSON `{"text"}` or `{"url"}` (a plain-text document). Summary, topics, intents and sentiment as `/v1/listen` gives them for a transcript.',
          query: ReadOptionsSchema,
          body: { json: ReadRequestSchema },
          responses: { 200: ReadResponseSchema },
        },
      },
    },
    async (request): Promise<ReadResponse> => {
      const options = parseReadOptions(request.query as Record<string, unknown>);
      if (options.callback) {
        throw new InvalidRequestError(
          "callback is not supported on /v1/read here: the answer comes on the connection.",
        );
      }
      const text = await textOf(request.body, deps.urls, request.clientGone);
      noteUsage(request, { characters: text.length });
      return readText(text, options, {
        requestId: request.id,
        created: new Date().toISOString(),
        modelUuid: TEXT_MODEL_UUID,
      });
    },
  );
}
