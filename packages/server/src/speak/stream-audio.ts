/**
 * Sending synthesised audio as a chunked response. The first chunk is awaited before the status line goes out,
 * so anything that fails before audio exists (a synthesiser that cannot start) is still a proper error
 * response; after that, a failure can only cut the body short, which clients see as a broken transfer. A
 * client that hangs up stops the synthesis (the stream's generator is returned).
 */
import { Readable } from "node:stream";
import type { FastifyReply } from "fastify";

export async function sendAudio(
  reply: FastifyReply,
  audio: AsyncGenerator<Uint8Array>,
  headers: Record<string, string>,
): Promise<FastifyReply> {
  const first = await audio.next();
  async function* all(): AsyncGenerator<Uint8Array> {
    try {
      if (!first.done) yield first.value;
      yield* audio;
    } finally {
      await audio.return(undefined);
    }
  }
  reply.headers(headers);
  return reply.send(Readable.from(all(), { objectMode: false }));
}
