/**
 * The live Silero detector (one shared onnxruntime session, per-channel state) must find speech exactly where
 * sherpa-onnx's `Vad` did, window for window: live endpointing depends on it. Real speech with pauses of several
 * lengths, and over 30 s without a pause (where the detector turns stricter).
 */
import { readFileSync } from "node:fs";
import { loadClips } from "@earshot/bench/corpus";
import { afterAll, describe, expect, it } from "vitest";
import { decodeWav } from "../src/audio/wav.js";
import { ModelRegistry } from "../src/models/registry.js";
import { createVad } from "../src/vad/silero.js";
import { SileroModel, StreamVad, VAD_WINDOW } from "../src/vad/silero-stream.js";

const path = new ModelRegistry().vad()!.files.model!;
const clips = loadClips("ljspeech-dev", 16).map((c) => decodeWav(readFileSync(c.path)).channels[0]!);

function join(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

describe("StreamVad", () => {
  const model = SileroModel.load(path);
  afterAll(async () => (await model).dispose());

  it.each([
    ["pauses of 0.2 to 1.4 s", 0.1, join(clips.slice(0, 6).flatMap((c, i) => [c, new Float32Array(3200 + i * 4000)]))],
    ["pauses of 0.2 to 1.4 s", 0.5, join(clips.slice(0, 6).flatMap((c, i) => [c, new Float32Array(3200 + i * 4000)]))],
    ["over 30 s without a pause", 0.3, join(clips.slice(6))],
  ])("detects speech where sherpa-onnx does (%s, %f s of silence ends it)", async (_, minSilence, audio) => {
    const options = { minSilence, minSpeech: 0.15, maxSpeech: 30 };
    const reference = createVad(path, { ...options, bufferSeconds: 60 });
    const vad = new StreamVad(await model, options);
    const expected: boolean[] = [];
    const actual: boolean[] = [];
    for (let i = 0; i + VAD_WINDOW <= audio.length; i += VAD_WINDOW) {
      const window = audio.subarray(i, i + VAD_WINDOW);
      reference.acceptWaveform(window);
      while (!reference.isEmpty()) reference.pop();
      expected.push(reference.isDetected());
      await vad.accept(window);
      actual.push(vad.detected);
    }
    expect(expected.filter(Boolean).length).toBeGreaterThan(expected.length / 2);
    expect(expected.includes(false)).toBe(true);
    expect(actual).toEqual(expected);
  });
});
