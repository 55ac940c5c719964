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
  z.array(z.string().refine((s) => s.indexOf(":") > 0, { message: "key:value pairs" })),
);

/** A value as an error message quotes it: strings in quotes, the last of repeated keys, lists item by item. */
export function quoteValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return `'${value}'`;
  return JSON.stringify(value) ?? String(value);
}

/**
 * What a value should have been, in words ("a number", "one of a, b", "at least 1"), from one zod issue. Query
 * options and `EARSHOT_*` settings both read their errors as "`name` must be …, got '…'".
 */
export function expectationOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.expected === "int") return "an integer";
      if (issue.expected === "boolean") return "true or false";
      if (issue.expected === "array") return "a list";
      if (issue.expected === "object") return "an object";
      return `a ${issue.expected}`;
    case "invalid_value":
      return `one of ${issue.values.map(String).join(", ")}`;
    case "too_small":
      if (issue.origin === "string") return "a non-empty string";
      return issue.inclusive ? `at least ${issue.minimum}` : `greater than ${issue.minimum}`;
    case "too_big":
      return issue.inclusive ? `at most ${issue.maximum}` : `less than ${issue.maximum}`;
    case "invalid_format":
      return issue.format === "url" ? "a URL" : `a valid ${issue.format}`;
    default:
      return issue.message;
  }
}

/** The value an issue is about, found in the raw input by the issue's path (an item of a repeated key included). */
function rawAt(input: Record<string, unknown>, path: readonly PropertyKey[]): unknown {
  const [key, index] = path;
  const value = input[String(key)];
  if (typeof index === "number") return Array.isArray(value) ? value[index] : value;
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/**
 * One sentence per issue: "`name` must be …, got '…'"; an issue about the whole input (a rule across options,
 * such as encoding needing sample_rate) is its own message.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: Record<string, unknown>): string[] {
  return issues.map((issue) => {
    if (issue.path.length === 0) return issue.message;
    const name = String(issue.path[0]);
    return `${name} must be ${expectationOf(issue)}, got ${quoteValue(rawAt(input, issue.path))}`;
  });
}

/** Parse query options with `schema`; a failure becomes one 400 naming each bad option and why. */
export function parseQuery<S extends z.ZodType>(schema: S, query: Record<string, unknown>): z.output<S> {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const problems = describeIssues(parsed.error.issues, query);
  throw new InvalidRequestError(`Invalid query parameter(s): ${problems.join("; ")}.`, ErrorCode.InvalidQuery);
}
