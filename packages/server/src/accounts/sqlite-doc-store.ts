/** The embedded {@link DocStore}: one table in the SQLite file the jobs use (WAL: the CLI may write while the server runs). */
import type Database from "better-sqlite3";
import { openDatabase } from "../storage/sqlite.js";
import type { DocKind, DocStore } from "./doc-store.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS account_docs (
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  parent TEXT,
  doc TEXT NOT NULL,
  PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS account_docs_parent ON account_docs (kind, parent);
`;

export class SqliteDocStore implements DocStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = openDatabase(file);
    this.db.exec(SCHEMA);
  }

  async get<T>(kind: DocKind, id: string): Promise<T | undefined> {
    const row = this.db.prepare("SELECT doc FROM account_docs WHERE kind = ? AND id = ?").get(kind, id) as
      | { doc: string }
      | undefined;
    return row ? (JSON.parse(row.doc) as T) : undefined;
  }

  async put(kind: DocKind, id: string, doc: unknown, parent?: string): Promise<void> {
    this.db
      .prepare("INSERT OR REPLACE INTO account_docs (kind, id, parent, doc) VALUES (?, ?, ?, ?)")
      .run(kind, id, parent ?? null, JSON.stringify(doc));
  }

  async add(kind: DocKind, id: string, doc: unknown, parent?: string): Promise<boolean> {
    const result = this.db
      .prepare("INSERT OR IGNORE INTO account_docs (kind, id, parent, doc) VALUES (?, ?, ?, ?)")
      .run(kind, id, parent ?? null, JSON.stringify(doc));
    return result.changes === 1;
  }

  async list<T>(kind: DocKind, parent?: string): Promise<T[]> {
    const rows = (
      parent === undefined
        ? this.db.prepare("SELECT doc FROM account_docs WHERE kind = ? ORDER BY rowid").all(kind)
        : this.db.prepare("SELECT doc FROM account_docs WHERE kind = ? AND parent = ? ORDER BY rowid").all(kind, parent)
    ) as Array<{ doc: string }>;
    return rows.map((row) => JSON.parse(row.doc) as T);
  }

  async any(kind: DocKind): Promise<boolean> {
    return this.db.prepare("SELECT 1 FROM account_docs WHERE kind = ? LIMIT 1").get(kind) !== undefined;
  }

  async remove(kind: DocKind, id: string): Promise<void> {
    this.db.prepare("DELETE FROM account_docs WHERE kind = ? AND id = ?").run(kind, id);
  }

  async ping(): Promise<void> {
    this.db.prepare("SELECT 1").get();
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
