/**
 * JSON request bodies (`{"url"}`, `{"text"}`, OpenAI's and the job APIs' requests). An empty body is no body at
 * all, so each route says what it wanted; anything else that does not parse is a 400 naming the parse error.
 */
import { ErrorCode, InvalidRequestError } from "@earshot/protocol";
import type { FastifyInstance } from "fastify";

/** JSON bodies up to this size by default: requests, not audio. */
export const JSON_BODY_LIMIT = 1024 * 1024;

function parseJson(body: string): unknown {
  if (body.trim() === "") return undefined;
  try {
    return JSON.parse(body);
  } catch (err) {
    throw new InvalidRequestError(
      `The JSON body could not be parsed: ${(err as Error).message}`,
      ErrorCode.InvalidJson,
    );
  }
}

/** Parse `application/json` in `app`'s scope, bodies up to `bodyLimit` bytes. */
export function addJsonParser(app: FastifyInstance, bodyLimit = JSON_BODY_LIMIT): void {
  app.addContentTypeParser("application/json", { parseAs: "string", bodyLimit }, (_req, body, done) => {
    try {
      done(null, parseJson(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
