/**
 * Bad input to `POST /v1/listen`: every failure is a Deepgram error body with the right status, and the
 * server keeps serving afterwards.
 */
import { readFileSync } from "node:fs";
import { clip } from "@earshot/bench/corpus";
import { ErrorBodySchema } from "@earshot/protocol";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transcode } from "../support/audio.js";
import { type FileServer, postListen, startFileServer, startTestServer } from "../support/server.js";

const lj = clip("ljspeech-dev", "LJ001-0002");
const wav = readFileSync(lj.path);

let server: EarshotServer;
/** A second server with tight limits and no allow-list, the way a deployment runs. */
let strict: EarshotServer;
let files: FileServer;

beforeAll(async () => {
  [server, strict, files] = await Promise.all([
    startTestServer(),
    startTestServer({
      maxBodyBytes: 256 * 1024,
      url: { allowList: [], timeoutMs: 1500 },
      engine: { workers: 1, queueLimit: 2 },
    }),
    startFileServer(),
  ]);
});
afterAll(async () => {
  await Promise.all([server?.close(), strict?.close(), files?.close()]);
});

async function expectError(
  res: { status: number; headers: Headers; body: unknown },
  status: number,
  code: string,
  message?: RegExp,
): Promise<void> {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  const body = ErrorBodySchema.parse(res.body);
  expect(body.err_code).toBe(code);
  expect(body.request_id).toBe(res.headers.get("dg-request-id"));
  if (message) expect(body.err_msg).toMatch(message);
}

describe("bad audio", () => {
  it("rejects an empty body", async () => {
    await expectError(await postListen(server.url, new Uint8Array(0)), 400, "EMPTY_AUDIO");
  });

  it("rejects bytes that are not audio", async () => {
    await expectError(
      await postListen(server.url, new TextEncoder().encode("<html>hello</html>")),
      400,
      "UNSUPPORTED_AUDIO",
    );
  });

  it("rejects a truncated WAV file", async () => {
    await expectError(
      await postListen(server.url, wav.subarray(0, wav.length / 2)),
      400,
      "CORRUPT_AUDIO",
      /truncated/i,
    );
    await expectError(await postListen(server.url, wav.subarray(0, 30)), 400, "CORRUPT_AUDIO", /truncated/i);
  });

  it("rejects a truncated MP4 and a corrupt FLAC", async () => {
    const m4a = transcode(lj.path, ["-c:a", "aac"], "t.m4a");
    await expectError(await postListen(server.url, m4a.subarray(0, 2000)), 400, "CORRUPT_AUDIO");
    const flac = Buffer.from(transcode(lj.path, ["-c:a", "flac"], "t.flac"));
    flac.fill(0x5a, 200, flac.length - 100);
    await expectError(await postListen(server.url, flac), 400, "CORRUPT_AUDIO");
  });

  it("rejects codecs it cannot decode", async () => {
    // WAV with an ADPCM payload: a real container, a codec the native reader does not take.
    const adpcm = transcode(lj.path, ["-c:a", "adpcm_ms"], "t-adpcm.wav");
    await expectError(await postListen(server.url, adpcm), 400, "UNSUPPORTED_AUDIO", /encoding/);
    // A WebM with video and no audio track.
    const video = transcode(
      lj.path,
      ["-f", "lavfi", "-i", "color=c=black:s=32x32:d=1", "-map", "1:v", "-c:v", "libvpx"],
      "t-video.webm",
    );
    await expectError(await postListen(server.url, video), 400, "UNSUPPORTED_AUDIO");
  });

  it("rejects an empty body sent without a Content-Type", async () => {
    const res = await fetch(`${server.url}/v1/listen`, { method: "POST" });
    await expectError({ status: res.status, headers: res.headers, body: await res.json() }, 400, "EMPTY_AUDIO");
  });

  it("asks for sample_rate with a raw encoding", async () => {
    await expectError(
      await postListen(server.url, new Uint8Array(3200), "encoding=linear16"),
      400,
      "INVALID_QUERY_PARAMETER",
      /encoding=linear16 requires sample_rate/,
    );
  });
});

