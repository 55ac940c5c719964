/**
 * Band-limited sample-rate conversion with libsamplerate (Secret Rabbit Code) compiled to WebAssembly: the
 * standard sinc resampler, so 44.1/48 kHz uploads reach the 16 kHz recognizer without aliasing.
 */
import libsamplerate from "@alexanderolsen/libsamplerate-js";
import type { PcmAudio } from "./pcm.js";

const { ConverterType, create } = libsamplerate;

/**
 * One converter for all channels, one channel after another: each converter is a WebAssembly instance of
 * about 26 MB, so a converter per channel made memory grow with the channel count a header claims.
 * `simple` is one-shot (no state carries from one channel to the next).
 */
export async function resample(audio: PcmAudio, targetRate: number): Promise<PcmAudio> {
  if (audio.sampleRate === targetRate) return audio;
  const src = await create(1, audio.sampleRate, targetRate, { converterType: ConverterType.SRC_SINC_MEDIUM_QUALITY });
  try {
    return { sampleRate: targetRate, channels: audio.channels.map((samples) => src.simple(samples)) };
  } finally {
    src.destroy();
  }
}
