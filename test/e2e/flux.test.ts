/**
 * Deepgram Flux (`GET /v2/listen`) driven by the official `@deepgram/sdk` v5 `listen.v2.connect` unmodified, on
 * real speech: turns with their events in order, eager ends and resumptions, `Configure`, `ForceEndTurn`, the
 * timeout, `CloseStream`; and the errors: refused handshakes and Flux's `Error` message. Turns are decided on
 * the audio's own clock, so the audio is sent faster than real time without changing them.
 */
import { DeepgramClient } from "@deepgram/sdk";
import { clip } from "@earshot/bench/corpus";
import { wordErrorRate } from "@earshot/engine";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { chunks, pcm16, silence, sleep } from "../support/live.js";
import { startTestServer } from "../support/server.js";

const KEY = "flux-key";
const first = clip("ljspeech-dev", "LJ001-0005");
const second = clip("ljspeech-dev", "LJ001-0006");
const firstPcm = pcm16(first.path, "flux-a.raw");
const secondPcm = pcm16(second.path, "flux-b.raw");

let server: EarshotServer;

beforeAll(async () => {
  server = await startTestServer({ apiKeys: [KEY] });
});
afterAll(async () => {
  await server?.close();
});

interface Session {
  messages: any[];
  close: { code: number; reason: string };
}

/**
 * A Flux session through the official SDK: `audio` goes out in 100 ms chunks (10 ms apart), then `after` runs,
 * then `CloseStream`; resolves once the server has closed the socket.
 */
async function fluxSession(
  args: Record<string, unknown>,
  audio: Buffer,
  after: (socket: any, messages: any[]) => Promise<void> = async () => {},
): Promise<Session> {
  const deepgram = new DeepgramClient({ apiKey: KEY, baseUrl: server.url });
  const socket = await deepgram.listen.v2.connect({
    model: "flux-general-en",
    encoding: "linear16",
    sample_rate: 16000,
    Authorization: `Token ${KEY}`,
    reconnectAttempts: 0,
    ...args,
  } as any);
  const messages: any[] = [];
  socket.on("message", (message: any) => messages.push(message));
  const closed = new Promise<any>((resolve) => socket.on("close", resolve));
  socket.connect();
  await socket.waitForOpen();
  for (const chunk of chunks(audio, 3200)) {
    socket.sendMedia(chunk);
    await sleep(10);
  }
  await after(socket, messages);
  socket.sendCloseStream({ type: "CloseStream" });
  const close = await closed;
  return { messages, close: { code: close.code, reason: close.reason } };
}

const turnInfos = (messages: any[]) => messages.filter((m) => m.type === "TurnInfo");
const ofEvent = (messages: any[], event: string) => turnInfos(messages).filter((m) => m.event === event);
const until = async (messages: any[], test: (m: any) => boolean, ms = 30_000): Promise<void> => {
  for (let waited = 0; !messages.some(test); waited += 50) {
    if (waited > ms) throw new Error("timed out waiting for a message");
    await sleep(50);
  }
};

/** Flux's rules for one session's messages, whatever the speech. */
function expectWellFormed(messages: any[]): void {
  expect(messages[0]).toMatchObject({ type: "Connected", sequence_id: 0 });
  expect(messages.map((m) => m.sequence_id)).toEqual(messages.map((_, i) => i));
  const requestId = messages[0].request_id;
  let turn = 0;
  let open = false;
  let eager: any;
  for (const m of turnInfos(messages)) {
    expect(m.request_id).toBe(requestId);
    expect(m.turn_index).toBe(turn);
    expect(m.audio_window_start).toBeLessThanOrEqual(m.audio_window_end);
    expect(m.transcript).toBe(m.words.map((w: any) => w.word).join(" "));
    if (m.event === "StartOfTurn") {
      expect(open).toBe(false);
      expect(m.transcript).not.toBe("");
      open = true;
    } else {
      expect(open).toBe(true);
    }
    if (m.event === "EagerEndOfTurn") {
      expect(m.transcript).not.toBe("");
      eager = m;
    }
    if (m.event === "TurnResumed") {
      expect(eager).toBeDefined();
      eager = undefined;
    }
    if (m.event === "EndOfTurn") {
      expect(["model", "timeout", "manual"]).toContain(m.trigger);
      if (eager) expect(m.transcript).toBe(eager.transcript);
      eager = undefined;
      open = false;
      turn++;
    } else {
      expect(m.trigger).toBeUndefined();
    }
  }
}

