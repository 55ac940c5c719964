/** The `/v1/speak` WebSocket's messages. Client messages are parsed, never string-matched. */
import { z } from "zod";

export const SpeakTextMessageSchema = z.object({ type: z.literal("Speak"), text: z.string() });
export const SpeakClientMessageSchema = z.discriminatedUnion("type", [
  SpeakTextMessageSchema,
  z.object({ type: z.literal("Flush") }),
  z.object({ type: z.literal("Clear") }),
  z.object({ type: z.literal("Close") }),
]);
export type SpeakClientMessage = z.infer<typeof SpeakClientMessageSchema>;

export const SpeakMetadataSchema = z.object({
  type: z.literal("Metadata"),
  request_id: z.string(),
  model_name: z.string(),
  model_version: z.string(),
  model_uuid: z.string(),
  additional_model_uuids: z.array(z.string()).optional(),
});
export type SpeakMetadata = z.infer<typeof SpeakMetadataSchema>;

export const SpeakFlushedSchema = z.object({ type: z.literal("Flushed"), sequence_id: z.number() });
export type SpeakFlushed = z.infer<typeof SpeakFlushedSchema>;

export const SpeakClearedSchema = z.object({ type: z.literal("Cleared"), sequence_id: z.number() });
export type SpeakCleared = z.infer<typeof SpeakClearedSchema>;

export const SpeakWarningSchema = z.object({ type: z.literal("Warning"), description: z.string(), code: z.string() });
export type SpeakWarning = z.infer<typeof SpeakWarningSchema>;

export const SpeakServerMessageSchema = z.discriminatedUnion("type", [
  SpeakMetadataSchema,
  SpeakFlushedSchema,
  SpeakClearedSchema,
  SpeakWarningSchema,
]);
export type SpeakServerMessage = z.infer<typeof SpeakServerMessageSchema>;

/** `code` values of the Warnings this server sends. */
export const SpeakWarningCode = {
  InvalidMessage: "INVALID_MESSAGE",
  TextLimit: "TEXT_LIMIT_EXCEEDED",
  SynthesisFailed: "SYNTHESIS_FAILED",
  FlushLimit: "FLUSH_LIMIT_EXCEEDED",
} as const;

/** Deepgram's limit on `Flush` messages: this many in any {@link SPEAK_FLUSH_WINDOW_MS}; more get a Warning. */
export const SPEAK_FLUSH_LIMIT = 20;
export const SPEAK_FLUSH_WINDOW_MS = 60_000;
