/**
 * OpenAI-compatible speech-to-text, for clients built on the `openai` package: `POST /v1/audio/transcriptions`
 * and `/v1/audio/translations` (multipart). The fields map onto the one listen request every API family makes:
 * `model` picks an installed model of that name (any other name, `whisper-1` included, is served by the
 * default), `language` is the listen `language`. `prompt` and `temperature` cannot steer these recognisers:
 * `temperature` is echoed in segments, `prompt` is ignored. Register inside `openAiScope`, which answers errors
 * in OpenAI's shape.
 */
import {
  InvalidRequestError,
  OpenAiErrorBodySchema,
  OpenAiTranscriptionFormSchema,
  type OpenAiTranscriptionRequest,
  OpenAiTranscriptionRequestSchema,
  OpenAiTranscriptionSchema,
  OpenAiTranscriptionStreamEventSchema,
  OpenAiTranslationFormSchema,
  OpenAiTranslationRequestSchema,
  OpenAiVerboseTranscriptionSchema,
  parseListenOptions,
} from "@earshot/protocol";
import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { ServerEngine } from "../engine.js";
import { listenRequest, transcribeOptionsOf } from "../listen/request.js";
import { buildListenResponse } from "../listen/response.js";
import { translates, vendorModel } from "../listen/vendor-model.js";
import { blame, OpenAiParamError } from "../openai/errors.js";
import { readAudioForm } from "../openai/form.js";
import { streamTranscription } from "../openai/stream.js";
import { transcriptionBody } from "../openai/transcription.js";
import { familyDocs } from "../openapi/route-docs.js";
import { noteUsage } from "../usage/telemetry.js";

export interface OpenAiAudioDeps {
  engine: ServerEngine;
  /** Largest file accepted, bytes. */
  maxBytes: number;
}

function parseFields<S extends z.ZodType>(schema: S, fields: Record<string, unknown>): z.output<S> {
  const parsed = schema.safeParse(fields);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const param = String(issue.path[0] ?? "body");
  const message =
    issue.code === "invalid_type" && fields[param] === undefined
      ? `Missing required parameter: '${param}'.`
      : `Invalid value for '${param}': ${issue.message}`;
  throw new OpenAiParamError(param, new InvalidRequestError(message));
}

async function transcribe(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: OpenAiAudioDeps,
  task: "transcribe" | "translate",
) {
  const { file, fields } = await readAudioForm(request, deps.maxBytes);
  const body: OpenAiTranscriptionRequest =
    task === "transcribe"
      ? parseFields(OpenAiTranscriptionRequestSchema, fields)
      : { ...parseFields(OpenAiTranslationRequestSchema, fields), stream: false };
  const granularities = body.timestamp_granularities ?? [];
  if (granularities.length > 0 && body.response_format !== "verbose_json") {
    throw new OpenAiParamError(
      "timestamp_granularities",
      new InvalidRequestError("timestamp_granularities[] needs response_format=verbose_json."),
    );
  }
  const model = vendorModel(deps.engine, body.model);
  const options = parseListenOptions({
    utterances: "true",
    ...(model ? { model } : {}),
    ...(body.language ? { language: body.language } : {}),
  });
  // `model` is installed or none (the default), so a refusal here is about the language.
  const { model: resolved } = blame("language", () => deps.engine.registry.resolve(options.model, options.language));
  if (task === "translate" && !translates(resolved)) {
    const installed = deps.engine.registry
      .stt()
      .map((m) => m.name)
      .join(", ");
    throw new OpenAiParamError(
      "model",
      new InvalidRequestError(
        `Translation is not available here: no installed speech model translates (installed: ${installed}). ` +
          "A Whisper model translates to English; /v1/audio/transcriptions gives the text in the language spoken.",
        "translation_unsupported",
      ),
    );
  }
  const listen = listenRequest(options, { type: "bytes", bytes: file.bytes });
  reply.header("x-request-id", request.id);
  const logprobs = body.include?.includes("logprobs") ?? false;
  if (body.stream) {
    return streamTranscription(reply, deps.engine, file.bytes, listen, {
      requestId: request.id,
      logprobs,
      signal: request.clientGone,
    });
  }
  const transcript = await deps.engine.transcribe(file.bytes, {
    ...transcribeOptionsOf(listen),
    signal: request.clientGone,
  });
  noteUsage(request, { models: [transcript.model.name], audioSeconds: transcript.duration });
  const { body: answer, contentType } = transcriptionBody(buildListenResponse(request.id, options, transcript), {
    task,
    format: body.response_format,
    language: options.language ?? resolved.languages[0] ?? "en",
    temperature: body.temperature,
    granularities,
    logprobs,
  });
  return reply.type(contentType).send(answer);
}

const JSON_FORMATS = z.union([OpenAiTranscriptionSchema, OpenAiVerboseTranscriptionSchema]);
const TEXT_FORMATS = ["text/plain"];

const docs = familyDocs("OpenAI", OpenAiErrorBodySchema);

const transcriptionDocs = docs({
  summary: "Transcribe audio, as OpenAI's API does",
  description:
    "`response_format` picks the body: `json` and `verbose_json` are JSON, `text`, `srt` and `vtt` plain text. With `stream=true` the transcript comes as server-sent events, deltas then the whole text.",
  body: { multipart: OpenAiTranscriptionFormSchema },
  responses: {
    200: {
      description: "The transcript in the format asked for.",
      json: JSON_FORMATS,
      binary: TEXT_FORMATS,
      sse: OpenAiTranscriptionStreamEventSchema,
    },
  },
});

const translationDocs = docs({
  summary: "Translate speech into English text, as OpenAI's API does",
  description:
    "Needs an installed model that translates (a Whisper model); others answer 400. `response_format` picks the body as for transcriptions.",
  body: { multipart: OpenAiTranslationFormSchema },
  responses: {
    200: { description: "The English text in the format asked for.", json: JSON_FORMATS, binary: TEXT_FORMATS },
  },
});

export async function openAiAudioRoutes(app: FastifyInstance, deps: OpenAiAudioDeps): Promise<void> {
  // Multipart parsing exists only in this scope: Deepgram routes keep taking any body as audio bytes.
  await app.register(multipart, { limits: { fileSize: deps.maxBytes } });
  app.post("/v1/audio/transcriptions", { config: transcriptionDocs }, (request, reply) =>
    transcribe(request, reply, deps, "transcribe"),
  );
  app.post("/v1/audio/translations", { config: translationDocs }, (request, reply) =>
    transcribe(request, reply, deps, "translate"),
  );
}
