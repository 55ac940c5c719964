/**
 * AssemblyAI's v2 pre-recorded API on the job engine, enough for the official `assemblyai` SDK pointed at
 * `<server>/assemblyai` (`baseUrl`): upload raw bytes, submit a transcript, poll it, read its sentences,
 * paragraphs and subtitles, list and delete. Under its own prefix because Gladia's API owns `/v2/upload`.
 * Errors are AssemblyAI's `{"error": message}`; the key comes as AssemblyAI sends it, `Authorization: <key>`.
 */
import {
  ASSEMBLYAI_PREFIX,
  AssemblyAiCaptionsQuerySchema,
  AssemblyAiErrorBodySchema,
  type AssemblyAiList,
  AssemblyAiListQuerySchema,
  AssemblyAiListSchema,
  type AssemblyAiParagraphs,
  AssemblyAiParagraphsSchema,
  type AssemblyAiSentences,
  AssemblyAiSentencesSchema,
  type AssemblyAiTranscript,
  AssemblyAiTranscriptRequestSchema,
  AssemblyAiTranscriptSchema,
  type AssemblyAiUpload,
  AssemblyAiUploadSchema,
  InvalidRequestError,
  type JobStatus,
  type ListenResponse,
  NotFoundError,
  parseQuery,
  toSRT,
  toWebVTT,
} from "@earshot/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { assemblyAiListenOptions } from "../assemblyai/request.js";
import {
  type AssemblyAiMeta,
  assemblyAiListItem,
  assemblyAiParagraphs,
  assemblyAiSentences,
  assemblyAiTranscript,
} from "../assemblyai/view.js";
import type { ServerEngine } from "../engine.js";
import { toEarshotError } from "../errors.js";
import type { JobRecord } from "../jobs/record.js";
import { type JobService, ownerOf } from "../jobs/service.js";
import { type AudioSource, listenRequest } from "../listen/request.js";
import { familyDocs } from "../openapi/route-docs.js";
import { saveUpload, uploadBytes, uploadDescription, uploadSource } from "../storage/uploads.js";
import { noteUsage } from "../usage/telemetry.js";
import { originOf } from "./jobs.js";
import { AUDIO_BODY } from "./listen.js";

export interface AssemblyAiDeps {
  jobs: JobService;
  engine: ServerEngine;
}

const base = (request: FastifyRequest): string => `${originOf(request)}${ASSEMBLYAI_PREFIX}/v2`;
const UPLOAD_URL = new RegExp(`${ASSEMBLYAI_PREFIX}/v2/upload/([0-9a-f-]{36})$`);

const STATUS_FILTER: Record<string, JobStatus> = {
  queued: "queued",
  processing: "processing",
  completed: "done",
  error: "error",
};

/** A completed transcript's result, or AssemblyAI's 400 for a transcript that has none yet. */
function resultOf(job: JobRecord): ListenResponse {
  if (job.result) return job.result;
  throw new InvalidRequestError(
    `Transcript ${job.id} is ${job.status === "error" ? "in error" : "not completed yet"}.`,
  );
}

const IdParamsSchema = z.object({ id: z.string().describe("The transcript's id.") });

const docs = familyDocs("AssemblyAI", AssemblyAiErrorBodySchema);

