/** The embedded store's SQLite file, shared by jobs, accounts and the request log, and how each opens it. */
import { join } from "node:path";
import Database from "better-sqlite3";

export const embeddedDatabase = (dataDir: string): string => join(dataDir, "jobs.db");

/**
 * Opens `file` the way every Earshot connection to it does: WAL (readers never wait for the writer, and the
 * CLI may write while the server runs), waiting for a lock rather than failing on it, and `secure_delete`, so a
 * deleted transcript is overwritten with zeros rather than left readable in free pages.
 */
export function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("secure_delete = ON");
  return db;
}

/**
 * After deleting something that must not stay on disk: the WAL still holds the pages as they were before the
 * delete until a checkpoint copies the zeroed pages back and the log is truncated. Best effort: a reader holding
 * an old snapshot keeps those frames until the next time.
 */
export function forgetDeleted(db: Database.Database): void {
  db.pragma("wal_checkpoint(TRUNCATE)");
}
