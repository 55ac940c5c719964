/**
 * Vosk (Kaldi) through koffi over `libvosk.so`, the prebuilt library npm `vosk` ships. Only the library is
 * used: the package's own JavaScript binds it with ffi-napi, which needs a native build at install time, while
 * koffi (already how PocketSphinx is bound) needs none.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import koffi from "koffi";

export interface VoskWord {
  word: string;
  start: number;
  end: number;
  conf: number;
}

/** A result as libvosk writes it, with words (`vosk_recognizer_set_words`). */
export interface VoskResult {
  text?: string;
  result?: VoskWord[];
  partial?: string;
  partial_result?: VoskWord[];
}

export interface VoskLib {
  /** NULL (undefined here) when the folder is not a Vosk model. */
  modelNew(path: string): unknown;
  modelFree(model: unknown): void;
  recognizerNew(model: unknown, sampleRate: number): unknown;
  /** Feeds samples; true when Vosk's own endpointer found the end of an utterance. */
  acceptWaveform(recognizer: unknown, pcm: Int16Array): boolean;
  result(recognizer: unknown): VoskResult;
  partialResult(recognizer: unknown): VoskResult;
  finalResult(recognizer: unknown): VoskResult;
  reset(recognizer: unknown): void;
  recognizerFree(recognizer: unknown): void;
}

/** Where npm `vosk` put the library for this platform. */
export function voskLibraryPath(): string {
  const dir = dirname(createRequire(import.meta.url).resolve("vosk/package.json"));
  return join(dir, "lib", process.platform === "win32" ? "win-x86_64" : `${process.platform}-x86_64`, "libvosk.so");
}

let loaded: VoskLib | undefined;

export function loadVosk(library = voskLibraryPath()): VoskLib {
  if (loaded) return loaded;
  if (library.includes("/") && !existsSync(library)) {
    throw new Error(`libvosk is not installed: ${library} does not exist (it comes with npm vosk).`);
  }
  const lib = koffi.load(library);
  const setLogLevel = lib.func("void vosk_set_log_level(int level)");
  const modelNew = lib.func("void* vosk_model_new(const char* path)");
  const modelFree = lib.func("void vosk_model_free(void* model)");
  const recognizerNew = lib.func("void* vosk_recognizer_new(void* model, float sample_rate)");
  const setWords = lib.func("void vosk_recognizer_set_words(void* recognizer, int words)");
  const setPartialWords = lib.func("void vosk_recognizer_set_partial_words(void* recognizer, int words)");
  const acceptWaveform = lib.func(
    "int vosk_recognizer_accept_waveform_s(void* recognizer, const int16_t* data, int length)",
  );
  const result = lib.func("const char* vosk_recognizer_result(void* recognizer)");
  const partialResult = lib.func("const char* vosk_recognizer_partial_result(void* recognizer)");
  const finalResult = lib.func("const char* vosk_recognizer_final_result(void* recognizer)");
  const reset = lib.func("void vosk_recognizer_reset(void* recognizer)");
  const recognizerFree = lib.func("void vosk_recognizer_free(void* recognizer)");
  // Kaldi logs every model load to stderr; errors still come back as NULL handles.
  setLogLevel(-1);
  loaded = {
    modelNew: (path) => modelNew(path) ?? undefined,
    modelFree: (model) => modelFree(model),
    recognizerNew(model, sampleRate) {
      const recognizer = recognizerNew(model, sampleRate);
      setWords(recognizer, 1);
      setPartialWords(recognizer, 1);
      return recognizer;
    },
    acceptWaveform: (recognizer, pcm) => acceptWaveform(recognizer, pcm, pcm.length) === 1,
    result: (recognizer) => JSON.parse(result(recognizer)) as VoskResult,
    partialResult: (recognizer) => JSON.parse(partialResult(recognizer)) as VoskResult,
    finalResult: (recognizer) => JSON.parse(finalResult(recognizer)) as VoskResult,
    reset: (recognizer) => reset(recognizer),
    recognizerFree: (recognizer) => recognizerFree(recognizer),
  };
  return loaded;
}
