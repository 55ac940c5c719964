/** Why a job id answers 404: never known, deleted, or expired after its retention period. */
import { NotFoundError } from "@earshot/protocol";
import type { Tombstone } from "./record.js";

export class JobNotFoundError extends NotFoundError {
  override name = "JobNotFoundError";
  constructor(id: string, tombstone?: Tombstone) {
    const at = tombstone ? new Date(tombstone.at).toISOString() : "";
    super(
      tombstone?.reason === "expired"
        ? `Job ${id} has expired: its audio and result were deleted at ${at}, when its retention period ended.`
        : tombstone?.reason === "deleted"
          ? `Job ${id} was deleted at ${at}.`
          : `No job ${id}.`,
    );
  }
}
