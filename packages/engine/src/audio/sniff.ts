/**
 * Container detection from the first bytes. Callers' Content-Type headers are unreliable (the Deepgram SDKs
 * send `application/octet-stream` for everything), so the bytes decide.
 */
export type ContainerFormat = "wav" | "flac" | "ogg" | "mp3" | "aac" | "webm" | "mp4" | "aiff" | "caf" | "amr";

const ascii = (bytes: Uint8Array, start: number, end: number): string =>
  String.fromCharCode(...bytes.subarray(start, Math.min(end, bytes.byteLength)));

export function sniffContainer(bytes: Uint8Array): ContainerFormat | undefined {
  const head = ascii(bytes, 0, 4);
  if ((head === "RIFF" || head === "RF64") && ascii(bytes, 8, 12) === "WAVE") return "wav";
  if (head === "fLaC") return "flac";
  if (head === "OggS") return "ogg";
  if (head === "caff") return "caf";
  if (head === "FORM" && ["AIFF", "AIFC"].includes(ascii(bytes, 8, 12))) return "aiff";
  if (ascii(bytes, 0, 5) === "#!AMR") return "amr";
  if (ascii(bytes, 0, 3) === "ID3") return "mp3";
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return "webm";
  if (ascii(bytes, 4, 8) === "ftyp") return "mp4";
  // MPEG audio frame sync: 11 set bits. Layer bits 00 mean ADTS (AAC); anything else is MPEG-1/2 layer I–III.
  if (bytes[0] === 0xff && bytes[1] !== undefined && (bytes[1] & 0xe0) === 0xe0) {
    return (bytes[1] & 0x06) === 0 ? "aac" : "mp3";
  }
  return undefined;
}
