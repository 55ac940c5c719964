/** `POST /v1/speak`: JSON `{"text"}` in, audio out as it is synthesised, in the format the query asks for. */
import type { SpeechSynthesis } from "@earshot/engine";
import {
  EarshotError,
  mediaTypeOf,
  parseSpeakOptions,
  SpeakOptionsSchema,
  SpeakRequestSchema,
  speakTextOf,
} from "@earshot/protocol";
import type { FastifyInstance } from "fastify";
import { sendAudio } from "../speak/stream-audio.js";
import { noteUsage } from "../usage/telemetry.js";

/** What synthesis answers with: audio in the requested container or encoding. */
export const AUDIO_RESPONSE = { binary: ["audio/*"], description: "The audio, streamed as it is synthesised." };

export function speakRoutes(app: FastifyInstance, speech: SpeechSynthesis): void {
  app.post(
    "/v1/speak",
    {
      config: {
        docs: {
          tag: "Speak",
          summary: "Synthesise speech from text",
          query: SpeakOptionsSchema,
          body: { json: SpeakRequestSchema },
          responses: { 200: AUDIO_RESPONSE },
        },
      },
    },
    async (request, reply) => {
      const { options, format } = parseSpeakOptions(request.query as Record<string, unknown>, "rest");
      if (Buffer.isBuffer(request.body)) {
        throw new EarshotError(
          415,
          "UNSUPPORTED_MEDIA_TYPE",
          'Send the text as JSON {"text": "…"} with Content-Type: application/json.',
        );
      }
      const text = speakTextOf(request.body);
      const { voice } = speech.registry.resolveVoice(options.model);
      noteUsage(request, { models: [voice.name], characters: [...text].length });
      const audio = speech.speak(text, { voice, format, speed: options.speed });
      return sendAudio(reply, audio, {
        "content-type": mediaTypeOf(format),
        "dg-model-name": voice.name,
        "dg-model-uuid": voice.uuid,
        "dg-char-count": String([...text].length),
      });
    },
  );
}
