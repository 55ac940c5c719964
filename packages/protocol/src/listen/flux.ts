/**
 * Deepgram's turn-based live transcription, Flux: `GET /v2/listen` over WebSocket. Binary frames are audio;
 * the server numbers every message it sends (`sequence_id`) and reports turns as `TurnInfo` events:
 * `StartOfTurn`, `Update`, `EagerEndOfTurn`, `TurnResumed`, `EndOfTurn`.
 */
import { z } from "zod";
import { parseQuery, queryBool, queryInt, queryList, queryNumber, queryString } from "../query.js";

export const FLUX_ENCODINGS = ["linear16", "linear32", "mulaw", "alaw", "opus", "ogg-opus"] as const;

const single = (v: unknown): unknown => (Array.isArray(v) ? v[v.length - 1] : v);
const eotThreshold = z.number().min(0.5).max(1);
const eagerThreshold = z.number().min(0.3).max(0.9);
const eotTimeout = z.number().int().min(500).max(60_000);

export const FluxListenOptionsSchema = z
  .object({
    model: queryString,
    encoding: z.preprocess(single, z.enum(FLUX_ENCODINGS)).optional(),
    sample_rate: queryInt.pipe(z.number().min(1000).max(384_000)).optional(),
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

export interface FluxWord {
  word: string;
  confidence: number;
  start: number;
  end: number;
}

// Server → client text frames.
export interface FluxConnected {
  type: "Connected";
  request_id: string;
  sequence_id: number;
}

export interface FluxTurnInfo {
  type: "TurnInfo";
  request_id: string;
  sequence_id: number;
  event: FluxTurnEvent;
  /** Counts turns from 0; moves on after each `EndOfTurn`. */
  turn_index: number;
  /** Stream seconds the turn's transcript covers. */
  audio_window_start: number;
  audio_window_end: number;
  transcript: string;
  words: FluxWord[];
  /** How sure the server is that the speaker has finished the turn, 0–1. */
  end_of_turn_confidence: number;
  /** On `EndOfTurn` only: `model` (the confidence), `timeout` (`eot_timeout_ms`) or `manual` (`ForceEndTurn`). */
  trigger?: "model" | "timeout" | "manual";
}

export interface FluxConfigureSuccess {
  type: "ConfigureSuccess";
  request_id: string;
  sequence_id: number;
  thresholds: FluxThresholds;
  keyterms: string[];
}

export interface FluxConfigureFailure {
  type: "ConfigureFailure";
  request_id: string;
  sequence_id: number;
  /** Why, in words (Deepgram's message carries only the ids). */
  description: string;
}

/** A fatal error: the connection closes after it. */
export interface FluxError {
  type: "Error";
  sequence_id: number;
  code: string;
  description: string;
}

export type FluxServerMessage = FluxConnected | FluxTurnInfo | FluxConfigureSuccess | FluxConfigureFailure | FluxError;
