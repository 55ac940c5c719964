import { decodeWav, sniffContainer } from "@earshot/engine";
import { AudioDecodeError } from "@earshot/protocol";
import { describe, expect, it } from "vitest";

/** A WAV file with one fmt chunk (optionally WAVE_FORMAT_EXTENSIBLE) and the given data. */
function wav(
  tag: number,
  channels: number,
  rate: number,
  bits: number,
  data: Uint8Array,
  extensible = false,
): Uint8Array {
  const fmtSize = extensible ? 40 : 16;
  const out = new Uint8Array(12 + 8 + fmtSize + 8 + data.length);
  const view = new DataView(out.buffer);
  const ascii = (offset: number, s: string) => {
    for (const [i, c] of [...s].entries()) view.setUint8(offset + i, c.charCodeAt(0));
  };
  ascii(0, "RIFF");
  view.setUint32(4, out.length - 8, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, extensible ? 0xfffe : tag, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, (rate * channels * bits) / 8, true);
  view.setUint16(32, (channels * bits) / 8, true);
  view.setUint16(34, bits, true);
  if (extensible) {
    view.setUint16(36, 22, true);
    view.setUint16(44, tag, true);
  }
  const dataAt = 20 + fmtSize;
  ascii(dataAt, "data");
  view.setUint32(dataAt + 4, data.length, true);
  out.set(data, dataAt + 8);
  return out;
}

const bytes = (values: number[], write: (view: DataView, offset: number, v: number) => void, width: number) => {
  const out = new Uint8Array(values.length * width);
  const view = new DataView(out.buffer);
  for (const [i, v] of values.entries()) write(view, i * width, v);
  return out;
};

describe("decodeWav", () => {
  it("reads 16-bit stereo into planar channels", () => {
    const data = bytes([16384, -16384, 32767, -32768], (v, o, x) => v.setInt16(o, x, true), 2);
    const audio = decodeWav(wav(1, 2, 8000, 16, data));
    expect(audio.sampleRate).toBe(8000);
    expect([...audio.channels[0]!]).toEqual([0.5, 32767 / 32768]);
    expect([...audio.channels[1]!]).toEqual([-0.5, -1]);
  });

  it("reads 8-bit unsigned, 24-bit, 32-bit integer and float samples", () => {
    expect([...decodeWav(wav(1, 1, 8000, 8, new Uint8Array([128, 192, 0]))).channels[0]!]).toEqual([0, 0.5, -1]);
    const s24 = new Uint8Array([0x00, 0x00, 0x40, 0x00, 0x00, 0xc0]);
    expect([...decodeWav(wav(1, 1, 48000, 24, s24)).channels[0]!]).toEqual([0.5, -0.5]);
    const s32 = bytes([1 << 30, -(1 << 30)], (v, o, x) => v.setInt32(o, x, true), 4);
    expect([...decodeWav(wav(1, 1, 44100, 32, s32)).channels[0]!]).toEqual([0.5, -0.5]);
    const f32 = bytes([0.25, -0.75], (v, o, x) => v.setFloat32(o, x, true), 4);
    expect([...decodeWav(wav(3, 1, 22050, 32, f32, true)).channels[0]!]).toEqual([0.25, -0.75]);
    const f64 = bytes([0.125], (v, o, x) => v.setFloat64(o, x, true), 8);
    expect([...decodeWav(wav(3, 1, 16000, 64, f64)).channels[0]!]).toEqual([0.125]);
  });

  it("expands G.711 µ-law and A-law", () => {
    const mulaw = decodeWav(wav(7, 1, 8000, 8, new Uint8Array([0xff, 0x7f, 0x80, 0x00]))).channels[0]!;
    expect(mulaw[0]).toBe(0);
    expect(mulaw[1]).toBe(0);
    expect(mulaw[2]).toBeCloseTo(32124 / 32768, 6);
    expect(mulaw[3]).toBeCloseTo(-32124 / 32768, 6);
    const alaw = decodeWav(wav(6, 1, 8000, 8, new Uint8Array([0xd5, 0x55, 0xaa, 0x2a]))).channels[0]!;
    expect(alaw[0]).toBeCloseTo(8 / 32768, 6);
    expect(alaw[1]).toBeCloseTo(-8 / 32768, 6);
    expect(alaw[2]).toBeCloseTo(32256 / 32768, 6);
    expect(alaw[3]).toBeCloseTo(-32256 / 32768, 6);
  });

  it("rejects truncated files and codecs it does not read", () => {
    const whole = wav(1, 1, 16000, 16, new Uint8Array(3200));
    expect(() => decodeWav(whole.subarray(0, 1000), { strict: true })).toThrow(/Truncated WAV file/);
    expect(decodeWav(whole.subarray(0, 1000)).channels[0]!.length).toBe((1000 - 44) / 2);
    expect(() => decodeWav(whole.subarray(0, 30))).toThrow(AudioDecodeError);
    expect(() => decodeWav(wav(2, 1, 16000, 4, new Uint8Array(100)))).toThrow(/Unsupported WAV encoding/);
  });
});

describe("sniffContainer", () => {
  const head = (...parts: (string | number[])[]) =>
    new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...p].map((c) => c.charCodeAt(0)) : p)));

  it.each([
    ["wav", head("RIFF", [0, 0, 0, 0], "WAVE")],
    ["flac", head("fLaC")],
    ["ogg", head("OggS")],
    ["mp3", head("ID3", [3, 0])],
    ["mp3", head([0xff, 0xfb, 0x90, 0x00])],
    ["aac", head([0xff, 0xf1, 0x50, 0x80])],
    ["webm", head([0x1a, 0x45, 0xdf, 0xa3])],
    ["mp4", head([0, 0, 0, 0x20], "ftypM4A ")],
    ["amr", head("#!AMR\n")],
  ])("recognises %s", (format, bytes) => {
    expect(sniffContainer(bytes)).toBe(format);
  });

  it("recognises nothing in text", () => {
    expect(sniffContainer(new TextEncoder().encode("hello world"))).toBeUndefined();
  });
});
