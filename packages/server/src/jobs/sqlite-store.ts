/**
 * The embedded {@link JobStore}: one SQLite file in WAL mode (readers never wait for the writer, and a crash
 * loses nothing that was committed). Each row keeps the record as JSON beside the columns the queries need.
 * Running jobs hold a lease (owner + expiry) that their runner renews, so several processes may share one
 * file and a job whose process died is found and run again. Read-then-write transactions start IMMEDIATE, so
 * two processes never both read a row and then race to write it.
 */
import { hostname } from "node:os";
import { isTerminal } from "@earshot/protocol";
import type Database from "better-sqlite3";
import { forgetDeleted, openDatabase } from "../storage/sqlite.js";
import {
  type JobListFilter,
  type JobPatch,
  type JobRecord,
  type JobStore,
  movesState,
  startAttempt,
  TOMBSTONE_MS,
  type Tombstone,
} from "./record.js";

interface Row {
  id: string;
  doc: string;
  result: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  lease_owner TEXT,
  lease_until INTEGER,
  callback_due INTEGER,
  doc TEXT NOT NULL,
  result TEXT
);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at);
CREATE INDEX IF NOT EXISTS jobs_status_created ON jobs (status, created_at);
CREATE INDEX IF NOT EXISTS jobs_expires ON jobs (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_callback_due ON jobs (callback_due) WHERE callback_due IS NOT NULL;
CREATE TABLE IF NOT EXISTS tombstones (id TEXT PRIMARY KEY, reason TEXT NOT NULL, at INTEGER NOT NULL);
`;

/** `host:pid:nonce`: enough to tell, on the same host, whether the process holding a lease is still alive. */
export const newLeaseOwner = (): string => `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

function ownerIsDead(owner: string, self: string): boolean {
  const [host, pid] = owner.split(":");
  if (host !== hostname()) return false;
  // Our own pid under another nonce is an earlier incarnation of this process (pid reuse after a restart).
  if (Number(pid) === process.pid) return owner !== self;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

export class SqliteJobStore implements JobStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = openDatabase(file);
    this.db.exec(SCHEMA);
  }

  private decode(row: Row | undefined): JobRecord | undefined {
    if (!row) return undefined;
    const job = JSON.parse(row.doc) as JobRecord;
    job.result = row.result ? JSON.parse(row.result) : null;
    return job;
  }

  private write(job: JobRecord, extra: { leaseOwner?: string | null; leaseUntil?: number | null } = {}): void {
    const { result, ...doc } = job;
    this.db
      .prepare(
        `UPDATE jobs SET status = @status, expires_at = @expiresAt, doc = @doc, result = @result,
           lease_owner = CASE WHEN @setLease THEN @leaseOwner ELSE lease_owner END,
           lease_until = CASE WHEN @setLease THEN @leaseUntil ELSE lease_until END,
           callback_due = COALESCE(callback_due, @callbackDue)
         WHERE id = @id`,
      )
      .run({
        id: job.id,
        status: job.status,
        expiresAt: job.expiresAt,
        doc: JSON.stringify(doc),
        result: result ? JSON.stringify(result) : null,
        setLease: "leaseOwner" in extra ? 1 : 0,
        leaseOwner: extra.leaseOwner ?? null,
        leaseUntil: extra.leaseUntil ?? null,
        // An ended job's callback is due in the same write that ends it: a crash right after cannot lose it.
        callbackDue: isTerminal(job.status) && job.callback?.state === "pending" ? Date.now() : null,
      });
  }

  async create(job: JobRecord): Promise<void> {
    const { result, ...doc } = job;
    this.db
      .prepare("INSERT INTO jobs (id, status, created_at, expires_at, doc, result) VALUES (?, ?, ?, ?, ?, ?)")
      .run(
        job.id,
        job.status,
        job.createdAt,
        job.expiresAt,
        JSON.stringify(doc),
        result ? JSON.stringify(result) : null,
      );
  }

  async get(id: string): Promise<JobRecord | undefined> {
    return this.decode(this.db.prepare("SELECT id, doc, result FROM jobs WHERE id = ?").get(id) as Row | undefined);
  }

  async list(filter: JobListFilter): Promise<{ jobs: JobRecord[]; total: number }> {
    const statuses = filter.statuses?.length ? filter.statuses : undefined;
    const conditions: string[] = [];
    const args: Array<string> = [];
    if (statuses) {
      conditions.push(`status IN (${statuses.map(() => "?").join(",")})`);
      args.push(...statuses);
    }
    if (filter.projectId !== undefined) {
      conditions.push("(json_extract(doc, '$.owner.projectId') = ? OR json_extract(doc, '$.owner') IS NULL)");
      args.push(filter.projectId);
    }
    const where = conditions.length ? `WHERE ${conditions.join(" AND ")}` : "";
    const total = (this.db.prepare(`SELECT count(*) AS n FROM jobs ${where}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT id, doc, result FROM jobs ${where} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`)
      .all(...args, filter.limit, filter.offset) as Row[];
    return { jobs: rows.map((row) => this.decode(row)!), total };
  }

  async update(id: string, patch: JobPatch): Promise<boolean> {
    return this.db
      .transaction(() => {
        const job = this.decode(this.db.prepare("SELECT id, doc, result FROM jobs WHERE id = ?").get(id) as Row);
        if (!job || (movesState(patch) && isTerminal(job.status))) return false;
        this.write({ ...job, ...patch });
        return true;
      })
      .immediate();
  }

  async remove(id: string, reason: Tombstone["reason"]): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM jobs WHERE id = ?").run(id);
      this.db
        .prepare("INSERT OR REPLACE INTO tombstones (id, reason, at) VALUES (?, ?, ?)")
        .run(id, reason, Date.now());
    })();
    forgetDeleted(this.db);
  }

  async tombstone(id: string): Promise<Tombstone | undefined> {
    return this.db.prepare("SELECT reason, at FROM tombstones WHERE id = ?").get(id) as Tombstone | undefined;
  }

  async expired(now: number, limit: number): Promise<JobRecord[]> {
    const rows = this.db
      .prepare("SELECT id, doc, result FROM jobs WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?")
      .all(now, limit) as Row[];
    return rows.map((row) => this.decode(row)!);
  }

  /** Tombstones only need to outlive the links people keep; old ones go. */
  async prune(now: number): Promise<void> {
    this.db.prepare("DELETE FROM tombstones WHERE at < ?").run(now - TOMBSTONE_MS);
  }

  /**
   * Takes the oldest queued job for `owner`: marks it processing, counts the attempt and leases it until
   * `leaseUntil`. Atomic, so two runners on one file never take the same job.
   */
  claim(owner: string, leaseUntil: number): JobRecord | undefined {
    return this.db
      .transaction(() => {
        const row = this.db
          .prepare("SELECT id, doc, result FROM jobs WHERE status = 'queued' ORDER BY created_at, id LIMIT 1")
          .get() as Row | undefined;
        const job = this.decode(row);
        if (!job) return undefined;
        const claimed = startAttempt(job);
        this.write(claimed, { leaseOwner: owner, leaseUntil });
        return claimed;
      })
      .immediate();
  }

  renewLeases(owner: string, ids: string[], leaseUntil: number): void {
    const renew = this.db.prepare("UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_owner = ?");
    this.db.transaction(() => {
      for (const id of ids) renew.run(leaseUntil, id, owner);
    })();
  }

  /** Processing jobs whose runner is gone: its lease ran out, or its process on this host has died. */
  orphans(self: string, now: number): JobRecord[] {
    const rows = this.db
      .prepare("SELECT id, doc, result, lease_owner, lease_until FROM jobs WHERE status = 'processing'")
      .all() as Array<Row & { lease_owner: string | null; lease_until: number | null }>;
    return rows
      .filter((row) => (row.lease_until ?? 0) < now || !row.lease_owner || ownerIsDead(row.lease_owner, self))
      .map((row) => this.decode(row)!);
  }

  /** Puts a job back in the queue for another attempt (after a crash or a transient failure). */
  requeue(id: string, patch: JobPatch = {}): void {
    this.db
      .transaction(() => {
        const job = this.decode(this.db.prepare("SELECT id, doc, result FROM jobs WHERE id = ?").get(id) as Row);
        if (job)
          this.write({ ...job, ...patch, status: "queued", progress: 0 }, { leaseOwner: null, leaseUntil: null });
      })
      .immediate();
  }

  scheduleCallback(id: string, at: number | null): void {
    this.db.prepare("UPDATE jobs SET callback_due = ? WHERE id = ?").run(at, id);
  }

  dueCallbacks(now: number, limit: number): string[] {
    const rows = this.db
      .prepare("SELECT id FROM jobs WHERE callback_due IS NOT NULL AND callback_due <= ? ORDER BY callback_due LIMIT ?")
      .all(now, limit) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
