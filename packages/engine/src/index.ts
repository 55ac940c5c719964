/**
 * @module @earshot/engine
 * Local speech engines behind small interfaces: audio decoding, PocketSphinx recognition, Silero VAD, the
 * model registry and the worker pool that keeps all of it off the event loop. More recognisers plug in as
 * architecture modules ({@link ArchitectureModule}).
 */
export {
  type ArchitectureContext,
  type ArchitectureModule,
  type ArchitectureRegistration,
  createRecognizer,
} from "./architectures.js";
export { isNarrowband, upperBandDb } from "./audio/bandwidth.js";
export { type DecodeOptions, decodeAudio, type RawFormat } from "./audio/decode.js";
export { durationOf, type PcmAudio, toInt16 } from "./audio/pcm.js";
export { type ContainerFormat, sniffContainer } from "./audio/sniff.js";
export { decodeWav } from "./audio/wav.js";
export { DEFAULT_DIARIZATION, diarizationMethod, statisticalDiarization } from "./diarize/diarizers.js";
export { StatisticalOnlineDiarizer } from "./diarize/online.js";
export { DEFAULT_PARAMS, StatisticalDiarizer, type StatisticalParams } from "./diarize/statistical.js";
export { buildSpeakerParagraphs, splitUtterancesBySpeaker } from "./diarize/transcript.js";
export type {
  Diarization,
  DiarizeOptions,
  Diarizer,
  DiarizerFactory,
  OnlineDiarizer,
  OnlineDiarizerOptions,
  SpeakerLabel,
  SpeakerTurn,
  TimedWord,
} from "./diarize/types.js";
export { labelWords } from "./diarize/words.js";
export {
  Engine,
  type EngineObserver,
  type EngineOptions,
  type EngineStatus,
  type LiveOptions,
  type OpenStreamOptions,
  type PreparedAudio,
  type StitchContext,
  stitchTranscript,
  type TranscribeOptions,
  type Transcript,
} from "./engine.js";
export { type ChannelLanguage, channelLanguage, modelLanguage } from "./language.js";
export { archiveKind, extractArchive, packFolder } from "./models/archive.js";
export {
  BUILT_IN_CATALOG,
  type CatalogEntry,
  type CatalogFile,
  CatalogFileContentSchema,
  ENGINES,
  type EngineName,
  filePath,
  ModelCatalog,
  readCatalogFile,
} from "./models/catalog.js";
export {
  type DownloadOptions,
  downloadFile,
  type HubSettings,
  hubFromEnv,
  hubRequest,
  ModelInstallError,
  sha256File,
} from "./models/download.js";
export {
  formatBytes,
  type ImportOptions,
  type ModelFolder,
  ModelManager,
  type ModelManagerOptions,
  type PullOptions,
  type PullProgress,
  type VerifyResult,
} from "./models/manager.js";
export {
  DEFAULT_MODEL_ALIASES,
  defaultModelsDir,
  type InstalledModel,
  MANIFEST_FILE,
  type ModelCapabilities,
  ModelRegistry,
  type ModelRegistryOptions,
  type ModelResolution,
  modelUuid,
} from "./models/registry.js";
export { adaptableModel, estimateMllr } from "./pocketsphinx/adaptation.js";
export type { LivePasses, PocketSphinxOptions } from "./pocketsphinx/options.js";
export {
  type Keyterm,
  type MaybePromise,
  RECOGNIZER_SAMPLE_RATE,
  type Recognition,
  type RecognizedWord,
  type RecognizeOptions,
  type Recognizer,
  type SpokenLanguage,
} from "./recognizer.js";
export { seededRandom } from "./seeded-random.js";
export { pieceVad } from "./segment.js";
export type { LiveDecoderCounts } from "./stream/decoder-pool.js";
export type { LiveDecoder } from "./stream/live-decoder.js";
export {
  isStreamableEncoding,
  type LiveStream,
  type LiveStreamHandlers,
  type LiveSummary,
} from "./stream/live-stream.js";
export type { LiveEvent, LiveResult, LiveSettings } from "./stream/types.js";
export { type Alignment, alignWords } from "./text/align.js";
export {
  type FormatOptions,
  type FormattedWords,
  formatWords,
  REDACTION_LABELS,
  type SentenceRange,
  unknownRedactions,
} from "./text/format.js";
export {
  analyzeWords,
  type IntelligenceOptions,
  type IntelligenceResults,
  type ListenIntelligence,
  listenIntelligence,
  readText,
} from "./text/intelligence/analyze.js";
export { detectTextLanguage } from "./text/intelligence/language.js";
export { tokenizeWritten, type WrittenToken } from "./text/punctuate/written.js";
export {
  needsTextStage,
  replaceStaged,
  runTextStage,
  type StagedWords,
  sentenceRangesOf,
} from "./text/stage.js";
export { countErrors, normalizeText, wordErrorRate } from "./text/wer.js";
export {
  applyReplacements,
  buildParagraphs,
  buildUtterances,
  confidenceOf,
  searchWords,
  transcriptOf,
} from "./text/words.js";
export { DEFAULT_VOICE_ALIAS, VOICE_ALIASES, type VoiceAlias, type VoiceResolution } from "./tts/aliases.js";
export {
  type SessionOptions,
  type SpeechOptions,
  SpeechSession,
  SpeechSynthesis,
} from "./tts/speech.js";
export type { SynthesisOptions, Synthesizer, SynthesizerFactory } from "./tts/synthesizer.js";
export { createSynthesizer } from "./tts/synthesizers.js";
export type { VoiceGender, VoiceInfo } from "./tts/voices.js";
export { createVad, detectSpeech, type SpeechSpan, VAD_SAMPLE_RATE, type VadOptions } from "./vad/silero.js";
export type { WhisperOptions } from "./whisper/options.js";
