/** OpenAI's `POST /v1/audio/speech` request and error body. */
import { z } from "zod";
import { OPENAI_RESPONSE_FORMATS } from "./format.js";
import { SPEED_RANGE } from "./options.js";

/** OpenAI's own limit on `input`. */
export const OPENAI_SPEECH_INPUT_LIMIT = 4096;

export const OpenAiSpeechRequestSchema = z.object({
  model: z.string().optional(),
  input: z.unknown().optional(),
  // A voice is a name, or `{"id": …}` for custom voices.
  voice: z.union([z.string().min(1), z.object({ id: z.string().min(1) })]),
  instructions: z.string().optional(),
  response_format: z.enum(OPENAI_RESPONSE_FORMATS).default("mp3"),
  speed: z.number().min(SPEED_RANGE.min).max(SPEED_RANGE.max).default(1),
  stream_format: z.enum(["audio", "sse"]).default("audio"),
});
export type OpenAiSpeechRequest = z.output<typeof OpenAiSpeechRequestSchema>;

export const OpenAiErrorBodySchema = z.object({
  error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }),
});
export type OpenAiErrorBody = z.infer<typeof OpenAiErrorBodySchema>;
