/** The request log of this deployment: in the jobs' SQLite file, or in Redis when scaled out. */
import { mkdirSync } from "node:fs";
import type { JobsConfig } from "../config/load.js";
import { embeddedDatabase } from "../storage/sqlite.js";
import { RedisRequestLog } from "./redis-request-log.js";
import type { RequestLog } from "./request-log.js";
import { SqliteRequestLog } from "./sqlite-request-log.js";

export function openRequestLog(
  jobs: Pick<JobsConfig, "dataDir" | "redisUrl" | "queuePrefix" | "retentionMs">,
): RequestLog {
  if (jobs.redisUrl) return new RedisRequestLog(jobs.redisUrl, jobs.queuePrefix, jobs.retentionMs);
  mkdirSync(jobs.dataDir, { recursive: true });
  return new SqliteRequestLog(embeddedDatabase(jobs.dataDir));
}
