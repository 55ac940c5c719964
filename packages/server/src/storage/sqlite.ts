/** The embedded store's SQLite file, shared by jobs, accounts and the request log, and how each opens it. */
import { join } from "node:path";
import Database from "better-sqlite3";

export const embeddedDatabase = (dataDir: string): string => join(dataDir, "jobs.db");

/**
 * Opens `file` the way every Earshot connection to it does: WAL (readers never wait for the writer, and the
 * CLI may write while the server runs), and waiting for a lock rather than failing on it.
 */
export function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  return db;
}
