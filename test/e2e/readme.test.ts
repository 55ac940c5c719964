/**
 * The README's promise: every shell command it shows works as written, from the repository's root, after the
 * set-up command. The commands are read out of its ```sh blocks and run through bash; servers among them run in
 * the background on free ports (the README's 8080 is swapped for one) while the other commands talk to them.
 * The few commands that cannot run on a test machine are listed in NOT_HERE with the reason; an entry that no
 * longer matches a README command fails the test, so the list cannot go stale.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@earshot/bench/processes";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const NOT_HERE: Record<string, string> = {
  "bash scripts/setup.sh && npm test": "it is the command that runs this test",
  "curl -X POST -H 'content-type: application/json' -d '{\"url\":\"https://dpgr.am/spacewalk.wav\"}' 'http://127.0.0.1:8080/v1/listen?paragraphs=true'":
    "it fetches audio from the internet, which test machines cannot reach",
  "docker build -t earshot .": "test machines have no Docker engine",
  "docker run --rm -p 8080:8080 -v earshot-data:/data earshot": "test machines have no Docker engine",
};

/** What a long-running command prints once it is ready for the commands after it. */
const SERVERS: Array<{ match: RegExp; ready: RegExp }> = [
  { match: /earshot serve\b/, ready: /earshot listening on/ },
  { match: /npm run quickstart\b/, ready: /Transcribed .*\n.*"[a-z]/ },
];

/** Every command of the README's ```sh blocks, continuation lines joined. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const commands: string[] = [];
  for (const [, block] of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const joined = block!.replace(/\\\n\s*/g, "");
    for (const line of joined.split("\n")) if (line.trim() && !line.trim().startsWith("#")) commands.push(line.trim());
  }
  return commands;
}

