/**
 * Gladia's v2 pre-recorded API on the job engine, enough for the official `@gladiaio/sdk`:
 * upload (multipart `audio`, or `{audio_url}` to import), create a job, poll it, list, delete. Errors use
 * Gladia's body. Every Gladia job asks for utterances, since its result is built from them.
 */
import {
  type EarshotError,
  type GladiaAudioMetadata,
  type GladiaCreateRequest,
  GladiaCreateRequestSchema,
  type GladiaCreateResponse,
  GladiaCreateResponseSchema,
  type GladiaErrorBody,
  GladiaErrorBodySchema,
  type GladiaJob,
  GladiaJobSchema,
  GladiaListQuerySchema,
  type GladiaListResponse,
  GladiaListResponseSchema,
  GladiaUploadFormSchema,
  type GladiaUploadResponse,
  GladiaUploadResponseSchema,
  InvalidRequestError,
  JOB_STATUSES,
  type JobStatus,
  ListOffsetSchema,
  NotFoundError,
  parseListenOptions,
  parseQuery,
} from "@earshot/protocol";
import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { toEarshotError } from "../errors.js";
import { gladiaView } from "../gladia/view.js";
import { readingMultipart } from "../http/multipart.js";
import { type JobService, ownerOf } from "../jobs/service.js";
import type { UrlFetcher } from "../listen/fetch-url.js";
import { type AudioSource, listenRequest } from "../listen/request.js";
import { familyDocs } from "../openapi/route-docs.js";
import { saveUpload, uploadBytes, uploadDescription, uploadSource } from "../storage/uploads.js";
import { noteUsage } from "../usage/telemetry.js";
import { originOf } from "./jobs.js";

export interface GladiaDeps {
  jobs: JobService;
  urls: UrlFetcher;
  maxBytes: number;
}

const UPLOAD_PATH = /\/v2\/files\/([0-9a-f-]{36})$/;

function gladiaError(request: FastifyRequest, error: EarshotError): GladiaErrorBody {
  return {
    timestamp: new Date().toISOString(),
    path: request.url.split("?")[0]!,
    request_id: `G-${request.id}`,
    statusCode: error.status,
    message: error.message,
    validation_errors: error.status === 400 ? [error.message] : [],
  };
}

async function readUpload(
  request: FastifyRequest,
  deps: GladiaDeps,
): Promise<{ bytes: Uint8Array; filename: string | null; source: string | null }> {
  if (request.isMultipart()) {
    return readingMultipart(async () => {
      const file = await request.file({ limits: { fileSize: deps.maxBytes, files: 1 } });
      if (file?.fieldname !== "audio") throw new InvalidRequestError("The multipart body needs an 'audio' file field.");
      const bytes = await file.toBuffer();
      if (file.file.truncated) throw new InvalidRequestError(`The file is over the ${deps.maxBytes}-byte limit.`);
      return { bytes, filename: file.filename || null, source: null };
    });
  }
  const body = request.body as { audio_url?: unknown } | undefined;
  if (typeof body?.audio_url !== "string") {
    throw new InvalidRequestError(
      'Send multipart/form-data with an \'audio\' file, or JSON {"audio_url": "https://…"}.',
    );
  }
  const bytes = await deps.urls.fetch(body.audio_url, request.clientGone);
  return { bytes, filename: new URL(body.audio_url).pathname.split("/").pop() || null, source: body.audio_url };
}

