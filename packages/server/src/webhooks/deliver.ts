/**
 * One delivery attempt of a job's callback, recorded on the job whatever its outcome. Scheduling the retries
 * (with backoff) belongs to the caller: the embedded runner's clock or BullMQ's retry machinery.
 */
import { gladiaCallbackBody } from "../gladia/view.js";
import type { JobStore } from "../jobs/record.js";
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
  // Deepgram posts the response itself (or the error body); Gladia wraps it in an event envelope.
  const body = JSON.stringify(
    job.kind === "gladia"
      ? gladiaCallbackBody(job)
      : (job.result ?? { ...job.error, status: undefined, request_id: job.id }),
  );
  const attempt = job.callback.attempts.length + 1;
  const outcome = await sender.send(job.callback.url, job.callback.method, `msg_${job.id}`, body);
  const state =
    outcome.error === null ? "delivered" : outcome.permanent || attempt >= maxAttempts ? "failed" : "pending";
  const record = { attempt, at: new Date().toISOString(), status_code: outcome.statusCode, error: outcome.error };
  await store.update(id, { callback: { ...job.callback, state, attempts: [...job.callback.attempts, record] } });
  return { result: state === "pending" ? "retry" : state, attempt };
}

/** Exponential backoff after the `attempt`-th failure: base, 2×base, 4×base… capped at 10 minutes. */
export const retryDelay = (attempt: number, baseMs: number): number => Math.min(baseMs * 2 ** (attempt - 1), 600_000);
