/**
 * A server fault is not the client's: with an ffmpeg that cannot be started, audio that needs it gets a 503
 * (not the 400 of undecodable audio), a live stream of it closes with 1011 (not 1008 DATA-0000), a job of it is
 * retried, and speech that must be encoded by it is a 503 too — while WAV, which needs no ffmpeg, is served.
 */
import { readFileSync } from "node:fs";
import { clip } from "@earshot/bench/corpus";
import { JobSchema, LiveCloseCode, LiveCloseReason } from "@earshot/protocol";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { transcode } from "../support/audio.js";
import { chunks, sleep } from "../support/live.js";
import { postListen, startTestServer } from "../support/server.js";

const jfk = clip("misc", "jfk");
const MISSING_FFMPEG = "/nonexistent/earshot-test/ffmpeg";

let server: EarshotServer;
let mp3: Uint8Array;

beforeAll(async () => {
  mp3 = transcode(jfk.path, ["-c:a", "libmp3lame", "-b:a", "64k"], "unavailable.mp3");
  server = await startTestServer({ engine: { workers: 1, ffmpegBinary: MISSING_FFMPEG }, jobs: { maxAttempts: 2 } });
});
afterAll(async () => {
  await server?.close();
});

describe("an ffmpeg that cannot be started", () => {
  it("answers POST /v1/listen of an mp3 with a 503, and still transcribes WAV", async () => {
    const res = await postListen(server.url, mp3);
    expect(res.status).toBe(503);
    expect(res.body.err_code).toBe("SERVICE_UNAVAILABLE");
    expect(res.body.err_msg).toContain(MISSING_FFMPEG);
    const wav = await postListen(server.url, readFileSync(jfk.path));
    expect(wav.status).toBe(200);
    expect(wav.body.results.channels[0].alternatives[0].transcript).toMatch(/country/);
  });

  it("answers POST /v1/speak of an mp3 with a 503 (the encoder is ffmpeg too)", async () => {
    const res = await fetch(`${server.url}/v1/speak?model=flite-rms-en&encoding=mp3`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "Hello." }),
    });
    expect(res.status).toBe(503);
    expect((await res.json()).err_code).toBe("SERVICE_UNAVAILABLE");
  });

  it.each([
    ["WebM/Opus", ["-c:a", "libopus", "-b:a", "32k"], "unavailable.webm"],
    ["Ogg/Opus", ["-c:a", "libopus", "-b:a", "32k"], "unavailable.ogg"],
  ])("closes a live %s stream with 1011, not DATA-0000", async (_label, args, name) => {
    const audio = transcode(jfk.path, args, name);
    const socket = new WebSocket(`${server.url.replace("http", "ws")}/v1/listen`);
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    for (const chunk of chunks(audio, 4096)) socket.send(chunk);
    expect(await closed).toEqual({ code: LiveCloseCode.ServerError, reason: LiveCloseReason.ServerError });
  });

  it("retries a job of an mp3 (a 5xx may be transient), then records the 503", async () => {
    const submitted = await fetch(`${server.url}/v1/jobs`, { method: "POST", body: mp3 as Uint8Array<ArrayBuffer> });
    expect(submitted.status).toBe(202);
    const { request_id } = await submitted.json();
    let job = JobSchema.parse(await (await fetch(`${server.url}/v1/jobs/${request_id}`)).json());
    for (let i = 0; i < 600 && job.status !== "done" && job.status !== "error"; i++) {
      await sleep(100);
      job = JobSchema.parse(await (await fetch(`${server.url}/v1/jobs/${request_id}`)).json());
    }
    expect(job.status).toBe("error");
    expect(job.attempts).toBe(2);
    expect(job.error).toMatchObject({ status: 503, err_code: "SERVICE_UNAVAILABLE" });
  });
});
