/**
 * JSON request bodies (`{"url"}`, `{"text"}`, OpenAI's and the job APIs' requests). An empty body is no body at
 * all, so each route says what it wanted; anything else that does not parse is a 400 naming the parse error.
 */
import { ErrorCode, InvalidRequestError } from "@earshot/protocol";
import type { FastifyInstance } from "fastify";

/** JSON bodies up to this size by default: requests, not audio. */
export const JSON_BODY_LIMIT = 1024 * 1024;

/** Deeper than any request we define; a body nested thousands deep overflows the stack of whatever walks it. */
export const MAX_JSON_DEPTH = 64;

/** The deepest nesting of arrays and objects in `text`, brackets inside strings not counted. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

function parseJson(body: string): unknown {
  if (body.trim() === "") return undefined;
  if (nestingDepth(body) > MAX_JSON_DEPTH) {
    throw new InvalidRequestError(
      `The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels.`,
      ErrorCode.InvalidJson,
    );
  }
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
