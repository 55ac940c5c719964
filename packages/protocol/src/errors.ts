/**
 * The error body's schema. The error classes and codes themselves live in `core/errors.ts`, free of zod, and
 * are re-exported here for the modules that validate.
 */
import { z } from "zod";

export * from "./core/errors.js";

/** Deepgram's legacy error body, which both Deepgram SDK generations parse. */
export const ErrorBodySchema = z.object({
  err_code: z.string(),
  err_msg: z.string(),
  request_id: z.string(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
