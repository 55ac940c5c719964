/** How a long-running command (`serve`, `demo`) ends: on Ctrl-C, on SIGTERM, and with the npx that started it. */

const PARENT_POLL_MS = 1000;

export function runUntilStopped(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  // `npx earshot serve` runs us under `npm exec` and a shell; killing the npx process ends those two but not
  // us, which left servers running after their npx was gone. npm marks the processes it starts with
  // `npm_command=exec`: under it, losing our parent means the command was stopped.
  if (process.env.npm_command === "exec") {
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) stop();
    }, PARENT_POLL_MS).unref();
  }
}
