/**
 * @module @earshot/engine
 * Local speech engines behind small interfaces: audio decoding, PocketSphinx recognition, Silero VAD, the
 * model registry and the worker pool that keeps all of it off the event loop.
 */
export { type DecodeOptions, decodeAudio, type RawFormat } from "./audio/decode.js";
export { durationOf, type PcmAudio } from "./audio/pcm.js";
export { type ContainerFormat, sniffContainer } from "./audio/sniff.js";
export { decodeWav } from "./audio/wav.js";
export { Engine, type EngineOptions, type EngineStatus, type TranscribeOptions, type Transcript } from "./engine.js";
export { createRecognizer } from "./engines.js";
export { defaultModelsDir, type InstalledModel, MANIFEST_FILE, ModelRegistry, modelUuid } from "./models/registry.js";
export { RECOGNIZER_SAMPLE_RATE, type Recognition, type RecognizedWord, type Recognizer } from "./recognizer.js";
export { countErrors, normalizeText, wordErrorRate } from "./text/wer.js";
export {
  applyReplacements,
  buildParagraphs,
  buildUtterances,
  confidenceOf,
  searchWords,
  transcriptOf,
} from "./text/words.js";
