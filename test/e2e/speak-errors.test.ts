/** Text-to-speech refusals: every bad input gets a clear error in the API's own shape, and the server keeps serving. */
import { DeepgramClient } from "@deepgram/sdk";
import { BadRequestError, EarshotClient, PayloadTooLargeError } from "@earshot/sdk";
import type { EarshotServer } from "@earshot/server";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startTestServer } from "../support/server.js";

let server: EarshotServer;
let client: EarshotClient;

const speak = async (body: unknown, query = "", contentType = "application/json") => {
  const res = await fetch(`${server.url}/v1/speak${query ? `?${query}` : ""}`, {
    method: "POST",
    headers: { "content-type": contentType },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
};

beforeAll(async () => {
  server = await startTestServer();
  client = new EarshotClient({ baseUrl: server.url, apiKey: "", maxRetries: 0 });
});
afterAll(async () => {
  await server?.close();
});

describe("POST /v1/speak refusals", () => {
  it.each([
    ["empty text", { text: "" }, "", 400, /empty/],
    ["blank text", { text: " \n " }, "", 400, /empty/],
    ["punctuation only", { text: "... !?" }, "", 400, /no letters or digits/],
    ["no text", { words: "hi" }, "", 400, /'text' must be a string/],
    ["a URL body", { url: "https://example.com/a.txt" }, "", 400, /url/],
    ["text over 2000 characters", { text: "word ".repeat(401) }, "", 413, /limit is 2000/],
    [
      "an unknown voice",
      { text: "hi" },
      "model=aura-2-nobody-en",
      400,
      /Unknown voice 'aura-2-nobody-en'.*flite-rms-en/,
    ],
    ["a non-English Deepgram voice", { text: "hi" }, "model=aura-2-celeste-es", 400, /Unknown voice/],
    ["an unknown encoding", { text: "hi" }, "encoding=wav", 400, /encoding=wav is not supported; use one of linear16/],
    [
      "linear16 at 44.1 kHz",
      { text: "hi" },
      "encoding=linear16&sample_rate=44100",
      400,
      /use one of 8000, 16000, 24000/,
    ],
    ["mulaw at 24 kHz", { text: "hi" }, "encoding=mulaw&sample_rate=24000", 400, /use one of 8000, 16000/],
    ["mp3 at 16 kHz", { text: "hi" }, "encoding=mp3&sample_rate=16000", 400, /fixed at 22050/],
    ["opus at 16 kHz", { text: "hi" }, "encoding=opus&sample_rate=16000", 400, /fixed at 48000/],
    ["mp3 in a WAV container", { text: "hi" }, "encoding=mp3&container=wav", 400, /container=wav is not supported/],
    ["opus without a container", { text: "hi" }, "encoding=opus&container=none", 400, /use ogg/],
    ["mp3 at an odd bit rate", { text: "hi" }, "encoding=mp3&bit_rate=64000", 400, /one of 32000, 48000/],
    ["a bit rate for PCM", { text: "hi" }, "encoding=linear16&bit_rate=64000", 400, /bit_rate does not apply/],
    ["a non-numeric sample rate", { text: "hi" }, "sample_rate=fast", 400, /sample_rate/],
    ["speed out of range", { text: "hi" }, "speed=9", 400, /speed/],
    ["a callback", { text: "hi" }, "callback=http://127.0.0.1/x", 400, /callback is not supported/],
  ])("%s", async (_label, body, query, status, message) => {
    const res = await speak(body, query);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ err_code: expect.any(String), request_id: expect.any(String) });
    expect(res.body.err_msg).toMatch(message);
  });

  it("malformed JSON is a 400 and a non-JSON body a 415", async () => {
    expect((await speak("{not json", "")).status).toBe(400);
    const plain = await speak("hello", "", "text/plain");
    expect(plain.status).toBe(415);
    expect(plain.body.err_msg).toMatch(/Content-Type: application\/json/);
  });

  it("our SDK throws the matching errors", async () => {
    await expect(client.speak.v1.audio.generate({ text: "" })).rejects.toBeInstanceOf(BadRequestError);
    await expect(client.speak.v1.audio.generate({ text: "x".repeat(2001) })).rejects.toBeInstanceOf(
      PayloadTooLargeError,
    );
    await expect(client.speak.v1.audio.generate({ text: "hi", encoding: "flac", container: "ogg" })).rejects.toThrow(
      /container=ogg is not supported with encoding=flac/,
    );
  });

  it("the Deepgram SDK reports the error body", async () => {
    const deepgram = new DeepgramClient({ apiKey: "unused", baseUrl: server.url, maxRetries: 0 });
    await expect(deepgram.speak.v1.audio.generate({ text: "hi", model: "aura-2-nobody-en" })).rejects.toMatchObject({
      statusCode: 400,
      body: { err_msg: expect.stringMatching(/Unknown voice/) },
    });
  });
});

