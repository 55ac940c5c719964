/**
 * How the CLI fails: one line on stderr naming what went wrong, a non-zero exit, never a stack trace, never a
 * process left hanging on a half-started server.
 */

/** The one-line description of an error a user can act on. */
export function describeFailure(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  switch (e?.code) {
    case "ENOENT":
      return e.path ? `${e.path}: no such file or directory` : e.message;
    case "EACCES":
      return e.path ? `${e.path}: permission denied` : e.message;
    case "EISDIR":
      return e.path ? `${e.path}: is a directory, not a file` : e.message;
    case "EADDRINUSE":
      return `port ${e.port} on ${e.address} is already in use: stop what is using it or choose another with --port`;
    case "EADDRNOTAVAIL":
      return `cannot listen on ${e.address}: no such address on this machine (--host)`;
  }
  return err instanceof Error ? err.message : String(err);
}

export function fail(err: unknown): never {
  process.stderr.write(`earshot: ${describeFailure(err)}\n`);
  // Exit now: whatever the failed command had started (worker threads, sockets) must not keep the process alive.
  process.exit(1);
}

/**
 * A reader that went away (`earshot voices | head`) is not an error worth a message: stop quietly, with the
 * status a shell gives a process killed by SIGPIPE.
 */
export function exitOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE" || stream === process.stderr) process.exit(141);
    fail(err);
  });
}

/** Every way a command can fail ends in {@link fail}: rejected actions, and errors no code path was waiting for. */
export function failCleanly(): void {
  exitOnClosedPipe(process.stdout);
  exitOnClosedPipe(process.stderr);
  process.on("uncaughtException", fail);
  process.on("unhandledRejection", fail);
}
