/**
 * `POST /v1/listen`: pre-recorded audio as the body, or `{"url": …}` as JSON. Answered on the connection, or,
 * with `callback=`, accepted at once and delivered later by the job engine. With `Accept:
 * application/x-ndjson` (PROGRESS_MEDIA_TYPE) the answer streams progress lines before the result.
 */
import {
  ListenAcceptedResponseSchema,
  ListenOptionsSchema,
  type ListenProgressEvent,
  ListenResponseSchema,
  PROGRESS_MEDIA_TYPE,
  UrlSourceSchema,
} from "@earshot/protocol";
import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import type { ServerEngine } from "../engine.js";
import { toEarshotError } from "../errors.js";
import { type JobService, ownerOf } from "../jobs/service.js";
import type { UrlFetcher } from "../listen/fetch-url.js";
import { parseListenRequest, transcribeOptionsOf } from "../listen/request.js";
import { buildListenResponse } from "../listen/response.js";
import { round3 } from "../round.js";
import { noteUsage } from "../usage/telemetry.js";

/** What a pre-recorded request may send: audio bytes of any type, or JSON `{"url"}`. */
export const AUDIO_BODY = { json: UrlSourceSchema, binary: ["audio/*", "video/*", "application/octet-stream"] };

/** Progress lines go out as the engine reports them, at most every 250 ms, and the last line carries the outcome. */
function progressStream(reply: FastifyReply, requestId: string) {
  reply.hijack();
  reply.raw.writeHead(200, {
    "content-type": PROGRESS_MEDIA_TYPE,
    "dg-request-id": requestId,
    "x-dg-request-id": requestId,
    "cache-control": "no-cache",
  });
  let last = 0;
  const write = (event: ListenProgressEvent): void => {
    reply.raw.write(`${JSON.stringify(event)}\n`);
  };
  return {
    progress(fraction: number): void {
      const now = Date.now();
      if (now - last < 250 && fraction < 1) return;
      last = now;
      write({ type: "progress", fraction: round3(fraction) });
    },
    end(event: ListenProgressEvent): void {
      write(event);
      reply.raw.end();
    },
  };
}

export function listenRoutes(
  app: FastifyInstance,
  deps: { engine: ServerEngine; urls: UrlFetcher; jobs: JobService },
): void {
  app.post(
    "/v1/listen",
    {
      config: {
        docs: {
          tag: "Listen",
          summary: "Transcribe pre-recorded audio",
          description:
            'The body is the audio, or JSON `{"url"}`. With `callback`, the answer is `{request_id}` at once and the result is posted there later. With `Accept: application/x-ndjson`, progress lines stream before the result.',
          query: ListenOptionsSchema,
          body: AUDIO_BODY,
          responses: { 200: z.union([ListenResponseSchema, ListenAcceptedResponseSchema]) },
        },
      },
    },
    async (request, reply) => {
      const listen = parseListenRequest(request.query, request.body);
      // Callback mode (Deepgram): answer with the id at once; the job engine delivers the response later.
      if (listen.callback) {
        const job = await deps.jobs.submit({
          id: request.id,
          kind: "listen",
          listen,
          owner: ownerOf(request.principal),
        });
        return { request_id: job.id };
      }
      const { options, audio } = listen;
      const signal = request.clientGone;
      const bytes = audio.type === "url" ? await deps.urls.fetch(audio.url, signal) : audio.bytes;
      const transcribe = async (onProgress?: (fraction: number) => void) => {
        const transcript = await deps.engine.transcribe(bytes, {
          ...transcribeOptionsOf(listen),
          onProgress,
          signal,
        });
        noteUsage(request, {
          models: [transcript.model.name],
          audioSeconds: transcript.duration,
          channels: transcript.channelCount,
        });
        return transcript;
      };
      if (!request.headers.accept?.includes(PROGRESS_MEDIA_TYPE)) {
        return buildListenResponse(request.id, options, await transcribe());
      }
      // Once the 200 is out, errors can only travel as the last line: refuse what we can before that.
      const { model, language } = transcribeOptionsOf(listen);
      deps.engine.registry.resolve(model, language);
      deps.engine.checkCapacity();
      const stream = progressStream(reply, request.id);
      try {
        const transcript = await transcribe((fraction) => stream.progress(fraction));
        stream.end({ type: "result", result: buildListenResponse(request.id, options, transcript) });
      } catch (err) {
        const error = toEarshotError(err);
        stream.end({ type: "error", status: error.status, error: error.toBody(request.id) });
      }
      return reply;
    },
  );
}
