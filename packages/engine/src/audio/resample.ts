/**
 * Band-limited sample-rate conversion with libsamplerate (Secret Rabbit Code) compiled to WebAssembly: the
 * standard sinc resampler, so 44.1/48 kHz uploads reach the 16 kHz recognizer without aliasing.
 */
import libsamplerate from "@alexanderolsen/libsamplerate-js";
import type { PcmAudio } from "./pcm.js";

const { ConverterType, create } = libsamplerate;

export async function resample(audio: PcmAudio, targetRate: number): Promise<PcmAudio> {
  if (audio.sampleRate === targetRate) return audio;
  const channels = await Promise.all(
    audio.channels.map(async (samples) => {
      const src = await create(1, audio.sampleRate, targetRate, {
        converterType: ConverterType.SRC_SINC_MEDIUM_QUALITY,
      });
      try {
        return src.simple(samples);
      } finally {
        src.destroy();
      }
    }),
  );
  return { sampleRate: targetRate, channels };
}
