/**
 * OpenAI-compatible `POST /v1/audio/speech`, for clients built on the `openai` package.
 * `voice` picks the voice (OpenAI's names map to ours, see the engine's alias table, and our own names work
 * too); `model` is accepted and ignored, since every voice here is its own model; `instructions` cannot steer
 * these synthesisers and is ignored.
 */
import type { SpeechSynthesis } from "@earshot/engine";
import {
  checkSpeakText,
  InvalidRequestError,
  mediaTypeOf,
  OPENAI_SPEECH_INPUT_LIMIT,
  OpenAiErrorBodySchema,
  OpenAiSpeechRequestSchema,
  openAiFormat,
} from "@earshot/protocol";
import type { FastifyInstance } from "fastify";
import { blame, OpenAiParamError } from "../openai/errors.js";
import { sendAudio } from "../speak/stream-audio.js";
import { noteUsage } from "../usage/telemetry.js";
import { AUDIO_RESPONSE } from "./speak.js";

export function openAiSpeechRoutes(app: FastifyInstance, speech: SpeechSynthesis): void {
  app.post(
    "/v1/audio/speech",
    {
      config: {
        docs: {
          tag: "OpenAI",
          summary: "Synthesise speech, as OpenAI's API does",
          body: { json: OpenAiSpeechRequestSchema },
          responses: { 200: AUDIO_RESPONSE },
          errorBody: OpenAiErrorBodySchema,
        },
      },
    },
    async (request, reply) => {
      if (!request.body || typeof request.body !== "object" || Buffer.isBuffer(request.body)) {
        throw new InvalidRequestError("The body must be a JSON object sent with Content-Type: application/json.");
      }
      const parsed = OpenAiSpeechRequestSchema.safeParse(request.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const param = issue.path.join(".");
        throw new OpenAiParamError(param, new InvalidRequestError(`Invalid '${param}': ${issue.message}`));
      }
      const body = parsed.data;
      const input = blame("input", () => checkSpeakText(body.input, "input", OPENAI_SPEECH_INPUT_LIMIT));
      if (body.stream_format === "sse") {
        throw new OpenAiParamError(
          "stream_format",
          new InvalidRequestError("stream_format=sse is not supported by this server; use 'audio' (the default)."),
        );
      }
      const { voice } = blame("voice", () =>
        speech.registry.resolveVoice(typeof body.voice === "string" ? body.voice : body.voice.id),
      );
      const format = openAiFormat(body.response_format);
      noteUsage(request, { models: [voice.name], characters: [...input].length });
      const audio = speech.speak(input, { voice, format, speed: body.speed });
      return sendAudio(reply, audio, { "content-type": mediaTypeOf(format), "x-request-id": request.id });
    },
  );
}
