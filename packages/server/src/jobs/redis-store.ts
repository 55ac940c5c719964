/**
 * The scaled-out {@link JobStore}: one Redis hash per job, one field per record property (JSON), so a worker
 * writing progress and an API node recording a cancel never overwrite each other's fields. Sorted sets by
 * creation time index all jobs and each status, and one by expiry drives retention. Updates run as a Lua
 * script so that a job deleted meanwhile is not brought back by a late write.
 */

import { JOB_STATUSES, type JobStatus } from "@earshot/protocol";
import { Redis } from "ioredis";
import { visibleTo } from "../storage/uploads.js";
import {
  type JobListFilter,
  type JobPatch,
  type JobRecord,
  type JobStore,
  movesState,
  TOMBSTONE_MS,
  type Tombstone,
} from "./record.js";

// KEYS: job hash, all-jobs set, expiry set, then one set per status (JOB_STATUSES order).
// ARGV: new status or "", new expiry or "", "1" when the patch may not touch an ended job, then field/value pairs.
const UPDATE_SCRIPT = `
if redis.call('exists', KEYS[1]) == 0 then return 0 end
if ARGV[3] == '1' then
  local status = redis.call('hget', KEYS[1], 'status')
  if status == '"done"' or status == '"error"' then return 0 end
end
if #ARGV > 3 then redis.call('hset', KEYS[1], unpack(ARGV, 4)) end
local created = tonumber(cjson.decode(redis.call('hget', KEYS[1], 'createdAt')))
if ARGV[1] ~= '' then
  for i = 4, #KEYS do redis.call('zrem', KEYS[i], KEYS[1]) end
  redis.call('zadd', KEYS[3 + tonumber(ARGV[1])], created, KEYS[1])
end
if ARGV[2] ~= '' then redis.call('zadd', KEYS[3], tonumber(ARGV[2]), KEYS[1]) end
return 1
`;

