/**
 * Reading a multipart body. Busboy reports a malformed body (no boundary, a broken part header, the form cut
 * short) as a plain `Error`, which would leave as a 500: here it is the client's 400.
 */
import { EarshotError, InvalidRequestError } from "@earshot/protocol";

export async function readingMultipart<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    // Ours, or @fastify/multipart's own (file too large, not multipart), which carry their status.
    if (err instanceof EarshotError || typeof (err as { statusCode?: unknown }).statusCode === "number") throw err;
    throw new InvalidRequestError(`The multipart body could not be read: ${(err as Error).message}.`, undefined, {
      cause: err,
    });
  }
}
