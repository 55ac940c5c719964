/**
 * The OctoAI-style Whisper endpoint and its futures, driven by `test/python/octoai_client.py`: OctoAI's Python
 * client sequence (`health_check`, `infer`, `infer_async`, `is_future_ready`, `get_future_result`) over httpx, as
 * the SDK made it. The future's result expires with the job retention (short here), then answers 404.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { clip } from "@earshot/bench/corpus";
import { wordErrorRate } from "@earshot/engine";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "../support/server.js";

const run = promisify(execFile);
const KEY = "octoai-token";
const RETENTION_SECONDS = 3;
const SCRIPT = fileURLToPath(new URL("../python/octoai_client.py", import.meta.url));
const lj = clip("ljspeech-dev", "LJ001-0004");

/** A Python with httpx: `EARSHOT_PYTHON`, the one on PATH, or Debian's (where `python3-httpx` installs). */
async function pythonWithHttpx(): Promise<string> {
  const candidates = [process.env.EARSHOT_PYTHON, "python3", "/usr/bin/python3"].filter((c): c is string => !!c);
  for (const python of candidates) {
    try {
      await run(python, ["-c", "import httpx"]);
      return python;
    } catch {}
  }
  throw new Error(
    `No Python with httpx among ${candidates.join(", ")}: the OctoAI client test needs it. ` +
      "Install Debian's python3-httpx (scripts/setup.sh does), or `pip install httpx`, or set EARSHOT_PYTHON.",
  );
}

let server: EarshotServer;

beforeAll(async () => {
  server = await startTestServer({ apiKeys: [KEY], jobs: { retentionMs: RETENTION_SECONDS * 1000 } });
});
afterAll(async () => {
  await server?.close();
});

describe("OctoAI's Python client sequence", () => {
  it("health check, infer, infer_async → poll → result, expiry, and OctoAI's errors", async () => {
    const python = await pythonWithHttpx();
    // Asynchronously: the server answering the script runs in this process.
    const { stdout } = await run(python, [SCRIPT, server.url, KEY, lj.path, String(RETENTION_SECONDS)], {
      timeout: 110_000,
    });
    const out = JSON.parse(stdout);
    expect(out.health).toBe(200);

    for (const result of [out.sync, out.async]) {
      expect(wordErrorRate([{ reference: lj.reference, hypothesis: result.transcription }])).toBeLessThan(0.4);
      expect(result.response.text).toBe(result.transcription);
      expect(result.response.language).toBe("en");
      const segments = result.response.segments;
      expect(segments.length).toBeGreaterThan(0);
      expect(segments.map((s: any) => s.text).join(" ")).toBe(result.transcription);
      expect(segments.map((s: any) => s.id)).toEqual(segments.map((_: unknown, i: number) => i));
      expect(segments.every((s: any) => s.start < s.end && s.end <= lj.duration)).toBe(true);
    }
    expect(out.async).toEqual(out.sync);

    expect(out.future.poll_url).toBe(`${server.url}/v1/requests/${out.future.response_id}`);
    // Polling never saw a failure. ("completed" too: the status can change between `is_future_ready`'s poll and
    // the script's next one.)
    expect(out.statuses.every((s: string) => ["pending", "running", "completed"].includes(s))).toBe(true);
    expect(out.expired).toMatch(/^Error: 404 .*has expired/);

    expect(out.translate_error).toMatch(/^Error: 400 .*no installed speech model translates/);
    expect(out.bad_audio_error).toMatch(/^Error: 400 \{"detail":"Failed to process audio/);
    expect(out.unauthorised_error).toBe('Error: 401 {"detail":"Invalid credentials."}');
  });

  it("answers a result asked for too early with 425, and the health check without a key", async () => {
    const headers = { authorization: `Bearer ${KEY}`, "content-type": "application/json", "x-octoai-async": "1" };
    const audio = (await readFile(lj.path)).toString("base64");
    const created = await fetch(`${server.url}/predict`, { method: "POST", headers, body: JSON.stringify({ audio }) });
    expect(created.status).toBe(201);
    const { response_id } = await created.json();
    const early = await fetch(`${server.url}/v1/responses/${response_id}`, { headers });
    // The job is still queued or running this soon after it was submitted.
    expect(early.status).toBe(425);
    expect(await early.json()).toEqual({ detail: expect.stringMatching(/not completed/) });
    expect(await (await fetch(`${server.url}/healthcheck`)).json()).toEqual({ healthy: "yes" });
  });
});
