/** The embedded {@link RequestLog}: a table in the SQLite file the jobs use, indexed by project and time. */
import type Database from "better-sqlite3";
import { openDatabase } from "../storage/sqlite.js";
import { type RequestCompletion, type RequestLog, type RequestRecord, withCompletion } from "./request-log.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS request_log (
  request_id TEXT PRIMARY KEY,
  project_id TEXT,
  created INTEGER,
  doc TEXT,
  completion TEXT
);
CREATE INDEX IF NOT EXISTS request_log_project ON request_log (project_id, created);
`;

interface Row {
  doc: string | null;
  completion: string | null;
}

const decode = (row: Row | undefined): RequestRecord | undefined =>
  row?.doc ? withCompletion(JSON.parse(row.doc), row.completion ? JSON.parse(row.completion) : undefined) : undefined;

export class SqliteRequestLog implements RequestLog {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = openDatabase(file);
    this.db.exec(SCHEMA);
  }

  async add(record: RequestRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO request_log (request_id, project_id, created, doc) VALUES (?, ?, ?, ?)
         ON CONFLICT (request_id) DO UPDATE SET project_id = excluded.project_id, created = excluded.created, doc = excluded.doc`,
      )
      .run(record.requestId, record.projectId, record.created, JSON.stringify(record));
  }

  /** Before its record exists, a completion is kept under its own time, so retention removes a stray one too. */
  async complete(requestId: string, completion: RequestCompletion): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO request_log (request_id, created, completion) VALUES (?, ?, ?)
         ON CONFLICT (request_id) DO UPDATE SET completion = excluded.completion`,
      )
      .run(requestId, Date.now(), JSON.stringify(completion));
  }

  async get(requestId: string): Promise<RequestRecord | undefined> {
    return decode(
      this.db.prepare("SELECT doc, completion FROM request_log WHERE request_id = ?").get(requestId) as Row | undefined,
    );
  }

  async range(projectId: string, start: number, end: number): Promise<RequestRecord[]> {
    const rows = this.db
      .prepare(
        "SELECT doc, completion FROM request_log WHERE project_id = ? AND created BETWEEN ? AND ? ORDER BY created DESC",
      )
      .all(projectId, start, end) as Row[];
    return rows.map((row) => decode(row)!);
  }

  async prune(before: number): Promise<void> {
    this.db.prepare("DELETE FROM request_log WHERE created < ?").run(before);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