async function createJob(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: GladiaDeps,
): Promise<GladiaCreateResponse> {
  const parsed = GladiaCreateRequestSchema.safeParse(request.body);
  if (!parsed.success) {
    throw new InvalidRequestError(
      parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "),
    );
  }
  const options = parseListenOptions(gladiaListenQuery(parsed.data));
  const body = parsed.data;
  const callbackUrl = body.callback ? (body.callback_config?.url ?? body.callback_url) : body.callback_url;
  const callback = callbackUrl ? { url: callbackUrl, method: body.callback_config?.method ?? "POST" } : undefined;
  const meta: Record<string, unknown> = { request_params: body, custom_metadata: body.custom_metadata ?? null };
  // Our own upload URLs point at audio already in the blob store; anything else is fetched by the worker.
  const upload = body.audio_url.match(UPLOAD_PATH)?.[1];
  let audio: AudioSource;
  if (upload) {
    const file = await uploadDescription<GladiaAudioMetadata>(deps.jobs.blobs, upload, request.principal?.projectId);
    if (!file) throw new InvalidRequestError(`No uploaded file ${upload} (uploads are kept for the retention period).`);
    meta.file = {
      id: file.id,
      filename: file.filename,
      source: file.source,
      audio_duration: file.audio_duration,
      number_of_channels: file.number_of_channels,
    };
    audio = uploadSource(upload, file.size);
  } else {
    audio = { type: "url", url: body.audio_url };
  }
  const job = await deps.jobs.submit({
    id: request.id,
    kind: "gladia",
    owner: ownerOf(request.principal),
    listen: listenRequest(options, audio, callback),
    meta,
  });
  reply.status(201);
  return { id: job.id, result_url: `${originOf(request)}/v2/pre-recorded/${job.id}` };
}

/**
 * A Gladia request as Deepgram listen options. Gladia identifies the language unless exactly one is named
 * (`language_config.languages` with several is a candidate list); `diarization_config` bounds the speakers.
 */
function gladiaListenQuery(body: GladiaCreateRequest): Record<string, string | string[]> {
  const languages = body.language_config?.languages ?? (body.language ? [body.language] : []);
  // Gladia's transcripts are always punctuated and cased.
  const query: Record<string, string | string[]> = { utterances: "true", punctuate: "true" };
  if (languages.length === 1 && !body.detect_language) query.language = languages[0]!;
  else query.detect_language = languages.length ? languages : "true";
  if (body.diarization) {
    query.diarize = "true";
    const speakers = body.diarization_config;
    if (speakers?.number_of_speakers) query.num_speakers = String(speakers.number_of_speakers);
    if (speakers?.min_speakers) query.min_speakers = String(speakers.min_speakers);
    if (speakers?.max_speakers) query.max_speakers = String(speakers.max_speakers);
  }
  return query;
}

const IdParamsSchema = z.object({ id: z.string() });
const OffsetQuerySchema = z.object({ offset: ListOffsetSchema });
const AUDIO_FILE = { binary: ["application/octet-stream"], description: "The audio file." };

const gladia = familyDocs("Gladia", GladiaErrorBodySchema);