describe("Flux through the official Deepgram SDK v5 (listen.v2.connect)", () => {
  it("turns on real speech: StartOfTurn, Updates, EndOfTurn, and the words of both utterances", async () => {
    const audio = Buffer.concat([silence(0.5), firstPcm, silence(2), secondPcm, silence(2)]);
    const { messages, close } = await fluxSession({}, audio);
    // Flux closes without a status after CloseStream; the SDK takes that as the normal end.
    expect(close.code).toBe(1005);
    expectWellFormed(messages);
    const ends = ofEvent(messages, "EndOfTurn");
    expect(ends.length).toBeGreaterThanOrEqual(2);
    expect(ends.every((m) => m.trigger === "model" && m.end_of_turn_confidence >= 0.7)).toBe(true);
    expect(ofEvent(messages, "Update").length).toBeGreaterThan(5);
    // The two utterances are 2 s apart: every turn ends before the second starts, or starts in it.
    const secondStart = 0.5 + firstPcm.byteLength / 32_000 + 2;
    expect(ends.every((m) => m.audio_window_end < secondStart || m.audio_window_start > secondStart - 0.3)).toBe(true);
    const spoken = ends.map((m) => m.transcript).join(" ");
    const reference = `${first.reference} ${second.reference}`;
    // Flux's words are the v1 live stream's: sent this fast, both get 0.46 on these clips (one batch request 0.13).
    expect(wordErrorRate([{ reference, hypothesis: spoken }]), spoken).toBeLessThan(0.5);
  });

  it("eager mode: EagerEndOfTurn at a short pause, TurnResumed when speech goes on", async () => {
    const audio = Buffer.concat([silence(0.5), firstPcm, silence(0.6), secondPcm, silence(2.5)]);
    const { messages } = await fluxSession({ eager_eot_threshold: 0.3, eot_threshold: 0.9 }, audio);
    expectWellFormed(messages);
    expect(ofEvent(messages, "EagerEndOfTurn").length).toBeGreaterThanOrEqual(2);
    expect(ofEvent(messages, "TurnResumed").length).toBeGreaterThanOrEqual(1);
    const last = ofEvent(messages, "EndOfTurn").at(-1);
    expect(last.end_of_turn_confidence).toBeGreaterThanOrEqual(0.9);
  });

  it("Configure: new thresholds and keyterms take effect, a bad one is a ConfigureFailure", async () => {
    const { messages } = await fluxSession(
      { eot_threshold: 0.7 },
      Buffer.concat([silence(0.3), firstPcm]),
      async (socket) => {
        socket.sendConfigure({
          type: "Configure",
          thresholds: { eot_threshold: 0.8, eot_timeout_ms: 3000 },
          keyterms: ["Earshot"],
        });
        socket.sendConfigure({ type: "Configure", thresholds: { eager_eot_threshold: 0.85 } });
        socket.sendConfigure({ type: "Configure", thresholds: { eot_threshold: 3 } });
        await sleep(500);
      },
    );
    const answers = messages.filter((m) => m.type.startsWith("Configure"));
    expect(answers.map((m) => m.type)).toEqual(["ConfigureSuccess", "ConfigureFailure", "ConfigureFailure"]);
    expect(answers[0]).toMatchObject({
      thresholds: { eot_threshold: 0.8, eot_timeout_ms: 3000 },
      keyterms: ["Earshot"],
    });
    expect(answers[1].description).toMatch(/eager_eot_threshold \(0\.85\) must not be above eot_threshold \(0\.8\)/);
    expect(answers[2].description).toMatch(/eot_threshold/);
    expectWellFormed(messages);
  });

  it("ForceEndTurn ends the turn at once (trigger manual) when turns would otherwise never end", async () => {
    const { messages } = await fluxSession(
      { eot_threshold: 1, eot_timeout_ms: 60000 },
      Buffer.concat([silence(0.3), firstPcm]),
      async (socket, received) => {
        await until(received, (m) => m.event === "StartOfTurn");
        socket.sendForceEndTurn({ type: "ForceEndTurn" });
        await until(received, (m) => m.event === "EndOfTurn");
      },
    );
    expectWellFormed(messages);
    const ends = ofEvent(messages, "EndOfTurn");
    expect(ends.map((m) => m.trigger)).toEqual(["manual"]);
    expect(ends[0].transcript).not.toBe("");
  });

  it("eot_timeout_ms ends the turn when the confidence cannot (eot_threshold 1)", async () => {
    const audio = Buffer.concat([silence(0.3), firstPcm, silence(2)]);
    const { messages } = await fluxSession({ eot_threshold: 1, eot_timeout_ms: 1000 }, audio);
    expectWellFormed(messages);
    const ends = ofEvent(messages, "EndOfTurn");
    expect(ends.length).toBeGreaterThanOrEqual(1);
    expect(ends.every((m) => m.trigger === "timeout")).toBe(true);
  });

  it("CloseStream mid-turn: the turn's last words as an Update, no EndOfTurn, a close without status", async () => {
    const { messages, close } = await fluxSession({}, Buffer.concat([silence(0.3), firstPcm]));
    expect(close.code).toBe(1005);
    const last = messages.at(-1);
    expect(last).toMatchObject({ type: "TurnInfo", event: "Update" });
    expect(wordErrorRate([{ reference: first.reference, hypothesis: last.transcript }])).toBeLessThan(0.6);
  });
});

