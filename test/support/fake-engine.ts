/**
 * A small in-test engine for the server's unit tests: the server's {@link ServerEngine} interface over the real
 * model registry, answering every transcription with the words it is given. Each test scripts what it needs
 * (a failure, a full queue) by replacing `transcribe` or setting the counters; end-to-end tests use the real
 * engine instead.
 */
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  channelLanguage,
  type EngineStatus,
  ModelRegistry,
  type RecognizedWord,
  type TranscribeOptions,
  type Transcript,
} from "@earshot/engine";
import { AudioDecodeError, CapacityError, ErrorCode } from "@earshot/protocol";
import type { ServerEngine } from "@earshot/server";

/** "hello world" as a recogniser would report it, one second per word. */
export const HELLO_WORLD: RecognizedWord[] = [
  { word: "hello", start: 0.1, end: 0.9, confidence: 0.9 },
  { word: "world", start: 1.1, end: 1.8, confidence: 0.8 },
];

export class FakeEngine implements ServerEngine {
  /** Only the built-in models: a models directory of its own, empty. */
  readonly registry = new ModelRegistry({ modelsDir: mkdtempSync(join(tmpdir(), "earshot-fake-models-")) });
  words: RecognizedWord[] = HELLO_WORLD;
  /** Requests admitted; at `queueLimit` the next one is refused as the real engine refuses it. */
  active = 0;
  queueDepth = 0;
  queueLimit = 16;
  /** Every call of `transcribe`, for tests that check what the server asked for. */
  readonly calls: Array<{ bytes: Uint8Array; options: TranscribeOptions }> = [];

  checkCapacity(): void {
    if (this.active >= this.queueLimit) throw new CapacityError("Too many requests (fake engine).", 2);
  }

  checkStreamCapacity(): void {}

  async transcribe(bytes: Uint8Array, options: TranscribeOptions = {}): Promise<Transcript> {
    const { model, aliasOf } = this.registry.resolve(options.model, options.language);
    this.checkCapacity();
    this.calls.push({ bytes, options });
    if (bytes.byteLength === 0) throw new AudioDecodeError("The request contained no audio.", ErrorCode.EmptyAudio);
    options.onProgress?.(0.5);
    options.onProgress?.(1);
    return {
      sha256: createHash("sha256").update(bytes).digest("hex"),
      duration: 2,
      channelCount: 1,
      channels: [this.words],
      languages: [channelLanguage(model, this.words, [])],
      model,
      aliasOf,
    };
  }

  status(): EngineStatus {
    return {
      defaultModel: this.registry.defaultModel.name,
      workers: 2,
      busyWorkers: 0,
      queueDepth: this.queueDepth,
      queueLimit: this.queueLimit,
      active: this.active,
      loadedModels: [],
    };
  }

  // What the unit tests never reach: live streams and the scale-out fan-out run on the real engine only.
  openStream(): never {
    throw new Error("The fake engine does not stream; live tests use the real engine.");
  }

  prepare(): never {
    throw new Error("The fake engine does not prepare pieces; fan-out tests use the real engine.");
  }

  recognizePieces(): never {
    throw new Error("The fake engine does not recognise pieces; fan-out tests use the real engine.");
  }

  async close(): Promise<void> {}
}
