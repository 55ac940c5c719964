/** ITU-T G.711 µ-law and A-law expansion (telephony audio, `encoding=mulaw|alaw`). */

function mulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = (((u & 0x0f) << 3) + 0x84) << exponent;
  return (u & 0x80 ? 0x84 - magnitude : magnitude - 0x84) / 32768;
}

function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  let magnitude = (a & 0x0f) << 4;
  magnitude = exponent === 0 ? magnitude + 8 : (magnitude + 0x108) << (exponent - 1);
  return (a & 0x80 ? magnitude : -magnitude) / 32768;
}

const buildTable = (expand: (byte: number) => number): Float32Array =>
  Float32Array.from({ length: 256 }, (_, byte) => expand(byte));

export const MULAW_TABLE = buildTable(mulawToLinear);
export const ALAW_TABLE = buildTable(alawToLinear);
