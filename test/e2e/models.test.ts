/**
 * Model names, one rule: `GET /v1/models/{id}` answers for every name a request's `model` accepts — installed
 * names, UUIDs, and the Deepgram names served by substitution — and a name that means nothing is refused with
 * its own `err_code`, on `/v1/listen` as on `/v1/models`.
 */
import { readFileSync } from "node:fs";
import { clip } from "@earshot/bench/corpus";
import { SttModelSchema, TtsModelSchema } from "@earshot/protocol";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postListen, startTestServer } from "../support/server.js";

const jfk = readFileSync(clip("misc", "jfk").path);

let server: EarshotServer;

beforeAll(async () => {
  server = await startTestServer({ engine: { workers: 1 } });
});
afterAll(async () => {
  await server?.close();
});

const getModel = async (id: string) => {
  const res = await fetch(`${server.url}/v1/models/${id}`);
  return { status: res.status, body: await res.json() };
};

describe("GET /v1/models", () => {
  it("shows what each speech model can do", async () => {
    const models = await (await fetch(`${server.url}/v1/models`)).json();
    const pocketsphinx = SttModelSchema.parse(
      models.stt.find((m: { name: string }) => m.name === "pocketsphinx-en-us"),
    );
    expect(pocketsphinx).toMatchObject({ batch: true, streaming: true, formatted_output: false });
    expect(pocketsphinx.capabilities).toEqual({
      streaming: true,
      word_timings: true,
      punctuation: false,
      diarization: false,
      language_detection: false,
      translation: false,
    });
    expect(pocketsphinx.alias_of).toBeUndefined();
  });

  it("answers for a Deepgram model name with the model that serves it, as ?model= does", async () => {
    const served = await postListen(server.url, jfk, "model=nova-3");
    const { status, body } = await getModel("nova-3");
    expect(status).toBe(200);
    const model = SttModelSchema.parse(body);
    expect(model.alias_of).toBe("nova-3");
    expect(served.body.metadata.models).toEqual([model.uuid]);
    const byUuid = await getModel(model.uuid);
    expect(byUuid.body).toMatchObject({ name: model.name, uuid: model.uuid });
    expect(byUuid.body.alias_of).toBeUndefined();
  });

  it("answers for a Deepgram voice name with the voice that speaks it", async () => {
    const { status, body } = await getModel("aura-asteria-en");
    expect(status).toBe(200);
    expect(TtsModelSchema.parse(body).alias_of).toBe("aura-asteria-en");
    const speak = await fetch(`${server.url}/v1/speak?model=aura-asteria-en`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "Hello." }),
    });
    expect(speak.headers.get("dg-model-name")).toBe(body.name);
    await speak.arrayBuffer();
  });

  it("is a 404 for a name that means nothing here", async () => {
    const { status, body } = await getModel("no-such-model");
    expect(status).toBe(404);
    expect(body.err_code).toBe("NOT_FOUND");
  });
});

describe("refusals with their own err_code", () => {
  it.each([
    ["model=no-such-model", "UNKNOWN_MODEL", /Unknown model 'no-such-model'.*pocketsphinx-en-us/],
    ["language=fr", "UNSUPPORTED_LANGUAGE", /does not support language 'fr'/],
    [
      "model=whisper-medium.en",
      "MODEL_NOT_INSTALLED",
      /'whisper-medium\.en' is not installed.*`earshot models pull whisper-medium\.en`/,
    ],
  ])("POST /v1/listen?%s", async (query, code, message) => {
    const res = await postListen(server.url, jfk, query);
    expect(res.status).toBe(400);
    expect(res.body.err_code).toBe(code);
    expect(res.body.err_msg).toMatch(message);
  });
});
