/**
 * Sample-format readers shared by the WAV decoder and headerless (`encoding=`) audio: interleaved frames of
 * one sample format → planar Float32 channels.
 */
import { ALAW_TABLE, MULAW_TABLE } from "./g711.js";

export type SampleFormat = "s8u" | "s16" | "s24" | "s32" | "f32" | "f64" | "mulaw" | "alaw";

export const BYTES_PER_SAMPLE: Record<SampleFormat, number> = {
  s8u: 1,
  s16: 2,
  s24: 3,
  s32: 4,
  f32: 4,
  f64: 8,
  mulaw: 1,
  alaw: 1,
};

function reader(view: DataView, format: SampleFormat): (offset: number) => number {
  switch (format) {
    case "s8u":
      return (o) => (view.getUint8(o) - 128) / 128;
    case "s16":
      return (o) => view.getInt16(o, true) / 32768;
    case "s24":
      return (o) => (view.getUint8(o) | (view.getUint8(o + 1) << 8) | (view.getInt8(o + 2) << 16)) / 8388608;
    case "s32":
      return (o) => view.getInt32(o, true) / 2147483648;
    case "f32":
      return (o) => view.getFloat32(o, true);
    case "f64":
      return (o) => view.getFloat64(o, true);
    case "mulaw":
      return (o) => MULAW_TABLE[view.getUint8(o)]!;
    case "alaw":
      return (o) => ALAW_TABLE[view.getUint8(o)]!;
  }
}

/** Whole frames only: a trailing partial frame is dropped (the caller decides whether that is an error). */
export function deinterleave(bytes: Uint8Array, format: SampleFormat, channelCount: number): Float32Array[] {
  const width = BYTES_PER_SAMPLE[format];
  const frameBytes = width * channelCount;
  const frames = Math.floor(bytes.byteLength / frameBytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, frames * frameBytes);
  const read = reader(view, format);
  const channels = Array.from({ length: channelCount }, () => new Float32Array(frames));
  for (let f = 0, offset = 0; f < frames; f++) {
    for (let c = 0; c < channelCount; c++, offset += width) channels[c]![f] = read(offset);
  }
  return channels;
}
