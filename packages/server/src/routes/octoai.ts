/**
 * An OctoAI-style Whisper endpoint, for code written against OctoAI's SDKs (`client.infer`, `infer_async`,
 * `is_future_ready`, `get_future_result`, `health_check`): the endpoint URL is `<server>/predict`, its health
 * check `<server>/healthcheck`. Sent with `X-OctoAI-Async: 1`, a request becomes a job (a "future") whose poll
 * URL says pending, running, completed or failed, and whose result is fetched from the URL the poll gives; it is
 * kept for the job retention period (24 h by default) and then answers 404 saying it expired. Errors are
 * OctoAI's `{"detail": message}`. The wire shapes, and what they are reconstructed from, are in the protocol.
 */
import {
  EarshotError,
  InvalidRequestError,
  OCTOAI_ASYNC_HEADER,
  OctoAiErrorBodySchema,
  type OctoAiFuture,
  OctoAiFutureSchema,
  type OctoAiHealth,
  OctoAiHealthSchema,
  type OctoAiPoll,
  OctoAiPollSchema,
  OctoAiPredictHeadersSchema,
  type OctoAiWhisperRequest,
  OctoAiWhisperRequestSchema,
  type OctoAiWhisperResponse,
  OctoAiWhisperResponseSchema,
  parseListenOptions,
} from "@earshot/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { ServerEngine } from "../engine.js";
import { toEarshotError } from "../errors.js";
import { addJsonParser } from "../http/json-body.js";
import { type JobService, ownerOf } from "../jobs/service.js";
import { listenRequest, transcribeOptionsOf } from "../listen/request.js";
import { buildListenResponse } from "../listen/response.js";
import { translates } from "../listen/vendor-model.js";
import { octoAiPoll, octoAiWhisperResponse } from "../octoai/view.js";
import { familyDocs } from "../openapi/route-docs.js";
import { noteUsage } from "../usage/telemetry.js";
import { originOf } from "./jobs.js";

export interface OctoAiDeps {
  engine: ServerEngine;
  jobs: JobService;
  /** Largest request body, bytes: the audio comes base64 in the JSON. */
  maxBytes: number;
}

/** `audio` as bytes: base64, with or without a `data:…;base64,` prefix. */
function audioBytes(audio: string): Buffer {
  const bytes = Buffer.from(audio.replace(/^data:[^,]*,/, ""), "base64");
  if (bytes.byteLength === 0) throw new InvalidRequestError("'audio' is empty: send the audio file, base64.");
  return bytes;
}

function parseInputs(request: FastifyRequest, engine: ServerEngine): { body: OctoAiWhisperRequest; language: string } {
  const parsed = OctoAiWhisperRequestSchema.safeParse(request.body);
  if (!parsed.success) {
    throw new InvalidRequestError(
      parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "),
    );
  }
  const body = parsed.data;
  const { model } = engine.registry.resolve(undefined, body.language ?? undefined);
  if (body.task === "translate" && !translates(model)) {
    throw new InvalidRequestError(
      `task=translate is not available here: no installed speech model translates (the default is ${model.name}). ` +
        'A Whisper model translates to English; "task": "transcribe" gives the text in the language spoken.',
    );
  }
  return { body, language: body.language ?? model.languages[0] ?? "en" };
}

const docs = familyDocs("OctoAI", OctoAiErrorBodySchema);
const IdParamsSchema = z.object({ id: z.string().describe("The inference's `response_id`.") });

export async function octoAiRoutes(app: FastifyInstance, deps: OctoAiDeps): Promise<void> {
  // The audio travels base64 in the JSON body, so this scope takes JSON as large as any audio body.
  app.removeContentTypeParser("application/json");
  addJsonParser(app, deps.maxBytes);
  app.setErrorHandler((error, request, reply) => {
    const earshot = toEarshotError(error);
    if (earshot.status >= 500) request.log.error({ err: error }, "request failed");
    if (earshot.retryAfter !== undefined) reply.header("retry-after", String(earshot.retryAfter));
    return reply.status(earshot.status).send({ detail: earshot.message });
  });

  // Load balancers and OctoAI's `health_check` poll this; it needs no key, like /v1/status.
  const health = { public: true, ...docs({ summary: "Health check", responses: { 200: OctoAiHealthSchema } }) };
  app.get("/healthcheck", { config: health }, async (): Promise<OctoAiHealth> => ({ healthy: "yes" }));

  const predict = docs({
    summary: "Transcribe or translate audio with Whisper's inputs and outputs",
    description:
      "The audio comes base64 in the JSON body. With `X-OctoAI-Async: 1` the inference is queued: the answer is 201 with its `poll_url`.",
    headers: OctoAiPredictHeadersSchema,
    body: { json: OctoAiWhisperRequestSchema },
    responses: { 200: OctoAiWhisperResponseSchema, 201: OctoAiFutureSchema },
  });
  app.post("/predict", { config: predict }, async (request, reply): Promise<OctoAiWhisperResponse | OctoAiFuture> => {
    const { body, language } = parseInputs(request, deps.engine);
    const options = parseListenOptions({ utterances: "true", ...(body.language ? { language: body.language } : {}) });
    const audio = audioBytes(body.audio);
    const listen = listenRequest(options, { type: "bytes", bytes: audio });
    if (request.headers[OCTOAI_ASYNC_HEADER] === "1") {
      noteUsage(request, { method: "async" });
      const job = await deps.jobs.submit({
        id: request.id,
        kind: "octoai",
        owner: ownerOf(request.principal),
        listen,
        meta: { task: body.task, language },
      });
      reply.status(201);
      return { response_id: job.id, poll_url: `${originOf(request)}/v1/requests/${job.id}` };
    }
    const transcript = await deps.engine.transcribe(audio, {
      ...transcribeOptionsOf(listen),
      signal: request.clientGone,
    });
    noteUsage(request, { models: [transcript.model.name], audioSeconds: transcript.duration });
    return octoAiWhisperResponse(buildListenResponse(request.id, options, transcript), language);
  });

  const poll = docs({
    summary: "An inference's status: pending, running, completed or failed",
    params: IdParamsSchema,
    responses: { 200: OctoAiPollSchema },
  });
  app.get<{ Params: { id: string } }>("/v1/requests/:id", { config: poll }, async (request): Promise<OctoAiPoll> => {
    const job = await deps.jobs.get(request.params.id, request.principal);
    return octoAiPoll(job, `${originOf(request)}/v1/responses/${job.id}`);
  });

  const result = docs({
    summary: "A completed inference's result",
    description: "425 while it is not completed; 404 once the job retention period has passed.",
    params: IdParamsSchema,
    responses: { 200: OctoAiWhisperResponseSchema },
  });
  app.get<{ Params: { id: string } }>(
    "/v1/responses/:id",
    { config: result },
    async (request): Promise<OctoAiWhisperResponse> => {
      const job = await deps.jobs.get(request.params.id, request.principal);
      if (job.error) throw new EarshotError(job.error.status, job.error.err_code, job.error.err_msg);
      // 425 Too Early: what OctoAI answered for a result asked for before it was ready.
      if (!job.result) throw new EarshotError(425, "TOO_EARLY", `Inference ${job.id} is ${job.status}, not completed.`);
      return octoAiWhisperResponse(job.result, String(job.meta.language));
    },
  );
}
