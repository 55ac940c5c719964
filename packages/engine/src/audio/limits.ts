/**
 * What audio the engine accepts (the query options' bounds), checked from a header before any sample is
 * decoded. A header is the client's word: a rate of 100 Hz makes 64 KiB decode as five minutes of audio (CPU), 65 535 channels make one resampler
 * per channel (memory). Both are refused as the client's error, naming the field.
 */
import { AudioDecodeError, ErrorCode, MAX_CHANNELS, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE } from "@earshot/protocol";

export function checkAudioFormat(sampleRate: number, channels: number, source: string): void {
  if (!Number.isInteger(sampleRate) || sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw new AudioDecodeError(
      `Unsupported sample rate ${sampleRate} Hz (${source}): this server takes ${MIN_SAMPLE_RATE}–${MAX_SAMPLE_RATE} Hz.`,
      ErrorCode.UnsupportedAudio,
    );
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) {
    throw new AudioDecodeError(
      `Unsupported channel count ${channels} (${source}): this server takes 1–${MAX_CHANNELS} channels.`,
      ErrorCode.UnsupportedAudio,
    );
  }
}