describe("Flux's errors", () => {
  const wsBase = () => server.url.replace("http", "ws");
  /** Opens a raw socket; resolves with the refusal status, or the messages and close after `act`. */
  const raw = (query: string, act: (socket: WebSocket) => void, key = KEY) =>
    new Promise<{ status?: number; body?: any; messages: any[]; code?: number; reason?: string }>((resolve) => {
      const socket = new WebSocket(`${wsBase()}/v2/listen?${query}`, { headers: { authorization: `Token ${key}` } });
      const messages: any[] = [];
      socket.on("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (c) => {
          body += c;
        });
        res.on("end", () => resolve({ status: res.statusCode, body: JSON.parse(body), messages }));
      });
      socket.on("open", () => act(socket));
      socket.on("message", (data) => messages.push(JSON.parse(String(data))));
      socket.on("close", (code, reason) => resolve({ messages, code, reason: String(reason) }));
    });

  it("refuses bad options, an unknown multilingual model and a wrong key before the upgrade", async () => {
    const bad = await raw("model=flux-general-en&eot_threshold=2", () => {});
    expect(bad.status).toBe(400);
    expect(bad.body.err_msg).toMatch(/eot_threshold must be at most 1/);
    expect((await raw("encoding=linear16&sample_rate=16000", () => {})).body.err_msg).toMatch(/model/);
    const eager = await raw("model=flux-general-en&eager_eot_threshold=0.8&eot_threshold=0.6", () => {});
    expect(eager.body.err_msg).toMatch(/eager_eot_threshold \(0.8\) must not be above eot_threshold \(0.6\)/);
    const multi = await raw("model=flux-general-multi", () => {});
    expect(multi.status).toBe(400);
    expect(multi.body.err_msg).toMatch(/flux-general-multi needs a multilingual model/);
    expect((await raw("model=flux-general-en", () => {}, "wrong")).status).toBe(401);
  });

  it("an unparsable client message is a Flux Error, then the close", async () => {
    const result = await raw("model=flux-general-en&encoding=linear16&sample_rate=16000", (socket) => {
      socket.send("{not json");
    });
    expect(result.messages[0]).toMatchObject({ type: "Connected", sequence_id: 0 });
    expect(result.messages[1]).toMatchObject({ type: "Error", sequence_id: 1, code: "UNPARSABLE_CLIENT_MESSAGE" });
    expect(result.code).toBe(1008);
  });

  it("undecodable audio is a Flux Error with DATA-0000 and a 1008 close", async () => {
    const result = await raw("model=flux-general-en", (socket) => {
      socket.send(Buffer.from("this is not audio, and there is no encoding"));
    });
    expect(result.messages.at(-1)).toMatchObject({ type: "Error", code: "DATA-0000" });
    expect(result.code).toBe(1008);
  });
});
