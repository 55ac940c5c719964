/** JSON request bodies checked against their protocol schema: a 400 in the API's error body names each problem. */
import { ErrorCode, InvalidRequestError } from "@earshot/protocol";
import type { z } from "zod";

export function parseBody<S extends z.ZodType>(schema: S, body: unknown, { optional = false } = {}): z.output<S> {
  if (Buffer.isBuffer(body)) {
    throw new InvalidRequestError("Send the body as JSON, with Content-Type: application/json.", ErrorCode.InvalidJson);
  }
  const parsed = schema.safeParse(body === undefined && optional ? {} : body);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`);
  throw new InvalidRequestError(`Invalid request body: ${problems.join("; ")}.`);
}
