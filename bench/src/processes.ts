/**
 * Real processes for job benchmarks and tests: a throwaway `redis-server` (Debian's) on a free loopback port
 * (without persistence, or with the durable kind for crash tests), and `earshot serve` / `earshot worker` started from the built CLI — the only way to
 * measure separate worker processes, or to kill one with SIGKILL.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../packages/cli/dist/main.js", import.meta.url));

export interface RedisServer {
  url: string;
  /** Stops it with `signal` (SIGKILL: a crash), keeping its data directory for {@link RedisServer.restart}. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and directory: a durable one reloads its append-only file. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `child` prints `ready` (a string, or a pattern whose first group is returned) on `stream`. */
function whenReady(
  child: ChildProcess,
  stream: NodeJS.ReadableStream,
  ready: RegExp,
  name: string,
): Promise<{ match: string; output: () => string }> {
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 60_000);
    stream.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const found = output.match(ready);
      if (found) {
        clearTimeout(timer);
        resolve({ match: found[1] ?? found[0], output: () => output });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output}`));
    });
  });
}

/** Children still running: a benchmark stopped with Ctrl-C or `kill` takes them with it. */
const running = new Set<ChildProcess>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const child of running) child.kill("SIGKILL");
    process.exit(128 + (signal === "SIGINT" ? 2 : 15));
  });
}
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

function stopper(child: ChildProcess): (signal?: NodeJS.Signals) => Promise<void> {
  running.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      running.delete(child);
      resolve();
    }),
  );
  return async (signal = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
}

/**
 * A `redis-server` of its own on a free port. `durable`: with the persistence the README asks of production
 * (append-only file, fsync on every write), so a `kill -9` loses nothing it acknowledged; otherwise none at all.
 */
export async function startRedis(options: { durable?: boolean } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "earshot-redis-"));
  const persistence = options.durable
    ? ["--appendonly", "yes", "--appendfsync", "always"]
    : ["--save", "", "--appendonly", "no"];
  const launch = async (): Promise<(signal?: NodeJS.Signals) => Promise<void>> => {
    const child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", ...persistence],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    await whenReady(child, child.stdout, /Ready to accept connections/, "redis-server");
    return stopper(child);
  };
  let stop = await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    kill: (signal) => stop(signal),
    async restart() {
      stop = await launch();
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface EarshotProcess {
  child: ChildProcess;
  /** The server's URL (`serve`), or "" (`worker`). */
  url: string;
  /** What the process wrote to stderr so far. */
  log(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `earshot <args>` and resolves once it says it is listening (`serve`) or ready (`worker`). */
export async function startEarshot(args: string[], env: Record<string, string> = {}): Promise<EarshotProcess> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, EARSHOT_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const kill = stopper(child);
  const ready = await whenReady(
    child,
    child.stderr,
    /earshot listening on (http:\/\/\S+)|earshot worker ready/,
    `earshot ${args[0]}`,
  );
  return { child, url: ready.match.startsWith("http") ? ready.match : "", log: ready.output, kill };
}
