/** The `earshot` command as a user runs it: in-process and against a server, in every output format. */
import { readFileSync } from "node:fs";
import { clip } from "@earshot/bench/corpus";
import { countErrors } from "@earshot/engine";
import { ListenResponseSchema } from "@earshot/protocol";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { startTestServer } from "../support/server.js";

const jfk = clip("misc", "jfk");
let server: EarshotServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe("earshot transcribe", () => {
  it("runs an in-process server and prints text", async () => {
    const { code, stdout, stderr } = await runCli(["transcribe", jfk.path, "--workers", "1"]);
    expect(code, stderr).toBe(0);
    const c = countErrors(jfk.reference, stdout);
    expect((c.substitutions + c.deletions + c.insertions) / c.words).toBeLessThan(0.5);
  });

  it("prints the Deepgram JSON from a remote server, with options", async () => {
    const { code, stdout, stderr } = await runCli([
      "transcribe",
      jfk.path,
      "--server",
      server.url,
      "--format",
      "json",
      "--utterances",
      "-o",
      "tag=cli",
      "-o",
      "tag=e2e",
    ]);
    expect(code, stderr).toBe(0);
    const body = ListenResponseSchema.parse(JSON.parse(stdout));
    expect(body.metadata.tags).toEqual(["cli", "e2e"]);
    expect(body.results.utterances?.length).toBeGreaterThan(0);
  });

  it("prints SRT and WebVTT, reading audio from stdin", async () => {
    const srt = await runCli(["transcribe", "-", "--server", server.url, "--format", "srt"], {
      stdin: readFileSync(jfk.path),
    });
    expect(srt.code, srt.stderr).toBe(0);
    expect(srt.stdout).toMatch(/^1\n00:00:\d{2},\d{3} --> 00:00:\d{2},\d{3}\n\S/);
    const vtt = await runCli(["transcribe", jfk.path, "--server", server.url, "--format", "vtt"]);
    expect(vtt.code, vtt.stderr).toBe(0);
    expect(vtt.stdout).toMatch(/^WEBVTT\n\n00:00:\d{2}\.\d{3} --> /);
  });

  it("exits non-zero with the server's message on bad input", async () => {
    const { code, stderr } = await runCli(["transcribe", "-", "--server", server.url], {
      stdin: new TextEncoder().encode("nope"),
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/unrecognised format/);
  });
});

describe("earshot models", () => {
  it("lists the installed models with the default marked", async () => {
    const { code, stdout } = await runCli(["models", "list"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\* stt\s+pocketsphinx-en-us\s/m);
    expect(stdout).toMatch(/vad\s+silero-vad-v5/);
  });
});
