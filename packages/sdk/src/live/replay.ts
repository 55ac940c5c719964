/**
 * Audio sent but not yet covered by a final result, kept so a reconnect can send it again. Where the byte rate
 * is known (headerless PCM, or a WAV stream whose header is kept) the buffer is trimmed at every final and
 * replay resumes exactly there; for other containers (WebM, Ogg) the stream is replayed from its start, up to
 * `maxBytes`, and results the client already has are dropped by time.
 */
import type { LiveListenOptionsInput } from "@earshot/protocol";

const BYTES_PER_SAMPLE: Record<string, number> = { linear16: 2, linear32: 4, mulaw: 1, alaw: 1 };

export interface Replay {
  chunks: Uint8Array[];
  /** Stream time (s) of the first replayed sample: the new connection's times start there. */
  offset: number;
}

export class ReplayBuffer {
  /** Bytes per second of audio data, once known. */
  #byteRate: number | undefined;
  #frameBytes = 1;
  #header: Uint8Array | undefined;
  /** Undecided until the first bytes show whether this is a WAV stream. */
  #mode: "timed" | "whole" | "pending";
  #chunks: Uint8Array[] = [];
  /** Data bytes dropped from the front (timed mode). */
  #dropped = 0;
  #size = 0;
  #overflow = false;

  constructor(
    options: LiveListenOptionsInput,
    private readonly maxBytes: number,
  ) {
    const width = options.encoding ? BYTES_PER_SAMPLE[options.encoding] : undefined;
    if (width && options.sample_rate) {
      this.#mode = "timed";
      this.#frameBytes = width * (options.channels ?? 1);
      this.#byteRate = options.sample_rate * this.#frameBytes;
    } else {
      this.#mode = options.encoding ? "whole" : "pending";
    }
  }

  /** False once more than `maxBytes` would be needed: replay is then impossible. */
  get usable(): boolean {
    return !this.#overflow;
  }

  push(bytes: Uint8Array): void {
    if (this.#overflow) return;
    let data = bytes;
    if (this.#mode === "pending") {
      const header = wavHeader(bytes);
      this.#mode = header ? "timed" : "whole";
      if (header) {
        this.#header = bytes.slice(0, header.dataOffset);
        this.#byteRate = header.byteRate;
        this.#frameBytes = header.blockAlign;
        data = bytes.subarray(header.dataOffset);
      }
    }
    this.#chunks.push(data.slice());
    this.#size += data.byteLength;
    if (this.#size > this.maxBytes) {
      this.#overflow = true;
      this.#chunks = [];
    }
  }

  /** Everything before `seconds` is final on the server: it will not be needed again. */
  ack(seconds: number): void {
    if (this.#mode !== "timed" || !this.#byteRate) return;
    const target = Math.floor((seconds * this.#byteRate) / this.#frameBytes) * this.#frameBytes;
    while (this.#chunks.length > 0 && this.#dropped < target) {
      const first = this.#chunks[0]!;
      const drop = Math.min(first.byteLength, target - this.#dropped);
      if (drop === first.byteLength) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(drop);
      this.#dropped += drop;
      this.#size -= drop;
    }
  }

  replay(): Replay {
    const head = this.#header ? [this.#header] : [];
    const offset = this.#mode === "timed" && this.#byteRate ? this.#dropped / this.#byteRate : 0;
    return { chunks: [...head, ...this.#chunks], offset };
  }
}

function wavHeader(bytes: Uint8Array): { dataOffset: number; byteRate: number; blockAlign: number } | undefined {
  const ascii = (start: number, end: number): string => String.fromCharCode(...bytes.subarray(start, end));
  if (bytes.byteLength < 12 || ascii(0, 4) !== "RIFF" || ascii(8, 12) !== "WAVE") return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let byteRate: number | undefined;
  let blockAlign = 1;
  for (let offset = 12; offset + 8 <= bytes.byteLength; ) {
    const id = ascii(offset, offset + 4);
    const size = view.getUint32(offset + 4, true);
    if (id === "fmt " && offset + 24 <= bytes.byteLength) {
      byteRate = view.getUint32(offset + 16, true);
      blockAlign = view.getUint16(offset + 20, true);
    }
    if (id === "data") return byteRate ? { dataOffset: offset + 8, byteRate, blockAlign } : undefined;
    offset += 8 + size + (size % 2);
  }
  // A header split over several sends: replay the whole stream instead.
  return undefined;
}
