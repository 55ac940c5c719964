/**
 * Every way the `earshot` command can fail ends the same: one `earshot: …` line on stderr, a non-zero exit, no
 * stack trace and no process left hanging. A reader that closes the pipe early ends it quietly.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clip } from "@earshot/bench/corpus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transcode } from "../support/audio.js";
import { CLI, type CliResult, runCli } from "../support/cli.js";
import { type FileServer, startFileServer } from "../support/server.js";

const jfk = clip("misc", "jfk");

/** One line, prefixed, no stack frames. */
function expectOneLineFailure(result: CliResult, pattern: RegExp): void {
  expect(result.code, result.stdout).not.toBe(0);
  expect(result.stderr).toMatch(/^earshot: [^\n]+\n$/);
  expect(result.stderr).toMatch(pattern);
}

/** `earshot … | true` through a shell (the reader is gone before anything is written): earshot's exit status and stderr. */
function intoClosedPipe(args: string[]): Promise<{ status: number; stderr: string }> {
  const quoted = args.map((a) => `'${a}'`).join(" ");
  const script = `"${process.execPath}" "${CLI}" ${quoted} 2>"$ERR" | true; echo "\${PIPESTATUS[0]}"`;
  const err = join(mkdtempSync(join(tmpdir(), "earshot-pipe-")), "stderr");
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", `${script}; cat "$ERR" >&2`], { env: { ...process.env, ERR: err } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", () => resolve({ status: Number(stdout.trim()), stderr }));
  });
}

describe("earshot failures", () => {
  let taken: Server;
  let takenPort: number;
  let files: FileServer;

  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    takenPort = (taken.address() as { port: number }).port;
    files = await startFileServer();
  });
  afterAll(async () => {
    taken.close();
    await files.close();
  });

  it("exits when the port is taken, for serve and demo", async () => {
    for (const args of [
      ["serve", "--port", String(takenPort), "--workers", "1"],
      ["demo", "--port", String(takenPort)],
    ]) {
      const result = await runCli(args);
      expectOneLineFailure(result, new RegExp(`port ${takenPort} on 127\\.0\\.0\\.1 is already in use`));
    }
  });

  it("refuses a port that is not a number before starting anything", async () => {
    expectOneLineFailure(
      await runCli(["serve", "--port", "abc"]),
      /--port must be a port number from 0 to 65535, got 'abc'/,
    );
    expectOneLineFailure(
      await runCli(["transcribe", jfk.path, "--workers", "0"]),
      /--workers must be a positive integer, got '0'/,
    );
  });

  it("names a missing file", async () => {
    expectOneLineFailure(await runCli(["listen", "nosuch.wav"]), /^earshot: nosuch\.wav: no such file or directory\n$/);
    expectOneLineFailure(await runCli(["transcribe", "nosuch.wav"]), /nosuch\.wav: no such file or directory/);
  });

  it("refuses an output file whose extension names no audio format, and writes nothing", async () => {
    const output = join(mkdtempSync(join(tmpdir(), "earshot-speak-")), "bad.xyz");
    expectOneLineFailure(await runCli(["speak", "Hello.", "-o", output]), /cannot tell the audio format from '\.xyz'/);
    expect(existsSync(output)).toBe(false);
  });

  it("says that the worker needs Redis", async () => {
    expectOneLineFailure(await runCli(["worker"], { env: { EARSHOT_REDIS_URL: "" } }), /needs Redis: pass --redis URL/);
    const help = await runCli(["worker", "--help"]);
    expect(help.stdout.replace(/\s+/g, " ")).toMatch(/--redis <url> .*required unless EARSHOT_REDIS_URL is set/);
  });

  it("streams an mp3 from a URL live", async () => {
    const mp3 = join(mkdtempSync(join(tmpdir(), "earshot-mp3-")), "jfk.mp3");
    writeFileSync(mp3, transcode(jfk.path, ["-b:a", "64k"], "jfk-listen.mp3"));
    const result = await runCli([
      "listen",
      `${files.url}/file?path=${encodeURIComponent(mp3)}`,
      "--fast",
      "--workers",
      "1",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split(/\s+/).filter(Boolean).length).toBeGreaterThan(3);
  });

  it("stops quietly when its reader closes the pipe", async () => {
    for (const args of [
      ["voices", "--aliases"],
      ["transcribe", jfk.path, "--format", "json", "--workers", "1", "--no-progress"],
      ["listen", jfk.path, "--json", "--fast", "--workers", "1"],
    ]) {
      const { status, stderr } = await intoClosedPipe(args);
      expect(stderr, args.join(" ")).toBe("");
      expect(status, args.join(" ")).toBe(141);
    }
  });
});
