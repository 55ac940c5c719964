/**
 * `stream=true`: the transcript as server-sent events while the audio is recognised. The audio is cut at its
 * pauses (as for any request), every piece is recognised at once over the worker pool, and each piece's text
 * goes out as a `transcript.text.delta` as soon as it and the pieces before it are done; `transcript.text.done`
 * carries the whole text (the deltas joined). Each piece's text is built by the same response builder as a
 * whole file's, so formatting applies piece by piece.
 */
import { stitchTranscript } from "@earshot/engine";
import type { OpenAiTranscriptionStreamEvent } from "@earshot/protocol";
import type { FastifyReply } from "fastify";
import type { ServerEngine } from "../engine.js";
import { toEarshotError } from "../errors.js";
import { type ListenRequest, transcribeOptionsOf } from "../listen/request.js";
import { buildListenResponse } from "../listen/response.js";
import { noteUsage } from "../usage/telemetry.js";
import { openAiErrorBody } from "./errors.js";
import { durationUsage, logprobsOf } from "./transcription.js";

export async function streamTranscription(
  reply: FastifyReply,
  engine: ServerEngine,
  audio: Uint8Array,
  listen: ListenRequest,
  options: { requestId: string; logprobs: boolean; signal?: AbortSignal | undefined },
): Promise<FastifyReply> {
  const { model: name, language, raw } = transcribeOptionsOf(listen);
  const { model, aliasOf } = engine.registry.resolve(name, language);
  engine.checkCapacity();
  // Decoding errors (not audio, unsupported codec) are still a plain 400 before the event stream starts.
  const prepared = await engine.prepare(audio, { raw, multichannel: false });
  noteUsage(reply.request, { models: [model.name], audioSeconds: prepared.duration });
  reply.hijack();
  reply.raw.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "x-request-id": options.requestId,
  });
  const send = (event: OpenAiTranscriptionStreamEvent | ReturnType<typeof openAiErrorBody>): void => {
    reply.raw.write(`data: ${JSON.stringify(event)}\n\n`);
  };
  const pieces = prepared.channels[0] ?? [];
  // A client that goes away stops the work: the pieces still waiting for a worker are dropped.
  const { signal } = options;
  const recognised = engine.recognizePieces(
    pieces.map((piece) => piece.pcm),
    { model: name, language, signal },
  );
  try {
    let text = "";
    let index = 0;
    for await (const { words } of recognised) {
      const piece = stitchTranscript({ ...prepared, channels: [[pieces[index++]!]] }, () => words, { model, aliasOf });
      const alternative = buildListenResponse(options.requestId, listen.options, piece).results.channels[0]!
        .alternatives[0]!;
      if (!alternative.transcript) continue;
      const delta = text ? ` ${alternative.transcript}` : alternative.transcript;
      text += delta;
      send({
        type: "transcript.text.delta",
        delta,
        ...(options.logprobs ? { logprobs: logprobsOf(alternative.words) } : {}),
      });
    }
    send({ type: "transcript.text.done", text, usage: durationUsage(prepared.duration) });
  } catch (err) {
    if (!signal?.aborted) send(openAiErrorBody(toEarshotError(err)));
  }
  reply.raw.end();
  return reply;
}