/** The command without its trailing `# comment`, as the NOT_HERE table names it. */
const bare = (command: string): string => command.replace(/\s+#\s.*$/, "");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe("README", () => {
  const children: ChildProcess[] = [];
  const before = new Set(readdirSync(root));
  afterAll(() => {
    // Like Ctrl-C: the whole process group (npx/npm, the shell and the server) gets SIGINT.
    for (const child of children) if (child.exitCode === null) process.kill(-child.pid!, "SIGINT");
    for (const entry of readdirSync(root)) if (!before.has(entry)) rmSync(join(root, entry), { recursive: true });
  });

  it("has a test command that builds, lints and type-checks the tests, with no lifecycle script to skip", () => {
    // .npmrc sets ignore-scripts (a dependency's install script would download), which also skips every pre- and
    // post- script: `pretest` never ran, so CI linted and type-checked nothing. The test command does it itself.
    const { scripts } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(readFileSync(join(root, ".npmrc"), "utf8")).toMatch(/^ignore-scripts=true$/m);
    expect(Object.keys(scripts).filter((name) => /^(pre|post)/.test(name))).toEqual([]);
    expect(scripts.test).toBe("npm run check && vitest run");
    expect(scripts.check).toBe("npm run build && npm run lint && npm run typecheck:tests");
    expect(scripts["typecheck:tests"]).toBe("tsc -p test/tsconfig.json");
  });

  it("links the earshot command at npm ci, before anything is built", { timeout: 300_000 }, () => {
    // A fresh install of the workspace manifests alone: the bin link must not depend on a build that comes later.
    const fresh = mkdtempSync(join(tmpdir(), "earshot-fresh-"));
    for (const file of ["package.json", "package-lock.json", ".npmrc"]) cpSync(join(root, file), join(fresh, file));
    for (const workspace of JSON.parse(readFileSync(join(root, "package.json"), "utf8")).workspaces as string[]) {
      mkdirSync(join(fresh, workspace), { recursive: true });
      cpSync(join(root, workspace, "package.json"), join(fresh, workspace, "package.json"));
    }
    cpSync(join(root, "packages/cli/bin"), join(fresh, "packages/cli/bin"), { recursive: true });
    execFileSync("npm", ["ci", "--offline", "--no-audit", "--no-fund"], { cwd: fresh, stdio: "pipe" });
    const bin = join(fresh, "node_modules/.bin/earshot");
    expect(existsSync(bin), "npm ci did not link node_modules/.bin/earshot").toBe(true);
    expect(realpathSync(bin)).toBe(realpathSync(join(fresh, "packages/cli/bin/earshot.js")));
    // Before the build it says what to do instead of failing with a stack.
    let failure: { status: number; stderr: Buffer } | undefined;
    try {
      execFileSync(bin, ["--version"], { cwd: fresh, stdio: "pipe" });
    } catch (err) {
      failure = err as { status: number; stderr: Buffer };
    }
    expect(failure?.status).toBe(1);
    expect(failure?.stderr.toString()).toBe(
      "earshot: the command is not built yet; run `npm run build` (or `bash scripts/setup.sh`).\n",
    );
    rmSync(fresh, { recursive: true });
  });

  it("runs every command it shows", { timeout: 900_000 }, async () => {
    const commands = readmeCommands();
    for (const skipped of Object.keys(NOT_HERE)) {
      expect(commands.map(bare), `NOT_HERE names a command the README no longer shows: ${skipped}`).toContain(skipped);
    }
    const port = String(await freePort());
    // `earshot demo` listens on EARSHOT_PORT; the README's explicit 8080s become `port`. Jobs and keys go to a
    // data directory of this test's own, not the user's `~/.earshot`.
    const env = {
      ...process.env,
      EARSHOT_PORT: String(await freePort()),
      EARSHOT_DATA_DIR: mkdtempSync(join(tmpdir(), "earshot-readme-data-")),
      NO_COLOR: "1",
    };
    const failures: string[] = [];
    for (const command of commands) {
      if (NOT_HERE[bare(command)]) continue;
      // The set-up command has run already (it is what CI runs first); what follows it is the command to try.
      const runnable = command.replace(/^bash scripts\/setup\.sh && /, "").replaceAll("8080", port);
      const server = SERVERS.find((s) => s.match.test(runnable));
      const outcome = server ? await startInBackground(runnable, server.ready, env) : await run(runnable, env);
      if ("child" in outcome) {
        children.push(outcome.child);
        continue;
      }
      const problem = check(command, outcome);
      if (problem) failures.push(`${command}\n  → ${problem}`);
    }
    expect(failures, failures.join("\n")).toEqual([]);
  });

  function run(command: string, env: NodeJS.ProcessEnv): Promise<Run> {
    return new Promise((resolveRun) => {
      const child = spawn("bash", ["-c", command], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      // Bounded: a command that hangs is a failure, not a stuck suite.
      const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolveRun({ code, stdout, stderr });
      });
    });
  }

  function startInBackground(
    command: string,
    ready: RegExp,
    env: NodeJS.ProcessEnv,
  ): Promise<{ child: ChildProcess } | Run> {
    return new Promise((resolveStart) => {
      const child = spawn("bash", ["-c", command], {
        cwd: root,
        env,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      let output = "";
      const timer = setTimeout(() => {
        process.kill(-child.pid!, "SIGKILL");
        resolveStart({ code: null, stdout: output, stderr: "not ready after 120 s" });
      }, 120_000);
      const onData = (d: Buffer) => {
        output += d;
        if (ready.test(output)) {
          clearTimeout(timer);
          resolveStart({ child });
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolveStart({ code, stdout: output, stderr: "" });
      });
    });
  }
});

/** What is wrong with a finished command's outcome, or undefined when it did what the README says. */
function check(command: string, outcome: Run): string | undefined {
  if (outcome.code !== 0) return `exit ${outcome.code}: ${(outcome.stderr || outcome.stdout).trim().slice(0, 500)}`;
  if (/\bcurl\b/.test(command)) {
    const body = JSON.parse(outcome.stdout);
    if (body.err_code || body.error) return `the server answered ${outcome.stdout.slice(0, 300)}`;
    // OpenAI's transcription shape, or Deepgram's.
    const transcript = command.includes("/v1/audio/")
      ? body.text
      : body.results?.channels?.[0]?.alternatives?.[0]?.transcript;
    if (!transcript) return "no transcript in the response";
  }
  if (/earshot transcribe .*--format json/.test(command) && !JSON.parse(outcome.stdout).metadata?.request_id) {
    return "no Deepgram response on stdout";
  }
  if (/earshot transcribe [^>]*$/.test(command) && !/--format json/.test(command) && !/[a-z]{3}/.test(outcome.stdout)) {
    return "no words on stdout";
  }
  const written = command.match(/(?:>|-o) (\S+\.(?:srt|mp3))\b/)?.[1];
  if (written && !existsSync(join(root, written))) return `${written} was not written`;
  return undefined;
}
