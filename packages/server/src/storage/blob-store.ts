/**
 * Where job audio lives. Keys are slash-separated names (`audio/<job id>`, `uploads/<file id>`), so a bucket
 * and prefix (S3) can implement the same interface as the directory used today.
 */
export interface BlobStore {
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** The bytes, or undefined when there is no such blob. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Deleting a blob that is not there is not an error. */
  delete(key: string): Promise<void>;
  /** Delete the blobs under `prefix` last written before `before`; returns how many went. */
  sweep(prefix: string, before: Date): Promise<number>;
}
