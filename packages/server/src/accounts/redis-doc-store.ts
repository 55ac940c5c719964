/**
 * The scaled-out {@link DocStore}: one Redis hash per document (`doc`, `parent`) and a set per kind and per
 * parent, so every API node reads the same keys and a deletion is seen by all of them on their next request.
 */
import { Redis } from "ioredis";
import type { DocKind, DocStore } from "./doc-store.js";

export class RedisDocStore implements DocStore {
  readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix = "earshot",
  ) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 2 });
  }

  private key = (kind: DocKind, id: string): string => `${this.prefix}:acct:${kind}:${id}`;
  private kindSet = (kind: DocKind): string => `${this.prefix}:acct:${kind}`;
  private parentSet = (kind: DocKind, parent: string): string => `${this.prefix}:acct:${kind}:in:${parent}`;

  async get<T>(kind: DocKind, id: string): Promise<T | undefined> {
    const doc = await this.redis.hget(this.key(kind, id), "doc");
    return doc === null ? undefined : (JSON.parse(doc) as T);
  }

  async put(kind: DocKind, id: string, doc: unknown, parent?: string): Promise<void> {
    const multi = this.redis
      .multi()
      .hset(this.key(kind, id), { doc: JSON.stringify(doc), parent: parent ?? "" })
      .sadd(this.kindSet(kind), id);
    if (parent) multi.sadd(this.parentSet(kind, parent), id);
    await multi.exec();
  }

  async add(kind: DocKind, id: string, doc: unknown, parent?: string): Promise<boolean> {
    const created = await this.redis.hsetnx(this.key(kind, id), "doc", JSON.stringify(doc));
    if (created === 0) return false;
    const multi = this.redis
      .multi()
      .hset(this.key(kind, id), "parent", parent ?? "")
      .sadd(this.kindSet(kind), id);
    if (parent) multi.sadd(this.parentSet(kind, parent), id);
    await multi.exec();
    return true;
  }

  async list<T>(kind: DocKind, parent?: string): Promise<T[]> {
    const ids = await this.redis.smembers(parent === undefined ? this.kindSet(kind) : this.parentSet(kind, parent));
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.key(kind, id), "doc");
    const docs = (await pipeline.exec()) ?? [];
    return docs.flatMap(([, doc]) => (typeof doc === "string" ? [JSON.parse(doc) as T] : []));
  }

  async any(kind: DocKind): Promise<boolean> {
    return (await this.redis.scard(this.kindSet(kind))) > 0;
  }

  async remove(kind: DocKind, id: string): Promise<void> {
    const parent = await this.redis.hget(this.key(kind, id), "parent");
    const multi = this.redis.multi().del(this.key(kind, id)).srem(this.kindSet(kind), id);
    if (parent) multi.srem(this.parentSet(kind, parent), id);
    await multi.exec();
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => {});
  }
}