export async function gladiaRoutes(app: FastifyInstance, deps: GladiaDeps): Promise<void> {
  // Multipart parsing only exists inside this plugin: Deepgram routes keep taking any body as audio bytes.
  await app.register(multipart, { limits: { fileSize: deps.maxBytes } });
  app.setErrorHandler((error, request, reply) => {
    const earshot = toEarshotError(error);
    if (earshot.status >= 500) request.log.error({ err: error }, "request failed");
    return reply.status(earshot.status).send(gladiaError(request, earshot));
  });

  const upload = gladia({
    summary: "Upload audio (multipart `audio`), or import it from `{audio_url}`",
    body: { multipart: GladiaUploadFormSchema, json: z.object({ audio_url: z.url() }) },
    responses: { 200: GladiaUploadResponseSchema },
  });
  app.post("/v2/upload", { config: upload }, async (request): Promise<GladiaUploadResponse> => {
    const { bytes, filename, source } = await readUpload(request, deps);
    if (bytes.byteLength === 0) throw new InvalidRequestError("The uploaded file is empty.");
    const extension = filename?.includes(".") ? filename.split(".").pop()!.toLowerCase() : null;
    const metadata: GladiaAudioMetadata = await saveUpload(
      deps.jobs.blobs,
      bytes,
      () => ({
        filename,
        source,
        extension,
        size: bytes.byteLength,
        audio_duration: null,
        number_of_channels: null,
      }),
      request.principal?.projectId,
    );
    return { audio_url: `${originOf(request)}/v2/files/${metadata.id}`, audio_metadata: metadata };
  });

  const file = gladia({ summary: "An uploaded file", params: IdParamsSchema, responses: { 200: AUDIO_FILE } });
  app.get<{ Params: { id: string } }>("/v2/files/:id", { config: file }, async (request, reply) => {
    const bytes = await uploadBytes(deps.jobs.blobs, request.params.id, request.principal?.projectId);
    if (!bytes) throw new NotFoundError(`No uploaded file ${request.params.id}.`);
    return reply.type("application/octet-stream").send(Buffer.from(bytes));
  });

  for (const base of ["/v2/pre-recorded", "/v2/transcription"]) {
    const create = gladia({
      summary: "Create a transcription job",
      body: { json: GladiaCreateRequestSchema },
      responses: { 201: GladiaCreateResponseSchema },
    });
    app.post(base, { config: create }, (request, reply) => {
      noteUsage(request, { method: "async" });
      return createJob(request, reply, deps);
    });

    const list = gladia({
      summary: "List jobs",
      query: GladiaListQuerySchema,
      responses: { 200: GladiaListResponseSchema },
    });
    app.get(base, { config: list }, async (request): Promise<GladiaListResponse> => {
      const query = request.query as { offset?: string; limit?: string; status?: string | string[] };
      const { offset } = parseQuery(OffsetQuerySchema, query);
      const limit = Math.min(100, Math.max(1, Number(query.limit ?? 20) || 20));
      const statuses = [query.status ?? []]
        .flat()
        .filter((s): s is JobStatus => (JOB_STATUSES as readonly string[]).includes(s));
      const { jobs, total } = await deps.jobs.list({
        statuses,
        limit,
        offset,
        projectId: request.principal?.projectId,
      });
      const page = (at: number): string => {
        const url = new URL(`${originOf(request)}${base}`);
        url.searchParams.set("offset", String(at));
        url.searchParams.set("limit", String(limit));
        for (const status of statuses) url.searchParams.append("status", status);
        return url.href;
      };
      return {
        first: page(0),
        current: page(offset),
        next: offset + jobs.length < total ? page(offset + limit) : null,
        items: jobs.map(gladiaView),
      };
    });

    const job = gladia({
      summary: "A job, with its result once done",
      params: IdParamsSchema,
      responses: { 200: GladiaJobSchema },
    });
    app.get<{ Params: { id: string } }>(`${base}/:id`, { config: job }, async (request): Promise<GladiaJob> => {
      return gladiaView(await deps.jobs.get(request.params.id, request.principal));
    });

    const jobFile = gladia({ summary: "A job's audio", params: IdParamsSchema, responses: { 200: AUDIO_FILE } });
    app.get<{ Params: { id: string } }>(`${base}/:id/file`, { config: jobFile }, async (request, reply) => {
      const job = await deps.jobs.get(request.params.id, request.principal);
      const bytes = job.audioKey ? await deps.jobs.blobs.get(job.audioKey) : undefined;
      if (!bytes) throw new NotFoundError(`The audio of job ${job.id} is not stored here.`);
      return reply.type("application/octet-stream").send(Buffer.from(bytes));
    });

    // Gladia's SDK reads 202 as "deleted".
    const remove = {
      endpoint: false as const,
      ...gladia({
        summary: "Delete a job (202)",
        params: IdParamsSchema,
        responses: { 202: { empty: true as const, description: "Deleted." } },
      }),
    };
    app.delete<{ Params: { id: string } }>(`${base}/:id`, { config: remove }, async (request, reply) => {
      await deps.jobs.delete(request.params.id, request.principal);
      return reply.status(202).send();
    });
  }
}
