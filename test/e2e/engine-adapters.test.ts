/**
 * sherpa-onnx and Vosk models as far as this machine allows: no weights for either can be obtained here, so
 * what is proved is that their libraries load, and that a model that is missing, incomplete or damaged is a 503
 * naming the model and what is wrong — through `POST /v1/listen`, with the server serving on afterwards.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clip } from "@earshot/bench/corpus";
import type { EarshotServer } from "@earshot/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transcode } from "../support/audio.js";
import { postListen, startTestServer } from "../support/server.js";

const wav = transcode(clip("misc", "jfk").path, ["-t", "2", "-ac", "1", "-ar", "16000"], "adapters-2s.wav");

let server: EarshotServer;

function install(dir: string, name: string, manifest: Record<string, unknown>, files: Record<string, Buffer> = {}) {
  mkdirSync(join(dir, name));
  for (const [file, bytes] of Object.entries(files)) writeFileSync(join(dir, name, file), bytes);
  writeFileSync(join(dir, name, "earshot-model.json"), JSON.stringify({ name, languages: ["en"], ...manifest }));
}

beforeAll(async () => {
  const modelsDir = mkdtempSync(join(tmpdir(), "earshot-adapter-models-"));
  install(modelsDir, "vosk-empty", { architecture: "vosk", files: { model: "." } });
  install(modelsDir, "vosk-missing", { architecture: "vosk", files: { model: "nowhere" } });
  const transducer = { encoder: "encoder.onnx", decoder: "decoder.onnx", joiner: "joiner.onnx", tokens: "tokens.txt" };
  const tokens = Buffer.from("<blk> 0\n▁a 1\n");
  install(modelsDir, "sherpa-untyped", { architecture: "sherpa-onnx", files: transducer });
  install(
    modelsDir,
    "sherpa-no-joiner",
    { architecture: "sherpa-onnx", files: transducer, engineOptions: { type: "transducer" } },
    { "encoder.onnx": Buffer.from([8, 7]), "decoder.onnx": Buffer.from([8, 7]), "tokens.txt": tokens },
  );
  const html = Buffer.from("<html>404</html>");
  install(
    modelsDir,
    "sherpa-html",
    { architecture: "sherpa-onnx", files: transducer, engineOptions: { type: "online-transducer" } },
    { "encoder.onnx": html, "decoder.onnx": html, "joiner.onnx": html, "tokens.txt": tokens },
  );
  server = await startTestServer({ engine: { workers: 1, modelsDir } });
});
afterAll(async () => {
  await server?.close();
});

describe("models of engines without weights here", () => {
  it.each([
    ["vosk-empty", /vosk-empty.*Vosk rejected .* not an unpacked Vosk model/],
    ["vosk-missing", /vosk-missing.*nowhere does not exist/],
    ["sherpa-untyped", /sherpa-untyped.*engineOptions\.type/],
    ["sherpa-no-joiner", /sherpa-no-joiner.*transducer model lacks joiner/],
    ["sherpa-html", /sherpa-html.*encoder\.onnx.*not ONNX or damaged/],
  ])("%s is a 503 that says what is wrong", async (model, message) => {
    const res = await postListen(server.url, wav, `model=${model}`);
    expect(res.status).toBe(503);
    expect(res.body.err_msg).toMatch(message);
  });

  it("declares what the engine can do, and the server keeps serving", async () => {
    const { stt } = await (await fetch(`${server.url}/v1/models`)).json();
    const byName = (name: string) => stt.find((m: { name: string }) => m.name === name);
    expect(byName("vosk-empty")).toMatchObject({ architecture: "vosk", streaming: true });
    expect(byName("sherpa-html")).toMatchObject({ architecture: "sherpa-onnx", streaming: true });
    expect(byName("sherpa-no-joiner")).toMatchObject({ streaming: false });
    expect((await postListen(server.url, wav)).status).toBe(200);
  });
});