export async function assemblyAiRoutes(app: FastifyInstance, deps: AssemblyAiDeps): Promise<void> {
  app.setErrorHandler((error, request, reply) => {
    const earshot = toEarshotError(error);
    if (earshot.status >= 500) request.log.error({ err: error }, "request failed");
    if (earshot.retryAfter !== undefined) reply.header("retry-after", String(earshot.retryAfter));
    return reply.status(earshot.status).send({ error: earshot.message });
  });

  const upload = docs({
    summary: "Upload a file, for a transcript's `audio_url`",
    body: { binary: AUDIO_BODY.binary },
    responses: { 200: AssemblyAiUploadSchema },
  });
  app.post("/v2/upload", { config: upload }, async (request): Promise<AssemblyAiUpload> => {
    const bytes = request.body;
    if (!Buffer.isBuffer(bytes) || bytes.byteLength === 0) {
      throw new InvalidRequestError("Send the file's bytes as the body (Content-Type: application/octet-stream).");
    }
    const { id } = await saveUpload(
      deps.jobs.blobs,
      bytes,
      () => ({ size: bytes.byteLength }),
      request.principal?.projectId,
    );
    return { upload_url: `${base(request)}/upload/${id}` };
  });

  const file = docs({
    summary: "An uploaded file",
    params: z.object({ id: z.string().describe("The upload's id.") }),
    responses: { 200: { binary: ["application/octet-stream"], description: "The file." } },
  });
  app.get<{ Params: { id: string } }>("/v2/upload/:id", { config: file }, async (request, reply) => {
    const bytes = await uploadBytes(deps.jobs.blobs, request.params.id, request.principal?.projectId);
    if (!bytes) throw new NotFoundError(`No uploaded file ${request.params.id}.`);
    return reply.type("application/octet-stream").send(Buffer.from(bytes));
  });

  const submit = docs({
    summary: "Submit a transcript",
    description:
      "The audio is fetched from `audio_url` (or read from an upload) and transcribed as a job; poll the transcript until `completed` or `error`, or have `webhook_url` told.",
    body: { json: AssemblyAiTranscriptRequestSchema },
    responses: { 200: AssemblyAiTranscriptSchema },
  });
  app.post("/v2/transcript", { config: submit }, async (request): Promise<AssemblyAiTranscript> => {
    noteUsage(request, { method: "async" });
    const parsed = AssemblyAiTranscriptRequestSchema.safeParse(request.body);
    if (!parsed.success) {
      throw new InvalidRequestError(
        parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "),
      );
    }
    const { webhook_auth_header_value: value, ...body } = parsed.data;
    const name = body.webhook_auth_header_name;
    if ((name && !value) || (!name && value)) {
      throw new InvalidRequestError("webhook_auth_header_name and webhook_auth_header_value go together.");
    }
    const options = assemblyAiListenOptions(body, deps.engine);
    // Our own upload URLs point at audio already in the blob store; anything else is fetched by the worker.
    const upload = body.audio_url.match(UPLOAD_URL)?.[1];
    let audio: AudioSource = { type: "url", url: body.audio_url };
    if (upload) {
      const file = await uploadDescription(deps.jobs.blobs, upload, request.principal?.projectId);
      if (!file)
        throw new InvalidRequestError(`No uploaded file ${upload} (uploads are kept for the retention period).`);
      audio = uploadSource(upload, file.size);
    }
    const meta: AssemblyAiMeta = { request: body, ...(name && value ? { webhook_auth: { name, value } } : {}) };
    const job = await deps.jobs.submit({
      id: request.id,
      kind: "assemblyai",
      owner: ownerOf(request.principal),
      listen: listenRequest(options, audio, body.webhook_url ? { url: body.webhook_url, method: "POST" } : undefined),
      meta: meta as unknown as Record<string, unknown>,
    });
    return assemblyAiTranscript(job);
  });

  const list = docs({
    summary: "List transcripts, newest first",
    query: AssemblyAiListQuerySchema,
    responses: { 200: AssemblyAiListSchema },
  });
  app.get("/v2/transcript", { config: list }, async (request): Promise<AssemblyAiList> => {
    const query = parseQuery(AssemblyAiListQuerySchema, request.query as Record<string, unknown>);
    // Pages are cut by offset; `next_url`/`prev_url` carry it, so the SDK's `list(url)` pages through.
    const { offset } = query;
    const statuses = query.status ? [STATUS_FILTER[query.status]!] : undefined;
    const { jobs, total } = await deps.jobs.list({
      statuses,
      limit: query.limit,
      offset,
      projectId: request.principal?.projectId,
    });
    const page = (at: number): string => {
      const url = new URL(`${base(request)}/transcript`);
      url.searchParams.set("limit", String(query.limit));
      if (query.status) url.searchParams.set("status", query.status);
      url.searchParams.set("offset", String(at));
      return url.href;
    };
    return {
      page_details: {
        limit: query.limit,
        result_count: jobs.length,
        current_url: page(offset),
        prev_url: offset > 0 ? page(Math.max(0, offset - query.limit)) : null,
        next_url: offset + jobs.length < total ? page(offset + query.limit) : null,
      },
      transcripts: jobs.map((job) => assemblyAiListItem(job, `${base(request)}/transcript/${job.id}`)),
    };
  });

  const transcript = docs({
    summary: "A transcript, with its result once completed",
    params: IdParamsSchema,
    responses: { 200: AssemblyAiTranscriptSchema },
  });
  app.get<{ Params: { id: string } }>("/v2/transcript/:id", { config: transcript }, async (request) =>
    assemblyAiTranscript(await deps.jobs.get(request.params.id, request.principal)),
  );

  const sentences = docs({
    summary: "A completed transcript's sentences",
    params: IdParamsSchema,
    responses: { 200: AssemblyAiSentencesSchema },
  });
  app.get<{ Params: { id: string } }>(
    "/v2/transcript/:id/sentences",
    { config: sentences },
    async (request): Promise<AssemblyAiSentences> => {
      const job = await deps.jobs.get(request.params.id, request.principal);
      return assemblyAiSentences(job, resultOf(job));
    },
  );

  const paragraphs = docs({
    summary: "A completed transcript's paragraphs",
    params: IdParamsSchema,
    responses: { 200: AssemblyAiParagraphsSchema },
  });
  app.get<{ Params: { id: string } }>(
    "/v2/transcript/:id/paragraphs",
    { config: paragraphs },
    async (request): Promise<AssemblyAiParagraphs> => {
      const job = await deps.jobs.get(request.params.id, request.principal);
      return assemblyAiParagraphs(job, resultOf(job));
    },
  );

  for (const format of ["srt", "vtt"] as const) {
    const captions = docs({
      summary: `A completed transcript as ${format === "srt" ? "SubRip" : "WebVTT"} captions`,
      params: IdParamsSchema,
      query: AssemblyAiCaptionsQuerySchema,
      responses: { 200: { binary: ["text/plain"], description: `The captions, ${format.toUpperCase()}.` } },
    });
    app.get<{ Params: { id: string } }>(
      `/v2/transcript/:id/${format}`,
      { config: captions },
      async (request, reply) => {
        const { chars_per_caption: chars } = parseQuery(
          AssemblyAiCaptionsQuerySchema,
          request.query as Record<string, unknown>,
        );
        const response = resultOf(await deps.jobs.get(request.params.id, request.principal));
        const options = chars ? { lineLength: chars, maxLines: 1 } : {};
        const text = format === "srt" ? toSRT(response, options) : toWebVTT(response, options);
        return reply.type("text/plain; charset=utf-8").send(text);
      },
    );
  }

  // AssemblyAI answers a deletion with the transcript, its text and words gone. Deleting is housekeeping, not usage.
  const remove = {
    endpoint: false as const,
    ...docs({
      summary: "Delete a transcript's audio and result",
      params: IdParamsSchema,
      responses: { 200: AssemblyAiTranscriptSchema },
    }),
  };
  app.delete<{ Params: { id: string } }>(
    "/v2/transcript/:id",
    { config: remove },
    async (request): Promise<AssemblyAiTranscript> => {
      const job = await deps.jobs.get(request.params.id, request.principal);
      await deps.jobs.delete(job.id, request.principal);
      return assemblyAiTranscript({ ...job, result: null });
    },
  );
}
