/**
 * The scaled-out {@link RequestLog}: a hash per request (`doc`, `completion`) that expires with the retention
 * period, and a sorted set per project by creation time, trimmed as records expire.
 */
import { Redis } from "ioredis";
import { type RequestCompletion, type RequestLog, type RequestRecord, withCompletion } from "./request-log.js";

export class RedisRequestLog implements RequestLog {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly retentionMs: number,
  ) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 2 });
  }

  private key = (id: string): string => `${this.prefix}:request:${id}`;
  private index = (projectId: string): string => `${this.prefix}:requests:${projectId}`;
  private get projectsKey(): string {
    return `${this.prefix}:requests:projects`;
  }

  async add(record: RequestRecord): Promise<void> {
    await this.redis
      .multi()
      .hset(this.key(record.requestId), "doc", JSON.stringify(record))
      .pexpire(this.key(record.requestId), this.retentionMs)
      .zadd(this.index(record.projectId), record.created, record.requestId)
      .sadd(this.projectsKey, record.projectId)
      .exec();
  }

  async complete(requestId: string, completion: RequestCompletion): Promise<void> {
    await this.redis
      .multi()
      .hset(this.key(requestId), "completion", JSON.stringify(completion))
      .pexpire(this.key(requestId), this.retentionMs)
      .exec();
  }

  private decode(hash: Record<string, string>): RequestRecord | undefined {
    if (!hash.doc) return undefined;
    return withCompletion(JSON.parse(hash.doc), hash.completion ? JSON.parse(hash.completion) : undefined);
  }

  async get(requestId: string): Promise<RequestRecord | undefined> {
    return this.decode(await this.redis.hgetall(this.key(requestId)));
  }

  async range(projectId: string, start: number, end: number): Promise<RequestRecord[]> {
    const ids = await this.redis.zrevrangebyscore(this.index(projectId), end, start);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.key(id));
    const hashes = (await pipeline.exec()) ?? [];
    return hashes.flatMap(([, hash]) => {
      const record = this.decode(hash as Record<string, string>);
      return record ? [record] : [];
    });
  }

  /** The hashes expire by themselves; the indexes drop what has expired. */
  async prune(before: number): Promise<void> {
    for (const projectId of await this.redis.smembers(this.projectsKey)) {
      await this.redis.zremrangebyscore(this.index(projectId), 0, before);
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => {});
  }
}
