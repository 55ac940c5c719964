/** `/v1/speak` query options (REST and WebSocket) and the REST request body. */
import { z } from "zod";
import { ErrorCode, InvalidRequestError, PayloadTooLargeError } from "../errors.js";
import { parseQuery, queryBool, queryInt, queryList, queryNumber, queryString } from "../query.js";
import { type AudioFormat, resolveSpeakFormat } from "./format.js";

/** Deepgram's per-request character limit for `/v1/speak`; longer text is a 413. */
export const SPEAK_TEXT_LIMIT = 2000;

/** Speaking-rate multipliers accepted (OpenAI's range; Deepgram's newer models take a subset). */
export const SPEED_RANGE = { min: 0.25, max: 4 } as const;

const lowerString = z.preprocess(
  (v) => (Array.isArray(v) ? v[v.length - 1] : v),
  z
    .string()
    .min(1)
    .transform((s) => s.toLowerCase()),
);

export const SpeakOptionsSchema = z.object({
  model: queryString.optional(),
  encoding: lowerString.optional(),
  container: lowerString.optional(),
  sample_rate: queryInt.optional(),
  bit_rate: queryInt.optional(),
  speed: queryNumber.pipe(z.number().min(SPEED_RANGE.min).max(SPEED_RANGE.max)).optional(),
  callback: queryString.optional(),
  callback_method: queryString.optional(),
  tag: queryList.optional(),
  mip_opt_out: queryBool.optional(),
});
export type SpeakOptions = z.output<typeof SpeakOptionsSchema>;

/** What an SDK caller passes: the same names, every one optional, numbers as numbers. */
export type SpeakOptionsInput = Partial<SpeakOptions>;

export interface ParsedSpeakOptions {
  options: SpeakOptions;
  format: AudioFormat;
}

/** Parse and check the query of a `/v1/speak` request; every refusal is a 400 naming what to change. */
export function parseSpeakOptions(query: Record<string, unknown>, transport: "rest" | "websocket"): ParsedSpeakOptions {
  const options = parseQuery(SpeakOptionsSchema, query);
  if (options.callback !== undefined) {
    throw new InvalidRequestError(
      "callback is not supported by this server's /v1/speak; read the audio from the response instead.",
      ErrorCode.InvalidQuery,
    );
  }
  return { options, format: resolveSpeakFormat(options, transport) };
}

/** `POST /v1/speak`'s body, as documented; {@link speakTextOf} checks it with errors of its own. */
export const SpeakRequestSchema = z.object({ text: z.string().min(1).max(SPEAK_TEXT_LIMIT) });

/** The text to speak, from a `{"text": "…"}` body: present, not blank, within the limit. */
export function speakTextOf(body: unknown, limit = SPEAK_TEXT_LIMIT): string {
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw new InvalidRequestError('The body must be JSON {"text": "…"} sent with Content-Type: application/json.');
  }
  const text = (body as { text?: unknown }).text;
  if ("url" in body && text === undefined) {
    throw new InvalidRequestError('{"url": …} bodies are not supported by this server; send {"text": "…"}.');
  }
  return checkSpeakText(text, "text", limit);
}

/** Shared by the Deepgram and OpenAI routes: a string, not blank, at most `limit` characters. */
export function checkSpeakText(text: unknown, field: string, limit: number): string {
  if (typeof text !== "string") throw new InvalidRequestError(`'${field}' must be a string.`);
  if (text.trim() === "") throw new InvalidRequestError(`'${field}' is empty: there is nothing to speak.`);
  if (!/[\p{L}\p{N}]/u.test(text)) {
    throw new InvalidRequestError(`'${field}' has no letters or digits: there is nothing to speak.`);
  }
  if ([...text].length > limit) {
    throw new PayloadTooLargeError(
      `'${field}' is ${[...text].length} characters long; the limit is ${limit} per request. Split it into several requests.`,
    );
  }
  return text;
}
