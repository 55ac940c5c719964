/**
 * Query-string value schemas. Deepgram sends booleans as `true`/`false`, numbers as decimals and lists as
 * repeated keys; in-process callers pass the typed values. Each schema accepts both, so the server and the
 * SDK share one definition of every option.
 */
import { z } from "zod";
import { ErrorCode, InvalidRequestError } from "./errors.js";

const single = (v: unknown): unknown => (Array.isArray(v) ? v[v.length - 1] : v);

export const queryBool = z.preprocess((v) => {
  const s = single(v);
  if (s === "true" || s === "1" || s === "") return true;
  if (s === "false" || s === "0") return false;
  return s;
}, z.boolean());

export const queryNumber = z.preprocess((v) => {
  const s = single(v);
  return typeof s === "string" && s.trim() !== "" ? Number(s) : s;
}, z.number().finite());

export const queryInt = z.preprocess((v) => {
  const s = single(v);
  return typeof s === "string" && s.trim() !== "" ? Number(s) : s;
}, z.number().int());

export const queryString = z.preprocess(single, z.string().min(1));

export const queryList = z.preprocess(
  (v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]),
  z.array(z.string()),
);

/** `key:value` pairs such as `extra=team:research`; the first colon splits. */
export const queryPairs = queryList.pipe(
  z.array(z.string().refine((s) => s.indexOf(":") > 0, { message: "expected key:value" })),
);

/** Parse query options with `schema`; a failure becomes one 400 naming each bad option and why. */
export function parseQuery<S extends z.ZodType>(schema: S, query: Record<string, unknown>): z.output<S> {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = issue.path.join(".");
    const raw = issue.path.length > 0 ? query[String(issue.path[0])] : undefined;
    return `${key}=${JSON.stringify(raw)}: ${issue.message}`;
  });
  throw new InvalidRequestError(`Invalid query parameter(s): ${problems.join("; ")}`, ErrorCode.InvalidQuery);
}
