/** Flags shared by `earshot serve` and `earshot worker` for the job engine, mapped to server settings. */
import type { JobsConfig, WebhookConfig } from "@earshot/server";
import type { Command } from "commander";
import { integer } from "./flags.js";

export interface JobFlags {
  redis?: string;
  dataDir?: string;
  blobDir?: string;
  retention?: number;
  webhookSecret?: string;
}

/** `redis: "required"` for `earshot worker`, which only runs jobs from Redis. */
export function addJobFlags(command: Command, redis: "optional" | "required" = "optional"): Command {
  return command
    .option(
      "--redis <url>",
      redis === "required"
        ? "the Redis that holds the job queue; required unless EARSHOT_REDIS_URL is set"
        : "scale out: jobs go through BullMQ on this Redis (EARSHOT_REDIS_URL)",
    )
    .option("--data-dir <dir>", "embedded job store and audio, default ~/.earshot (EARSHOT_DATA_DIR)")
    .option("--blob-dir <dir>", "job audio; with --redis a path every worker shares (EARSHOT_BLOB_DIR)")
    .option(
      "--retention <seconds>",
      "delete job audio and results this long after they end, default 86400 (EARSHOT_JOB_RETENTION_SECONDS)",
      integer(1),
    )
    .option("--webhook-secret <secret>", "signs callbacks, whsec_<base64> or any string (EARSHOT_WEBHOOK_SECRET)");
}

export function jobSettings(flags: JobFlags): { jobs: Partial<JobsConfig>; webhooks: Partial<WebhookConfig> } {
  return {
    jobs: {
      ...(flags.redis ? { redisUrl: flags.redis } : {}),
      ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
      ...(flags.blobDir ? { blobDir: flags.blobDir } : {}),
      ...(flags.retention !== undefined ? { retentionMs: flags.retention * 1000 } : {}),
    },
    webhooks: flags.webhookSecret ? { secret: flags.webhookSecret } : {},
  };
}
