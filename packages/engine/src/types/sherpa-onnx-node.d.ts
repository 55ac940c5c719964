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
}
