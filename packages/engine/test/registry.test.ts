/**
 * The model registry: manifests checked when they load, capabilities from built-ins and manifests, voices
 * installed from a manifest, and one lookup for names and Deepgram aliases with specific error codes.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { defaultModelsDir, MANIFEST_FILE, ModelRegistry } from "@earshot/engine";
import { ErrorCode, InvalidRequestError } from "@earshot/protocol";
import { describe, expect, it } from "vitest";

function modelsDir(manifests: Record<string, unknown>[]): string {
  const dir = mkdtempSync(join(tmpdir(), "earshot-registry-"));
  for (const [i, manifest] of manifests.entries()) {
    mkdirSync(join(dir, `m${i}`));
    writeFileSync(join(dir, `m${i}`, MANIFEST_FILE), JSON.stringify(manifest));
  }
  return dir;
}

const errorOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
};

describe("model registry", () => {
  it("declares PocketSphinx's capabilities: timed words, live, no punctuation", () => {
    const registry = new ModelRegistry({ modelsDir: modelsDir([]) });
    expect(registry.defaultModel.capabilities).toEqual({
      streaming: true,
      wordTimings: true,
      punctuation: false,
      diarization: false,
      languageDetection: false,
      translation: false,
    });
  });

  it("reads capabilities from manifests, with the old top-level streaming flag still understood", () => {
    const registry = new ModelRegistry({
      modelsDir: modelsDir([
        { name: "w", architecture: "other", languages: ["en", "de"], capabilities: { punctuation: true } },
        { name: "old", architecture: "pocketsphinx", streaming: true, files: { hmm: "en-us" } },
      ]),
    });
    const w = registry.resolve("w", "de").model;
    expect(w.capabilities).toMatchObject({ streaming: false, punctuation: true, wordTimings: true });
    expect(w.version).toBe("unknown");
    const old = registry.resolve("old").model;
    expect(old.capabilities.streaming).toBe(true);
    expect(old.files.hmm).toBe(join(old.source, "en-us"));
  });

  it("gives each engine's models what the engine can do unless the manifest says otherwise", () => {
    const registry = new ModelRegistry({
      modelsDir: modelsDir([
        { name: "multi", architecture: "whisper", languages: ["en", "de"], files: { model: "ggml.bin" } },
        { name: "en", architecture: "whisper", languages: ["en"], capabilities: { streaming: false } },
        { name: "zip", architecture: "sherpa-onnx", languages: ["en"], engineOptions: { type: "online-transducer" } },
        { name: "vosk", architecture: "vosk", languages: ["en"], files: { model: "." } },
      ]),
    });
    const capabilities = (name: string) => registry.resolve(name).model.capabilities;
    expect(capabilities("multi")).toMatchObject({
      streaming: true,
      punctuation: true,
      languageDetection: true,
      translation: true,
    });
    expect(capabilities("en")).toMatchObject({
      streaming: false,
      punctuation: true,
      languageDetection: false,
      translation: false,
    });
    expect(capabilities("zip").streaming).toBe(true);
    expect(registry.resolve("zip").model.engineOptions).toEqual({ type: "online-transducer" });
    expect(capabilities("vosk")).toMatchObject({ streaming: true, punctuation: false });
  });

  it("refuses a manifest that does not check out, naming the file and the field", () => {
    for (const manifest of [
      { name: "x" },
      { name: "x", architecture: "a", capabilities: { streaming: "yes" } },
      { name: "x", architecture: "a", capabilities: { diarisation: true } },
      { name: "x", kind: "tts", architecture: "flite" },
      { name: "x", kind: "tts", architecture: "flite", voice: { engineVoice: "slt", sampleRate: 16000, gender: "f" } },
    ]) {
      const error = errorOf(() => new ModelRegistry({ modelsDir: modelsDir([manifest]) }));
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/Invalid model manifest .*earshot-model\.json/);
    }
  });

  it("installs a voice from a tts manifest", () => {
    const registry = new ModelRegistry({
      modelsDir: modelsDir([
        {
          name: "my-slt",
          kind: "tts",
          architecture: "flite",
          languages: ["en"],
          voice: { engineVoice: "slt", sampleRate: 16000, gender: "feminine", accent: "American" },
        },
      ]),
    });
    const voice = registry.tts().find((v) => v.name === "my-slt");
    expect(voice?.voice).toEqual({
      engineVoice: "slt",
      sampleRate: 16000,
      gender: "feminine",
      accent: "American",
      nativeSpeed: false,
      description: "",
    });
    expect(registry.resolveVoice("my-slt").voice).toBe(voice);
    expect(registry.stt().some((m) => m.name === "my-slt")).toBe(false);
  });

  it("looks names and Deepgram aliases up the way requests resolve them", () => {
    const registry = new ModelRegistry({ modelsDir: modelsDir([]) });
    expect(registry.lookup("nova-3")).toEqual({ model: registry.defaultModel, aliasOf: "nova-3" });
    expect(registry.lookup(registry.defaultModel.uuid)).toEqual({ model: registry.defaultModel });
    expect(registry.lookup("no-such-model")).toBeUndefined();
    expect(registry.lookupVoice("aura-asteria-en")?.aliasOf).toBe("aura-asteria-en");
    expect(registry.lookupVoice("no-such-voice")).toBeUndefined();
  });

  it("refuses unknown models and unsupported languages with their own err_code", () => {
    const registry = new ModelRegistry({ modelsDir: modelsDir([]) });
    const unknown = errorOf(() => registry.resolve("no-such-model"));
    expect(unknown).toBeInstanceOf(InvalidRequestError);
    expect(unknown).toMatchObject({ status: 400, code: ErrorCode.UnknownModel });
    const language = errorOf(() => registry.resolve(undefined, "fr"));
    expect(language).toMatchObject({ status: 400, code: ErrorCode.UnsupportedLanguage });
  });

  it("takes its settings as options only", () => {
    expect(defaultModelsDir()).toBe(join(homedir(), ".earshot", "models"));
    expect(() => new ModelRegistry({ modelsDir: modelsDir([]), defaultModel: "missing" })).toThrow(
      /Default model 'missing' is not installed/,
    );
    const registry = new ModelRegistry({ modelsDir: modelsDir([]), defaultModel: "pocketsphinx-en-us-debian" });
    expect(registry.defaultModel.name).toBe("pocketsphinx-en-us-debian");
  });
});
