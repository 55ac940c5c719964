/**
 * Bytes of a live stream → 16 kHz float channels, incrementally: headerless PCM (`encoding=`) or a WAV stream
 * (sent as such, or produced by the transcoder from WebM/Ogg/…). Partial frames wait for their remaining
 * bytes; resampling keeps its filter state across calls, so chunk boundaries leave no clicks (and any chunking
 * gives the same samples).
 */
import { AudioDecodeError, ErrorCode } from "@earshot/protocol";
import { BYTES_PER_SAMPLE, deinterleave, type SampleFormat } from "../audio/interleaved.js";
import { checkAudioFormat } from "../audio/limits.js";
import { StreamResampler } from "../audio/stream-resampler.js";
import { sampleFormat } from "../audio/wav.js";
import type { LiveInput } from "./types.js";

const RAW_FORMATS: Record<string, SampleFormat> = { linear16: "s16", linear32: "s32", mulaw: "mulaw", alaw: "alaw" };
/** A WAV header that has not reached its data chunk by now is not a WAV header. */
const MAX_WAV_HEADER = 64 * 1024;

interface Layout {
  format: SampleFormat;
  sampleRate: number;
  channels: number;
}

const ascii = (bytes: Uint8Array, start: number, end: number): string =>
  String.fromCharCode(...bytes.subarray(start, end));

/** The layout and data offset of a WAV stream's header, or undefined while more bytes are needed. */
function parseWavHeader(bytes: Uint8Array): { layout: Layout; dataOffset: number } | undefined {
  if (bytes.byteLength < 12) return undefined;
  if (!["RIFF", "RF64"].includes(ascii(bytes, 0, 4)) || ascii(bytes, 8, 12) !== "WAVE") {
    throw new AudioDecodeError("The stream does not start with a WAV header.");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let layout: Layout | undefined;
  for (let offset = 12; offset + 8 <= bytes.byteLength; ) {
    const id = ascii(bytes, offset, offset + 4);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === "data") {
      if (!layout) throw new AudioDecodeError("WAV data chunk comes before its fmt chunk.");
      return { layout, dataOffset: body };
    }
    if (body + size > bytes.byteLength) return undefined;
    if (id === "fmt ") {
      let tag = view.getUint16(body, true);
      if (tag === 0xfffe && size >= 40) tag = view.getUint16(body + 24, true);
      const channels = view.getUint16(body + 2, true);
      const sampleRate = view.getUint32(body + 4, true);
      checkAudioFormat(sampleRate, channels, "from the WAV header");
      layout = { format: sampleFormat(tag, view.getUint16(body + 14, true)), sampleRate, channels };
    }
    offset = body + size + (size % 2);
  }
  if (bytes.byteLength > MAX_WAV_HEADER) throw new AudioDecodeError("WAV header without a data chunk.");
  return undefined;
}

export class InputDecoder {
  private layout: Layout | undefined;
  /** Bytes not yet decoded: a header being read, or the tail of a partial frame. */
  private pending = new Uint8Array(0);
  private readonly resamplers: StreamResampler[] = [];

  constructor(
    input: LiveInput,
    private readonly targetRate: number,
  ) {
    if (input.kind === "raw") {
      const format = RAW_FORMATS[input.encoding];
      if (!format) {
        throw new AudioDecodeError(`encoding=${input.encoding} is not a PCM encoding.`, ErrorCode.UnsupportedAudio);
      }
      checkAudioFormat(input.sampleRate, input.channels, "sample_rate and channels");
      this.layout = { format, sampleRate: input.sampleRate, channels: input.channels };
    }
  }

  /** Channels of the audio, once known. */
  get channels(): number | undefined {
    return this.layout?.channels;
  }

  /** The audio's own sample rate, once known. */
  get sampleRate(): number | undefined {
    return this.layout?.sampleRate;
  }

  /** Decode what `bytes` complete; returns one array per channel at the target rate (empty when none yet). */
  push(bytes: Uint8Array): Float32Array[] {
    let data = this.pending.byteLength ? concat(this.pending, bytes) : bytes;
    if (!this.layout) {
      const header = parseWavHeader(data);
      if (!header) {
        this.pending = data.slice();
        return [];
      }
      this.layout = header.layout;
      data = data.subarray(header.dataOffset);
    }
    const frameBytes = BYTES_PER_SAMPLE[this.layout.format] * this.layout.channels;
    const whole = data.byteLength - (data.byteLength % frameBytes);
    this.pending = data.slice(whole);
    if (whole === 0) return [];
    const channels = deinterleave(data.subarray(0, whole), this.layout.format, this.layout.channels);
    return this.resample(channels);
  }

  private resample(channels: Float32Array[]): Float32Array[] {
    const rate = this.layout!.sampleRate;
    if (rate === this.targetRate) return channels;
    while (this.resamplers.length < channels.length) this.resamplers.push(new StreamResampler(rate, this.targetRate));
    return channels.map((samples, c) => this.resamplers[c]!.push(samples));
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}
