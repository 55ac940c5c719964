/**
 * Deepgram's turn-based live transcription, Flux: `GET /v2/listen` over WebSocket. Binary frames are audio;
 * the server numbers every message it sends (`sequence_id`) and reports turns as `TurnInfo` events:
 * `StartOfTurn`, `Update`, `EagerEndOfTurn`, `TurnResumed`, `EndOfTurn`.
 */
import { z } from "zod";
import { parseQuery, queryBool, queryInt, queryList, queryNumber, queryString } from "../query.js";
import { SampleRateSchema } from "./options.js";

export const FLUX_ENCODINGS = ["linear16", "linear32", "mulaw", "alaw", "opus", "ogg-opus"] as const;

const single = (v: unknown): unknown => (Array.isArray(v) ? v[v.length - 1] : v);
const eotThreshold = z.number().min(0.5).max(1);
const eagerThreshold = z.number().min(0.3).max(0.9);
const eotTimeout = z.number().int().min(500).max(60_000);

export const FluxListenOptionsSchema = z
  .object({
    model: queryString,
    encoding: z.preprocess(single, z.enum(FLUX_ENCODINGS)).optional(),
    sample_rate: SampleRateSchema.optional(),
    /** Confidence that ends a turn; 1 leaves turn ends to the client (`ForceEndTurn`) and the timeout. */
    eot_threshold: queryNumber.pipe(eotThreshold).default(0.7),
    /** Confidence that sends `EagerEndOfTurn`; unset, there are none. */
    eager_eot_threshold: queryNumber.pipe(eagerThreshold).optional(),
    /** Silence after speech that ends a turn whatever the confidence, ms. */
    eot_timeout_ms: queryInt.pipe(eotTimeout).default(5000),
    keyterm: queryList.optional(),
    language_hint: queryList.optional(),
    profanity_filter: queryBool.optional(),
    numerals: queryBool.optional(),
    redact: queryList.optional(),
    mip_opt_out: queryBool.optional(),
    tag: queryList.optional(),
  })
  .superRefine((options, ctx) => {
    if (options.encoding !== undefined && options.sample_rate === undefined) {
      ctx.addIssue({ code: "custom", path: [], message: `encoding=${options.encoding} requires sample_rate` });
    }
    if (options.eager_eot_threshold !== undefined && options.eager_eot_threshold > options.eot_threshold) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message: `eager_eot_threshold (${options.eager_eot_threshold}) must not be above eot_threshold (${options.eot_threshold})`,
      });
    }
  });
export type FluxListenOptions = z.output<typeof FluxListenOptionsSchema>;
export type FluxListenOptionsInput = z.input<typeof FluxListenOptionsSchema>;

export function parseFluxListenOptions(query: Record<string, unknown>): FluxListenOptions {
  return parseQuery(FluxListenOptionsSchema, query);
}

export const FluxThresholdsSchema = z.object({
  eot_threshold: eotThreshold.optional(),
  eager_eot_threshold: eagerThreshold.optional(),
  eot_timeout_ms: eotTimeout.optional(),
});
export type FluxThresholds = z.infer<typeof FluxThresholdsSchema>;

// Client → server text frames. `Finalize` (a v1 message) ends the turn as `ForceEndTurn` does.
export const FluxConfigureSchema = z.object({
  type: z.literal("Configure"),
  thresholds: FluxThresholdsSchema.optional(),
  keyterms: z.array(z.string()).optional(),
  language_hints: z.array(z.string()).optional(),
  numerals: z.boolean().optional(),
});
export type FluxConfigure = z.infer<typeof FluxConfigureSchema>;

export const FluxClientMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("CloseStream") }),
  z.object({ type: z.literal("KeepAlive") }),
  z.object({ type: z.literal("ForceEndTurn") }),
  z.object({ type: z.literal("Finalize") }),
  // Checked on its own below, so a bad Configure is a ConfigureFailure rather than an unparsable message.
  z.looseObject({ type: z.literal("Configure") }),
]);
export type FluxClientMessage = z.infer<typeof FluxClientMessageSchema>;

/** The control message in a text frame, or undefined when it is not JSON or not a message Flux knows. */
export function parseFluxClientMessage(text: string): FluxClientMessage | undefined {
  try {
    const parsed = FluxClientMessageSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export const FLUX_TURN_EVENTS = ["StartOfTurn", "Update", "EagerEndOfTurn", "TurnResumed", "EndOfTurn"] as const;
export type FluxTurnEvent = (typeof FLUX_TURN_EVENTS)[number];

export const FluxWordSchema = z.object({
  word: z.string(),
  confidence: z.number(),
  start: z.number(),
  end: z.number(),
});
export type FluxWord = z.infer<typeof FluxWordSchema>;

// Server → client text frames.
export const FluxConnectedSchema = z.object({
  type: z.literal("Connected"),
  request_id: z.string(),
  sequence_id: z.number(),
});
export type FluxConnected = z.infer<typeof FluxConnectedSchema>;

export const FluxTurnInfoSchema = z.object({
  type: z.literal("TurnInfo"),
  request_id: z.string(),
  sequence_id: z.number(),
  event: z.enum(FLUX_TURN_EVENTS),
  /** Counts turns from 0; moves on after each `EndOfTurn`. */
  turn_index: z.number(),
  /** Stream seconds the turn's transcript covers. */
  audio_window_start: z.number(),
  audio_window_end: z.number(),
  transcript: z.string(),
  words: z.array(FluxWordSchema),
  /** How sure the server is that the speaker has finished the turn, 0–1. */
  end_of_turn_confidence: z.number(),
  /** On `EndOfTurn` only: `model` (the confidence), `timeout` (`eot_timeout_ms`) or `manual` (`ForceEndTurn`). */
  trigger: z.enum(["model", "timeout", "manual"]).optional(),
});
export type FluxTurnInfo = z.infer<typeof FluxTurnInfoSchema>;

export const FluxConfigureSuccessSchema = z.object({
  type: z.literal("ConfigureSuccess"),
  request_id: z.string(),
  sequence_id: z.number(),
  thresholds: FluxThresholdsSchema,
  keyterms: z.array(z.string()),
});
export type FluxConfigureSuccess = z.infer<typeof FluxConfigureSuccessSchema>;

export const FluxConfigureFailureSchema = z.object({
  type: z.literal("ConfigureFailure"),
  request_id: z.string(),
  sequence_id: z.number(),
  /** Why, in words (Deepgram's message carries only the ids). */
  description: z.string(),
});
export type FluxConfigureFailure = z.infer<typeof FluxConfigureFailureSchema>;

/** A fatal error: the connection closes after it. */
export const FluxErrorSchema = z.object({
  type: z.literal("Error"),
  sequence_id: z.number(),
  code: z.string(),
  description: z.string(),
});
export type FluxError = z.infer<typeof FluxErrorSchema>;

export type FluxServerMessage = FluxConnected | FluxTurnInfo | FluxConfigureSuccess | FluxConfigureFailure | FluxError;
