/** `POST /v1/listen`: pre-recorded audio as the body, or `{"url": …}` as JSON (speech-apis.md §1.3). */
import type { Engine, RawFormat } from "@earshot/engine";
import {
  InvalidRequestError,
  type ListenOptions,
  type ListenProgressEvent,
  PROGRESS_MEDIA_TYPE,
  parseListenOptions,
} from "@earshot/protocol";
import type { FastifyInstance, FastifyReply } from "fastify";
import { toEarshotError } from "../errors.js";
import type { JobService } from "../jobs/service.js";
import type { UrlFetcher } from "../listen/fetch-url.js";
import { buildListenResponse } from "../listen/response.js";
import { callbackOf, jobAudio } from "./jobs.js";

/** Headerless audio needs its format spelled out; containers ignore these options. */
export function rawFormat(options: ListenOptions): RawFormat | undefined {
  if (!options.encoding) return undefined;
  if (!options.sample_rate) {
    throw new InvalidRequestError(`encoding=${options.encoding} requires sample_rate for headerless audio.`);
  }
  return { encoding: options.encoding, sampleRate: options.sample_rate, channels: options.channels ?? 1 };
}

async function audioFromBody(body: unknown, urls: UrlFetcher): Promise<Uint8Array> {
  if (Buffer.isBuffer(body)) return body;
  if (body && typeof body === "object" && "url" in body && typeof body.url === "string") return urls.fetch(body.url);
  throw new InvalidRequestError(
    'A JSON body must be {"url": "https://…"}; send audio bytes with any other Content-Type.',
  );
}

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
      write({ type: "progress", fraction: Math.round(fraction * 1000) / 1000 });
    },
    end(event: ListenProgressEvent): void {
      write(event);
      reply.raw.end();
    },
  };
}

export function listenRoutes(app: FastifyInstance, deps: { engine: Engine; urls: UrlFetcher; jobs: JobService }): void {
  app.post("/v1/listen", async (request, reply) => {
    const options = parseListenOptions(request.query as Record<string, unknown>);
    // Callback mode (Deepgram): answer with the id at once; the job engine delivers the response later.
    if (options.callback) {
      const job = await deps.jobs.submit({
        id: request.id,
        kind: "listen",
        options,
        ...jobAudio(request.body),
        callback: callbackOf(options),
      });
      return { request_id: job.id };
    }
    const raw = rawFormat(options);
    const audio = await audioFromBody(request.body, deps.urls);
    const transcribe = (onProgress?: (fraction: number) => void) =>
      deps.engine.transcribe(audio, {
        model: options.model,
        language: options.language,
        raw,
        multichannel: options.multichannel,
        onProgress,
      });
    if (!request.headers.accept?.includes(PROGRESS_MEDIA_TYPE)) {
      return buildListenResponse(request.id, options, await transcribe());
    }
    // Once the 200 is out, errors can only travel as the last line: refuse what we can before that.
    deps.engine.registry.resolve(options.model, options.language);
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
  });
}
