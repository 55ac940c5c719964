/**
 * One delivery attempt of a job's callback, recorded on the job whatever its outcome. Scheduling the retries
 * (with backoff) belongs to the caller: the embedded runner's clock or BullMQ's retry machinery.
 */
import { assemblyAiWebhook } from "../assemblyai/view.js";
import { gladiaCallbackBody } from "../gladia/view.js";
import type { JobRecord, JobStore } from "../jobs/record.js";
import type { CallbackSender } from "./sender.js";

/** `retry`: try again after {@link retryDelay}; the others are final. */
export type DeliveryResult = "delivered" | "retry" | "failed" | "gone";

export async function deliverCallback(
  store: JobStore,
  sender: CallbackSender,
  id: string,
  maxAttempts: number,
): Promise<{ result: DeliveryResult; attempt: number }> {
  const job = await store.get(id);
  if (job?.callback?.state !== "pending") return { result: "gone", attempt: 0 };
  const { body, headers } = callbackOf(job);
  const attempt = job.callback.attempts.length + 1;
  const outcome = await sender.send(job.callback.url, job.callback.method, `msg_${job.id}`, body, headers);
  const state =
    outcome.error === null ? "delivered" : outcome.permanent || attempt >= maxAttempts ? "failed" : "pending";
  const record = { attempt, at: new Date().toISOString(), status_code: outcome.statusCode, error: outcome.error };
  await store.update(id, { callback: { ...job.callback, state, attempts: [...job.callback.attempts, record] } });
  return { result: state === "pending" ? "retry" : state, attempt };
}

/**
 * What a job's callback carries, by the API that made the job: Deepgram posts the response itself (or the error
 * body); Gladia wraps it in an event envelope; AssemblyAI posts the id and status, with the client's auth header.
 */
function callbackOf(job: JobRecord): { body: string; headers: Record<string, string> } {
  switch (job.kind) {
    case "gladia":
      return { body: JSON.stringify(gladiaCallbackBody(job)), headers: {} };
    case "assemblyai":
      return assemblyAiWebhook(job);
    default:
      return {
        body: JSON.stringify(job.result ?? { ...job.error, status: undefined, request_id: job.id }),
        headers: {},
      };
  }
}

/** Exponential backoff after the `attempt`-th failure: base, 2×base, 4×base… capped at 10 minutes. */
export const retryDelay = (attempt: number, baseMs: number): number => Math.min(baseMs * 2 ** (attempt - 1), 600_000);