export class RedisJobStore implements JobStore {
  readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix = "earshot",
  ) {
    this.redis = new Redis(url, { maxRetriesPerRequest: null });
    this.redis.defineCommand("earshotUpdate", { lua: UPDATE_SCRIPT });
  }

  private key = (id: string): string => `${this.prefix}:job:${id}`;
  private idOf = (key: string): string => key.slice(`${this.prefix}:job:`.length);
  private get allKey(): string {
    return `${this.prefix}:jobs`;
  }
  private get expiryKey(): string {
    return `${this.prefix}:jobs:expiry`;
  }
  private statusKey = (status: JobStatus): string => `${this.prefix}:jobs:status:${status}`;

  private fields(patch: JobPatch | JobRecord): string[] {
    return Object.entries(patch).flatMap(([name, value]) => [name, JSON.stringify(value ?? null)]);
  }

  private decode(hash: Record<string, string>): JobRecord | undefined {
    if (!hash.id) return undefined;
    return Object.fromEntries(Object.entries(hash).map(([name, value]) => [name, JSON.parse(value)])) as JobRecord;
  }

  async create(job: JobRecord): Promise<void> {
    const key = this.key(job.id);
    const multi = this.redis
      .multi()
      .hset(key, ...this.fields(job))
      .zadd(this.allKey, job.createdAt, key)
      .zadd(this.statusKey(job.status), job.createdAt, key);
    if (job.expiresAt !== null) multi.zadd(this.expiryKey, job.expiresAt, key);
    await multi.exec();
  }

  async get(id: string): Promise<JobRecord | undefined> {
    return this.decode(await this.redis.hgetall(this.key(id)));
  }

  async list(filter: JobListFilter): Promise<{ jobs: JobRecord[]; total: number }> {
    if (filter.projectId !== undefined) return this.listOfProject(filter, filter.projectId);
    const sets = filter.statuses?.length ? filter.statuses.map(this.statusKey) : [this.allKey];
    const end = filter.offset + filter.limit - 1;
    const pages = await Promise.all(sets.map((set) => this.redis.zrevrange(set, 0, end, "WITHSCORES")));
    const counts = await Promise.all(sets.map((set) => this.redis.zcard(set)));
    // Several statuses: merge their newest-first pages, then cut the requested window.
    const entries: Array<[string, number]> = [];
    for (const page of pages) for (let i = 0; i < page.length; i += 2) entries.push([page[i]!, Number(page[i + 1])]);
    entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const keys = entries.slice(filter.offset, filter.offset + filter.limit).map(([key]) => key);
    const jobs = await Promise.all(keys.map((key) => this.get(this.idOf(key))));
    return { jobs: jobs.filter((j): j is JobRecord => j !== undefined), total: counts.reduce((a, b) => a + b, 0) };
  }

  /**
   * One project's page: the indexes are not kept per project, so every job of the statuses asked for is read and
   * filtered here. Linear in the jobs kept, which retention bounds.
   */
  private async listOfProject(filter: JobListFilter, projectId: string): Promise<{ jobs: JobRecord[]; total: number }> {
    const { jobs } = await this.list({ statuses: filter.statuses, offset: 0, limit: Number.MAX_SAFE_INTEGER });
    const mine = jobs.filter((job) => visibleTo(job.owner?.projectId ?? null, projectId));
    return { jobs: mine.slice(filter.offset, filter.offset + filter.limit), total: mine.length };
  }

  async update(id: string, patch: JobPatch): Promise<boolean> {
    const key = this.key(id);
    const status = patch.status === undefined ? "" : String(JOB_STATUSES.indexOf(patch.status) + 1);
    const expiry = patch.expiresAt === undefined || patch.expiresAt === null ? "" : String(patch.expiresAt);
    const keys = [key, this.allKey, this.expiryKey, ...JOB_STATUSES.map(this.statusKey)];
    const run = (this.redis as unknown as Record<string, (...args: unknown[]) => Promise<number>>).earshotUpdate!;
    const fenced = movesState(patch) ? "1" : "";
    const updated = await run.call(this.redis, keys.length, ...keys, status, expiry, fenced, ...this.fields(patch));
    return updated === 1;
  }

  /**
   * Ids of the jobs waiting or running, oldest first: what the queue should hold (see `reconcileQueue`). Read
   * from the status indexes, so the cost is that of the unfinished jobs only.
   */
  async unfinished(): Promise<string[]> {
    const keys = await Promise.all(
      (["queued", "processing"] as const).map((status) => this.redis.zrange(this.statusKey(status), 0, -1)),
    );
    return keys.flat().map(this.idOf);
  }

  async remove(id: string, reason: Tombstone["reason"]): Promise<void> {
    const key = this.key(id);
    const multi = this.redis.multi().del(key).zrem(this.allKey, key).zrem(this.expiryKey, key);
    for (const status of JOB_STATUSES) multi.zrem(this.statusKey(status), key);
    const tombstone: Tombstone = { reason, at: Date.now() };
    multi.set(`${this.prefix}:tombstone:${id}`, JSON.stringify(tombstone), "PX", TOMBSTONE_MS);
    await multi.exec();
  }

  async tombstone(id: string): Promise<Tombstone | undefined> {
    const value = await this.redis.get(`${this.prefix}:tombstone:${id}`);
    return value ? (JSON.parse(value) as Tombstone) : undefined;
  }

  async expired(now: number, limit: number): Promise<JobRecord[]> {
    const keys = await this.redis.zrangebyscore(this.expiryKey, 0, now, "LIMIT", 0, limit);
    const jobs = await Promise.all(keys.map((key) => this.get(this.idOf(key))));
    // A key whose hash is already gone (removed elsewhere) just leaves the index.
    const stale = keys.filter((_, i) => jobs[i] === undefined);
    if (stale.length) await this.redis.zrem(this.expiryKey, ...stale);
    return jobs.filter((j): j is JobRecord => j !== undefined);
  }

  /** Tombstones expire by themselves (their keys carry a TTL). */
  async prune(): Promise<void> {}

  async close(): Promise<void> {
    await this.redis.quit();
  }
}
