/**
 * Native WAV (RIFF/RF64) decoding: 8/16/24/32-bit integer PCM, 32/64-bit float, µ-law and A-law, any sample
 * rate and channel count, WAVE_FORMAT_EXTENSIBLE included. Native because WAV is what most callers send and
 * it is cheaper to parse than to spawn a decoder for.
 */
import { AudioDecodeError, ErrorCode } from "@earshot/protocol";
import { deinterleave, type SampleFormat } from "./interleaved.js";
import { checkAudioFormat } from "./limits.js";
import type { PcmAudio } from "./pcm.js";

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_ALAW = 6;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;
/** Size fields a writer uses when it cannot seek back (ffmpeg writing to a pipe, live recorders). */
const UNKNOWN_SIZES = new Set([0, 0xffffffff]);

export interface WavOptions {
  /**
   * Reject a data chunk shorter than its header declares. On for uploads, where it means a truncated file;
   * off for our own decoder's pipe output, whose header cannot carry the final size.
   */
  strict?: boolean;
}

export function sampleFormat(tag: number, bits: number): SampleFormat {
  if (tag === FORMAT_PCM) {
    const byBits: Record<number, SampleFormat> = { 8: "s8u", 16: "s16", 24: "s24", 32: "s32" };
    const format = byBits[bits];
    if (format) return format;
  } else if (tag === FORMAT_FLOAT && (bits === 32 || bits === 64)) {
    return bits === 32 ? "f32" : "f64";
  } else if (tag === FORMAT_MULAW && bits === 8) {
    return "mulaw";
  } else if (tag === FORMAT_ALAW && bits === 8) {
    return "alaw";
  }
  throw new AudioDecodeError(
    `Unsupported WAV encoding (format tag ${tag}, ${bits} bits per sample).`,
    ErrorCode.UnsupportedAudio,
  );
}

export function isWav(bytes: Uint8Array): boolean {
  const tag = String.fromCharCode(...bytes.subarray(0, 4));
  return (tag === "RIFF" || tag === "RF64") && String.fromCharCode(...bytes.subarray(8, 12)) === "WAVE";
}

export function decodeWav(bytes: Uint8Array, options: WavOptions = {}): PcmAudio {
  if (bytes.byteLength < 12 || !isWav(bytes)) throw new AudioDecodeError("Not a WAV file.");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: { tag: number; channels: number; rate: number; bits: number } | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.byteLength) {
    const id = String.fromCharCode(...bytes.subarray(offset, offset + 4));
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === "fmt ") {
      if (size < 16 || body + 16 > bytes.byteLength) throw new AudioDecodeError("Truncated WAV header (fmt chunk).");
      let tag = view.getUint16(body, true);
      if (tag === FORMAT_EXTENSIBLE && size >= 40) tag = view.getUint16(body + 24, true);
      format = {
        tag,
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === "data") {
      if (!format) throw new AudioDecodeError("WAV data chunk comes before its fmt chunk.");
      checkAudioFormat(format.rate, format.channels, "from the WAV header");
      const available = bytes.byteLength - body;
      // RF64 keeps the real size in its ds64 chunk; an unknown or RF64 size means "until the end".
      const declared =
        UNKNOWN_SIZES.has(size) || (bytes[0] === 0x52 && bytes[1] === 0x46 && bytes[2] === 0x36) ? available : size;
      if (declared > available && options.strict) {
        throw new AudioDecodeError(
          `Truncated WAV file: the header declares ${declared} bytes of audio but only ${available} are present.`,
        );
      }
      const data = bytes.subarray(body, body + Math.min(declared, available));
      const channels = deinterleave(data, sampleFormat(format.tag, format.bits), format.channels);
      return { sampleRate: format.rate, channels };
    }
    offset = body + size + (size % 2);
  }
  throw new AudioDecodeError(format ? "WAV file has no data chunk (truncated?)." : "Truncated WAV header.");
}