describe("POST /v1/audio/speech refusals (OpenAI's error shape)", () => {
  const openai = () => new OpenAI({ apiKey: "unused", baseURL: `${server.url}/v1`, maxRetries: 0 });

  it.each([
    ["an unknown voice", { input: "hi", voice: "robot" }, 400, "voice", /Unknown voice 'robot'/],
    ["no input", { voice: "alloy" }, 400, "input", /'input' must be a string/],
    ["empty input", { input: "", voice: "alloy" }, 400, "input", /empty/],
    ["input over 4096 characters", { input: "a".repeat(4097), voice: "alloy" }, 413, "input", /limit is 4096/],
    ["an unknown format", { input: "hi", voice: "alloy", response_format: "ogg" }, 400, "response_format", /mp3/],
    ["speed out of range", { input: "hi", voice: "alloy", speed: 5 }, 400, "speed", /speed/],
    ["no voice", { input: "hi" }, 400, "voice", /voice/],
    ["SSE streaming", { input: "hi", voice: "alloy", stream_format: "sse" }, 400, "stream_format", /sse/],
  ])("%s", async (_label, body, status, param, message) => {
    const res = await fetch(`${server.url}/v1/audio/speech`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(status);
    const json = await res.json();
    expect(json.error).toMatchObject({ type: "invalid_request_error", param });
    expect(json.error.message).toMatch(message);
  });

  it("authentication failures keep each API's error shape", async () => {
    const keyed = await startTestServer({ apiKeys: ["secret"] });
    try {
      const post = (path: string, body: unknown) =>
        fetch(`${keyed.url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: "Bearer wrong" },
          body: JSON.stringify(body),
        });
      const openAi = await post("/v1/audio/speech", { input: "hi", voice: "alloy" });
      expect(openAi.status).toBe(401);
      expect((await openAi.json()).error).toMatchObject({ type: "authentication_error", code: "invalid_api_key" });
      const deepgram = await post("/v1/speak", { text: "hi" });
      expect(deepgram.status).toBe(401);
      expect(await deepgram.json()).toMatchObject({ err_code: "INVALID_AUTH" });
    } finally {
      await keyed.close();
    }
  });

  it("the openai client raises APIError with the message", async () => {
    const error = await openai()
      .audio.speech.create({ model: "tts-1", voice: "robot" as "alloy", input: "hi" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/Unknown voice 'robot'/);
  });
});

describe("GET /v1/speak (WebSocket) refusals", () => {
  it.each([
    ["mp3 (not a streaming encoding)", "encoding=mp3", /not supported on the streaming/],
    ["a WAV container", "container=wav", /container=wav is not supported/],
    ["linear16 at 44.1 kHz", "sample_rate=44100", /sample_rate=44100/],
    ["an unknown voice", "model=nobody", /Unknown voice/],
  ])("refuses %s before the upgrade with a 400", async (_label, query, message) => {
    const socket = client.speak.v1.connect(Object.fromEntries(new URLSearchParams(query)) as Record<string, string>);
    const error = await socket.opened.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as Error).message).toMatch(message);
  });

  it("answers malformed messages with a Warning and carries on speaking", async () => {
    const ws = new WebSocket(
      `${server.url.replace("http", "ws")}/v1/speak?model=flite-kal16-en&encoding=linear16&sample_rate=16000`,
    );
    const messages: any[] = [];
    let audioBytes = 0;
    const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
    ws.on("message", (data, isBinary) => {
      if (isBinary) audioBytes += (data as Buffer).byteLength;
      else messages.push(JSON.parse(data.toString()));
    });
    await new Promise((resolve) => ws.once("open", resolve));
    ws.send("not json");
    ws.send(JSON.stringify({ type: "Shout", text: "hi" }));
    ws.send(JSON.stringify({ type: "Speak" }));
    ws.send(JSON.stringify({ type: "Speak", text: "x".repeat(2001) }));
    ws.send(Buffer.from([1, 2, 3]));
    ws.send(JSON.stringify({ type: "Speak", text: "Still here." }));
    ws.send(JSON.stringify({ type: "Flush" }));
    ws.send(JSON.stringify({ type: "Close" }));
    expect(await closed).toBe(1000);
    expect(messages.map((m) => m.type)).toEqual([
      "Metadata",
      "Warning",
      "Warning",
      "Warning",
      "Warning",
      "Warning",
      "Flushed",
    ]);
    expect(messages[1].description).toMatch(/not valid JSON/);
    expect(messages[2].description).toMatch(/Unknown message type 'Shout'/);
    expect(messages[4].code).toBe("TEXT_LIMIT_EXCEEDED");
    expect(messages[5].description).toMatch(/Binary frames/);
    expect(audioBytes).toBeGreaterThan(8000);
  });

  it("keeps serving after all of the above", async () => {
    const audio = await client.speak.v1.audio.generate({ text: "All good.", model: "flite-rms-en" });
    expect((await audio.bytes()).byteLength).toBeGreaterThan(1000);
    expect((await fetch(`${server.url}/v1/status`)).status).toBe(200);
  });
});
