/**
 * `/metrics` on a real server: scraped before and after a transcription and a live stream, the counters move —
 * requests by route and status, audio seconds, streams, real-time factor, engine queue waits, worker time,
 * model loads — and the gauges read the engine and the job store.
 */
import { readFileSync } from "node:fs";
import { clip } from "@earshot/bench/corpus";
import { EarshotClient } from "@earshot/sdk";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { chunks, pcm16, silence } from "../support/live.js";
import { startTestServer } from "../support/server.js";

const jfk = clip("misc", "jfk");

let server: EarshotServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

type Samples = Array<{ name: string; labels: Record<string, string>; value: number }>;

async function scrape(): Promise<Samples> {
  const response = await fetch(`${server.url}/metrics`);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples: Samples = [];
  for (const line of (await response.text()).split("\n")) {
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of a metric's samples whose labels include `labels`. */
const value = (samples: Samples, name: string, labels: Record<string, string> = {}): number =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);

function stream(): Promise<number> {
  const socket = new WebSocket(`${server.url.replace("http", "ws")}/v1/listen?encoding=linear16&sample_rate=16000`);
  return new Promise((resolve, reject) => {
    socket.on("open", () => {
      for (const chunk of chunks(Buffer.concat([pcm16(jfk.path, "metrics.raw"), silence(1)]), 6400)) socket.send(chunk);
      socket.send(JSON.stringify({ type: "CloseStream" }));
    });
    socket.on("error", reject);
    socket.on("close", (code) => resolve(code));
  });
}

describe("GET /metrics", () => {
  it("moves with a transcription and a live stream", async () => {
    const before = await scrape();
    const client = new EarshotClient({ baseUrl: server.url });
    const result = await client.listen.v1.media.transcribeFile(readFileSync(jfk.path));
    expect(await stream()).toBe(1000);
    const after = await scrape();
    const model = result.metadata.model_info[result.metadata.models[0]!]!.name;

    const moved = (name: string, labels: Record<string, string> = {}) =>
      value(after, name, labels) - value(before, name, labels);
    expect(moved("earshot_http_requests_total", { route: "/v1/listen", method: "POST", status: "200" })).toBe(1);
    expect(moved("earshot_http_request_duration_seconds_count", { route: "/v1/listen", status: "200" })).toBe(1);
    expect(moved("earshot_audio_seconds_total", { mode: "batch", model })).toBeCloseTo(result.metadata.duration, 2);
    expect(moved("earshot_audio_seconds_total", { mode: "stream" })).toBeGreaterThan(5);
    expect(moved("earshot_streams_total", { route: "/v1/listen", status: "101" })).toBe(1);
    expect(moved("earshot_stream_duration_seconds_count", { route: "/v1/listen" })).toBe(1);
    expect(moved("earshot_transcription_rtf_count", { model })).toBe(1);
    expect(moved("earshot_engine_queue_wait_seconds_count")).toBeGreaterThan(0);
    expect(moved("earshot_engine_worker_busy_seconds_total")).toBeGreaterThan(0);
    // The first transcription loads the model on the worker that ran it.
    expect(value(after, "earshot_model_load_seconds_count", { model })).toBeGreaterThan(0);
    expect(value(after, "earshot_active_streams", { route: "/v1/listen" })).toBe(0);
    expect(value(after, "earshot_engine_workers")).toBe(2);
    expect(value(after, "earshot_jobs", { state: "queued" })).toBe(0);
    expect(value(after, "earshot_process_resident_memory_bytes")).toBeGreaterThan(0);
  });
});
