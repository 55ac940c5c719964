// sherpa-onnx-node ships JSDoc only; these are the parts of its API Earshot calls.
declare module "sherpa-onnx-node" {
  export interface SileroVadConfig {
    model: string;
    threshold?: number;
    minSilenceDuration?: number;
    minSpeechDuration?: number;
    maxSpeechDuration?: number;
    windowSize?: number;
  }
  export interface VadConfig {
    sileroVad: SileroVadConfig;
    sampleRate?: number;
    numThreads?: number;
    provider?: string;
    debug?: boolean | number;
  }
  export interface SpeechSegment {
    /** Index of the first sample of the segment in the stream fed so far. */
    start: number;
    samples: Float32Array;
  }
  export class Vad {
    constructor(config: VadConfig, bufferSizeInSeconds: number);
    acceptWaveform(samples: Float32Array): void;
    isEmpty(): boolean;
    isDetected(): boolean;
    front(enableExternalBuffer?: boolean): SpeechSegment;
    pop(): void;
    clear(): void;
    reset(): void;
    flush(): void;
  }

  /** What `getResult` answers, offline and online: tokens with their start times (seconds). */
  export interface RecognizerResult {
    text: string;
    tokens: string[];
    timestamps: number[];
    durations?: number[];
    lang?: string;
  }
  export interface Waveform {
    samples: Float32Array;
    sampleRate: number;
  }
  export class OfflineStream {
    acceptWaveform(wave: Waveform): void;
  }
  export class OfflineRecognizer {
    constructor(config: object);
    createStream(): OfflineStream;
    decode(stream: OfflineStream): void;
    getResult(stream: OfflineStream): RecognizerResult;
  }
  export class OnlineStream {
    acceptWaveform(wave: Waveform): void;
    inputFinished(): void;
  }
  export class OnlineRecognizer {
    constructor(config: object);
    createStream(): OnlineStream;
    isReady(stream: OnlineStream): boolean;
    decode(stream: OnlineStream): void;
    isEndpoint(stream: OnlineStream): boolean;
    reset(stream: OnlineStream): void;
    getResult(stream: OnlineStream): RecognizerResult;
  }
}