describe("bad options", () => {
  it.each([
    ["utt_split=soon", /utt_split/],
    ["multichannel=perhaps", /multichannel/],
    ["encoding=wav49", /encoding/],
    ["sample_rate=-5&encoding=linear16", /sample_rate/],
    ["extra=nocolon", /extra/],
    ["model=no-such-model", /Unknown model/],
    ["language=fr", /language/],
  ])("rejects %s with 400", async (query, message) => {
    const res = await postListen(server.url, wav, query);
    expect(res.status).toBe(400);
    expect(res.body.err_msg).toMatch(message);
  });

  it("rejects a JSON body that is not {url}", async () => {
    const res = await fetch(`${server.url}/v1/listen`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"uri": "x"}',
    });
    expect(res.status).toBe(400);
    const bad = await fetch(`${server.url}/v1/listen`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(bad.status).toBe(400);
    expect(ErrorBodySchema.parse(await bad.json()).err_code).toBe("INVALID_JSON");
  });

  it("says a number option must be a number, quoting the value", async () => {
    await expectError(
      await postListen(server.url, wav, "sample_rate=abc&encoding=linear16"),
      400,
      "INVALID_QUERY_PARAMETER",
      /sample_rate must be a number, got 'abc'/,
    );
  });

  it("answers a plain GET on the WebSocket route with 426, saying what the route is", async () => {
    const res = await fetch(`${server.url}/v1/listen`);
    expect(res.status).toBe(426);
    expect(res.headers.get("upgrade")).toBe("websocket");
    const body = ErrorBodySchema.parse(await res.json());
    expect(body.err_code).toBe("UPGRADE_REQUIRED");
    expect(body.err_msg).toMatch(/WebSocket route/);
  });
});

describe("limits", () => {
  it("answers 413 for a body over the size limit", async () => {
    await expectError(await postListen(strict.url, new Uint8Array(300 * 1024)), 413, "PAYLOAD_TOO_LARGE");
  });

  it("refuses private, loopback and link-local URLs unless allow-listed", async () => {
    for (const url of [
      "http://127.0.0.1:9/a.wav",
      "http://169.254.169.254/latest",
      "http://[::1]/a.wav",
      "http://10.0.0.1/a",
    ]) {
      await expectError(await postListen(strict.url, { url }), 400, "URL_REFUSED");
    }
    await expectError(await postListen(strict.url, { url: "http://localhost:9/a.wav" }), 400, "URL_REFUSED");
    await expectError(await postListen(strict.url, { url: "file:///etc/passwd" }), 400, "URL_REFUSED");
  });

  it("checks every redirect hop", async () => {
    // The allow-listed server follows a redirect to a refused scheme and refuses it.
    const res = await postListen(server.url, {
      url: `${files.url}/redirect?to=${encodeURIComponent("file:///etc/passwd")}`,
    });
    await expectError(res, 400, "URL_REFUSED");
  });

  it("reports unreachable URLs, error statuses and timeouts", async () => {
    await expectError(await postListen(server.url, { url: "http://127.0.0.1:9/a.wav" }), 400, "URL_UNREACHABLE");
    await expectError(await postListen(server.url, { url: `${files.url}/status/404` }), 400, "URL_UNREACHABLE", /404/);
    const slow = await startTestServer({ url: { allowList: ["127.0.0.0/8"], timeoutMs: 500 }, engine: { workers: 1 } });
    try {
      await expectError(await postListen(slow.url, { url: `${files.url}/slow` }), 400, "URL_UNREACHABLE", /timed out/);
    } finally {
      await slow.close();
    }
  });

  it("answers 429 with Retry-After when the queue is full, then recovers", async () => {
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => postListen(strict.url, new Uint8Array(wav.subarray(0, 200_000)))),
    );
    const limited = responses.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const r of limited) {
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(r.body.err_code).toBe("TOO_MANY_REQUESTS");
    }
    expect(responses.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    expect(responses.every((r) => r.status === 200 || r.status === 429)).toBe(true);
  });
});

describe("resilience", () => {
  // Minutes of real speech: generous on a loaded 2-core machine.
  it("finishes or refuses 20 concurrent requests and stays healthy", { timeout: 300_000 }, async () => {
    // Twenty different clips, cut to their first 2.5 s: admission is what is tested, not stamina.
    const clips = Array.from({ length: 20 }, (_, i) => {
      const name = `LJ001-${String(i + 1).padStart(4, "0")}`;
      return transcode(clip("ljspeech-dev", name).path, ["-t", "2.5"], `${name}-2.5s.wav`);
    });
    const responses = await Promise.all(clips.map((bytes) => postListen(server.url, bytes)));
    const statuses = responses.map((r) => r.status);
    expect(
      statuses.every((s) => s === 200 || s === 429),
      statuses.join(","),
    ).toBe(true);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(16);
    const status = await (await fetch(`${server.url}/v1/status`)).json();
    expect(status).toMatchObject({ status: "ok", engine: { queue_depth: 0, busy_workers: 0 } });
    const after = await postListen(server.url, wav);
    expect(after.status).toBe(200);
  });

  it("keeps serving after every kind of bad request", async () => {
    const res = await postListen(server.url, wav);
    expect(res.status).toBe(200);
    expect(res.body.results.channels[0].alternatives[0].words.length).toBeGreaterThan(0);
  });

  it("answers unknown routes with a Deepgram error body", async () => {
    const res = await fetch(`${server.url}/v1/nothing-here`);
    expect(res.status).toBe(404);
    expect(ErrorBodySchema.parse(await res.json()).err_code).toBe("NOT_FOUND");
  });
});
