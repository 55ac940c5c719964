/**
 * Fetching one model file over HTTP into a `.part` file that survives failures: a dropped connection or a stall
 * is retried from where it stopped (HTTP Range), and a later `pull` resumes the same file. The hub is addressed
 * as huggingface_hub does: `HF_ENDPOINT` replaces `https://huggingface.co` (mirrors), and `HF_TOKEN` is sent as
 * a bearer token to that endpoint only, never to another host.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, stat, truncate } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { EarshotError } from "@earshot/protocol";

const HUB = "https://huggingface.co";

/** A model download or install that failed; `code` tells why (e.g. `CHECKSUM_MISMATCH`, `NOT_FOUND`). */
export class ModelInstallError extends EarshotError {
  override name = "ModelInstallError";
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(500, code, message, options);
  }
}

export interface HubSettings {
  /** The hub's address; default `HF_ENDPOINT`, else `https://huggingface.co`. */
  endpoint?: string | undefined;
  /** Bearer token for the hub; default `HF_TOKEN`. */
  token?: string | undefined;
}

/** The hub settings of an environment, read as huggingface_hub reads them. */
export function hubFromEnv(env: NodeJS.ProcessEnv = process.env): HubSettings {
  return { endpoint: env.HF_ENDPOINT || undefined, token: env.HF_TOKEN || undefined };
}

/** A catalog URL as this host fetches it: hub URLs move to `endpoint`, with the token when there is one. */
export function hubRequest(url: string, hub: HubSettings): { url: string; headers: Record<string, string> } {
  const endpoint = (hub.endpoint ?? HUB).replace(/\/+$/, "");
  const onHub = url === HUB || url.startsWith(`${HUB}/`);
  const target = onHub ? endpoint + url.slice(HUB.length) : url;
  const toEndpoint = target.startsWith(`${endpoint}/`);
  return { url: target, headers: hub.token && toEndpoint ? { authorization: `Bearer ${hub.token}` } : {} };
}

export interface DownloadOptions {
  headers?: Record<string, string>;
  /** Expected size in bytes, when the catalog gives one. */
  size?: number | undefined;
  /** Attempts after a dropped connection or a stall, each resuming. Default 5. */
  retries?: number;
  /** No byte for this long counts as a stall, ms. Default 30 s. */
  stallMs?: number;
  /** Before the first retry, ms; doubles each time. Default 500. */
  retryDelayMs?: number;
  signal?: AbortSignal | undefined;
  /** Bytes on disk so far and the total when known, after every chunk. */
  onProgress?: (received: number, total: number | undefined) => void;
  /** Called with the bytes still to come once the server has said how many; throw (or reject) to refuse. */
  onLength?: (remaining: number) => void | Promise<void>;
}

const sizeOf = async (path: string): Promise<number> => {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
};

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** Failures worth another attempt: the connection, not the answer. */
class Transient extends Error {}

/** Downloads `url` into `partPath`, resuming what is already there. Resolves once the file is complete. */
export async function downloadFile(url: string, partPath: string, options: DownloadOptions = {}): Promise<void> {
  const retries = options.retries ?? 5;
  let delay = options.retryDelayMs ?? 500;
  for (let attempt = 0; ; attempt++) {
    try {
      await attemptDownload(url, partPath, options);
      return;
    } catch (err) {
      if (!(err instanceof Transient) || attempt >= retries || options.signal?.aborted) {
        throw err instanceof Transient
          ? new ModelInstallError(
              "DOWNLOAD_FAILED",
              `Downloading ${url} failed after ${attempt + 1} attempts: ${err.message}. Run the command again to resume.`,
              { cause: err },
            )
          : err;
      }
      await sleep(delay, options.signal);
      delay *= 2;
    }
  }
}

async function attemptDownload(url: string, partPath: string, options: DownloadOptions): Promise<void> {
  let have = await sizeOf(partPath);
  if (options.size !== undefined && have === options.size) return;
  if (options.size !== undefined && have > options.size) {
    await truncate(partPath, 0);
    have = 0;
  }
  const stall = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stall.signal]) : stall.signal;
  const stallMs = options.stallMs ?? 30_000;
  let timer = setTimeout(() => stall.abort(new Transient(`no data for ${stallMs / 1000} s`)), stallMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stall.abort(new Transient(`no data for ${stallMs / 1000} s`)), stallMs);
  };
  try {
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { ...options.headers, ...(have > 0 ? { range: `bytes=${have}-` } : {}) },
        redirect: "follow",
        signal,
      });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw new Transient((stall.signal.reason as Error | undefined)?.message ?? describe(err));
    }
    if (res.status === 416 && have > 0) {
      // The part file is already whole (or longer than the file now is): start over rather than guess.
      await res.body?.cancel();
      await truncate(partPath, 0);
      throw new Transient("the server refused the resume range");
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new ModelInstallError(
        res.status === 404
          ? "NOT_FOUND"
          : res.status === 401 || res.status === 403
            ? "UNAUTHORIZED"
            : "DOWNLOAD_FAILED",
        `${url} answered ${res.status} ${res.statusText}${
          res.status === 401 || res.status === 403 ? " (a gated or private repository needs HF_TOKEN)" : ""
        }.`,
      );
    }
    const resumed = res.status === 206;
    if (!resumed && have > 0) have = 0; // the server ignored Range: its body is the whole file
    const length = Number(res.headers.get("content-length") ?? Number.NaN);
    const total = Number.isFinite(length) ? have + length : options.size;
    if (Number.isFinite(length)) {
      try {
        await options.onLength?.(length);
      } catch (err) {
        await res.body?.cancel();
        throw err;
      }
    }
    if (!res.body) throw new Transient("the response has no body");
    let received = have;
    options.onProgress?.(received, total);
    // Each chunk is on disk before the next is read, so an attempt the connection cuts keeps every byte it
    // received and the next one resumes from there (a piped write stream, destroyed by the read error, drops
    // what it still buffers — under load, a whole attempt's bytes).
    const file = await open(partPath, resumed ? "a" : "w");
    try {
      const reader = res.body.getReader();
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          if (options.signal?.aborted) throw err;
          throw new Transient((stall.signal.reason as Error | undefined)?.message ?? describe(err));
        }
        if (chunk.done) break;
        touch();
        try {
          await file.write(chunk.value);
        } catch (err) {
          await reader.cancel();
          throw new ModelInstallError("DOWNLOAD_FAILED", `Writing ${partPath} failed: ${describe(err)}.`, {
            cause: err,
          });
        }
        received += chunk.value.length;
        options.onProgress?.(received, total);
      }
    } finally {
      await file.close();
    }
    if (total !== undefined && received < total) {
      throw new Transient(`the connection closed after ${received} of ${total} bytes`);
    }
  } finally {
    clearTimeout(timer);
  }
}

const describe = (err: unknown): string => {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message;
};

/** The sha256 of a file, streamed (models run to gigabytes). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}
