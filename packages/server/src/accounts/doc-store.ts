/**
 * Where projects, members, keys and token signing keys are kept: small JSON documents by kind and id, each
 * optionally filed under a parent (a key under its project). The account logic is written once over this
 * interface; SQLite holds the documents in embedded mode, Redis when API nodes are scaled out, so that a key
 * deleted on one node is gone for every node at once.
 */
export type DocKind = "project" | "member" | "membership" | "key" | "signing" | "setting";

export interface DocStore {
  get<T>(kind: DocKind, id: string): Promise<T | undefined>;
  /** Creates or replaces the document. */
  put(kind: DocKind, id: string, doc: unknown, parent?: string): Promise<void>;
  /** Creates the document unless one exists; returns whether it did. */
  add(kind: DocKind, id: string, doc: unknown, parent?: string): Promise<boolean>;
  /** Documents of `kind` filed under `parent`, or every one of `kind` without a parent given. */
  list<T>(kind: DocKind, parent?: string): Promise<T[]>;
  /** Whether any document of `kind` exists. */
  any(kind: DocKind): Promise<boolean>;
  remove(kind: DocKind, id: string): Promise<void>;
  /** Answers when the store is reachable (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
