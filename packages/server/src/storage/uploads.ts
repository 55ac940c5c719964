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

/** Stores `bytes` with `describe(id)` as their description; returns the new upload's id. */
export async function saveUpload<D extends { size: number }>(
  blobs: BlobStore,
  bytes: Uint8Array,
  describe: (id: string) => D,
): Promise<D & { id: string }> {
  const id = randomUUID();
  const description = { ...describe(id), id };
  await blobs.put(bytesKey(id), bytes);
  await blobs.put(descriptionKey(id), Buffer.from(JSON.stringify(description)));
  return description;
}

/** The description of upload `id`, or undefined when there is none (never uploaded, or swept). */
export async function uploadDescription<D extends { size: number }>(
  blobs: BlobStore,
  id: string,
): Promise<D | undefined> {
  if (!UPLOAD_ID.test(id)) return undefined;
  const stored = await blobs.get(descriptionKey(id));
  return stored ? (JSON.parse(Buffer.from(stored).toString("utf8")) as D) : undefined;
}

export function uploadBytes(blobs: BlobStore, id: string): Promise<Uint8Array | undefined> {
  return UPLOAD_ID.test(id) ? blobs.get(bytesKey(id)) : Promise.resolve(undefined);
}

/** A job's audio source for an upload already in the store. */
export const uploadSource = (id: string, size: number): AudioSource => ({ type: "stored", key: bytesKey(id), size });
