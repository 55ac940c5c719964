/**
 * Files clients upload before a job refers to them by URL (Gladia's and AssemblyAI's upload endpoints): the
 * bytes under `uploads/<id>` and a JSON description beside them, in the blob store, swept after the retention
 * period like job audio. A job made from an upload takes its bytes as the job's audio, without a copy.
 */
import { randomUUID } from "node:crypto";
import type { AudioSource } from "../listen/request.js";
import type { BlobStore } from "./blob-store.js";

/** Upload ids are UUIDs; anything else in an upload URL is not one of ours. */
export const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const bytesKey = (id: string): string => `uploads/${id}`;
const descriptionKey = (id: string): string => `uploads/${id}.json`;

/**
 * Stores `bytes` with `describe(id)` as their description; returns the new upload's id. The project that
 * uploaded it is kept beside the description (never shown): no other project can read or use the upload.
 */
export async function saveUpload<D extends { size: number }>(
  blobs: BlobStore,
  bytes: Uint8Array,
  describe: (id: string) => D,
  projectId: string | undefined,
): Promise<D & { id: string }> {
  const id = randomUUID();
  const description = { ...describe(id), id };
  await blobs.put(bytesKey(id), bytes);
  await blobs.put(descriptionKey(id), Buffer.from(JSON.stringify({ ...description, [OWNER]: projectId ?? null })));
  return description;
}

const OWNER = "earshot_project_id";

/**
 * The description of upload `id` as `projectId` may see it, or undefined when there is none for it (never
 * uploaded, swept, or another project's).
 */
export async function uploadDescription<D extends { size: number }>(
  blobs: BlobStore,
  id: string,
  projectId: string | undefined,
): Promise<D | undefined> {
  if (!UPLOAD_ID.test(id)) return undefined;
  const stored = await blobs.get(descriptionKey(id));
  if (!stored) return undefined;
  const { [OWNER]: owner, ...description } = JSON.parse(Buffer.from(stored).toString("utf8")) as D & {
    [OWNER]?: string | null;
  };
  return visibleTo(owner ?? null, projectId) ? (description as unknown as D) : undefined;
}

export async function uploadBytes(
  blobs: BlobStore,
  id: string,
  projectId: string | undefined,
): Promise<Uint8Array | undefined> {
  return (await uploadDescription(blobs, id, projectId)) ? blobs.get(bytesKey(id)) : undefined;
}

/**
 * Whether something owned by project `owner` may be seen by a caller of project `caller`. Records from before
 * owners were kept (`null`) and callers outside any project (internal use) see everything.
 */
export const visibleTo = (owner: string | null, caller: string | undefined): boolean =>
  owner === null || caller === undefined || owner === caller;

/** A job's audio source for an upload already in the store. */
export const uploadSource = (id: string, size: number): AudioSource => ({ type: "stored", key: bytesKey(id), size });
