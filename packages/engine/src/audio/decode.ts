/** One entry point from request bytes to planar audio at the engine's rate. */
import { AudioDecodeError, ErrorCode, type RawEncoding } from "@earshot/protocol";
import { decodeWithFfmpeg } from "./ffmpeg.js";
import { deinterleave, type SampleFormat } from "./interleaved.js";
import { checkAudioFormat } from "./limits.js";
import type { PcmAudio } from "./pcm.js";
import { resample } from "./resample.js";
import { sniffContainer } from "./sniff.js";
import { decodeWav } from "./wav.js";

/** How to read headerless audio (`encoding`, `sample_rate`, `channels` query options). */
export interface RawFormat {
  encoding: RawEncoding;
  sampleRate: number;
  channels: number;
}

export interface DecodeOptions {
  /** Rate the result is resampled to. */
  sampleRate: number;
  /** Used only when the bytes carry no recognisable container. */
  raw?: RawFormat | undefined;
  ffmpegBinary?: string | undefined;
}

const RAW_SAMPLE_FORMATS: Partial<Record<RawEncoding, SampleFormat>> = {
  linear16: "s16",
  linear32: "s32",
  mulaw: "mulaw",
  alaw: "alaw",
};

export function decodeRaw(bytes: Uint8Array, raw: RawFormat): PcmAudio {
  const format = RAW_SAMPLE_FORMATS[raw.encoding];
  if (!format) {
    throw new AudioDecodeError(
      `encoding=${raw.encoding} needs a container; send the file as is (ogg, flac, …) without the encoding option.`,
      ErrorCode.UnsupportedAudio,
    );
  }
  checkAudioFormat(raw.sampleRate, raw.channels, "sample_rate and channels");
  return { sampleRate: raw.sampleRate, channels: deinterleave(bytes, format, raw.channels) };
}

export async function decodeAudio(bytes: Uint8Array, options: DecodeOptions): Promise<PcmAudio> {
  if (bytes.byteLength === 0) throw new AudioDecodeError("The request contained no audio.", ErrorCode.EmptyAudio);
  const container = sniffContainer(bytes);
  let audio: PcmAudio;
  if (container === "wav") {
    audio = decodeWav(bytes, { strict: true });
  } else if (container) {
    audio = await decodeWithFfmpeg(bytes, { sampleRate: options.sampleRate, binary: options.ffmpegBinary ?? "ffmpeg" });
  } else if (options.raw) {
    audio = decodeRaw(bytes, options.raw);
  } else {
    throw new AudioDecodeError(
      "Failed to process audio: unrecognised format. Send a container (wav, mp3, flac, ogg, webm, m4a) or set encoding, sample_rate and channels for raw audio.",
      ErrorCode.UnsupportedAudio,
    );
  }
  if ((audio.channels[0]?.length ?? 0) === 0) {
    throw new AudioDecodeError("The audio contains no samples.", ErrorCode.EmptyAudio);
  }
  return resample(audio, options.sampleRate);
}
