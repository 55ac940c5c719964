/**
 * Synthetic "speech" for the plug-in engine test: voiced bursts — a harmonic series at a fixed pitch, shaped by
 * the formants of an /a/ vowel, with a little vibrato — which Silero's VAD takes for speech and
 * test/support/tone-architecture.mjs recognises by their pitch. Every burst's place is known to the sample.
 */
const RATE = 16_000;

export interface Burst {
  /** Pitch, Hz. */
  pitch: number;
  /** Seconds. */
  duration: number;
  /** Silence before the burst, seconds. */
  gap: number;
}

/** Where each burst landed: seconds from the start of the audio. */
export interface Placed {
  pitch: number;
  start: number;
  end: number;
}

const FORMANTS: [number, number][] = [
  [700, 110],
  [1220, 120],
  [2600, 160],
];
/** Onset and offset ramps, samples: no clicks, which would not sound like a voice. */
const RAMP = 800;

function voiced(pitch: number, seconds: number): Float32Array {
  const n = Math.round(seconds * RATE);
  const out = new Float32Array(n);
  for (let h = 1; h * pitch < 4000; h++) {
    const f = h * pitch;
    let gain = 1 / Math.sqrt(h);
    for (const [formant, bandwidth] of FORMANTS) {
      gain /= Math.sqrt(((formant * formant - f * f) / (formant * bandwidth)) ** 2 + (f / formant) ** 2 + 0.05);
    }
    let phase = 0;
    for (let i = 0; i < n; i++) {
      phase += (2 * Math.PI * f * (1 + 0.02 * Math.sin((2 * Math.PI * 5 * i) / RATE))) / RATE;
      out[i]! += gain * Math.sin(phase);
    }
  }
  const peak = out.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
  for (let i = 0; i < n; i++) out[i] = (out[i]! / peak) * 0.5 * Math.min(1, i / RAMP, (n - i) / RAMP);
  return out;
}

/** 16 kHz mono 16-bit PCM of the bursts, then `tail` seconds of silence, and where each burst is. */
export function toneSpeech(bursts: Burst[], tail: number): { pcm: Buffer; placed: Placed[] } {
  const parts: Float32Array[] = [];
  const placed: Placed[] = [];
  let at = 0;
  for (const burst of bursts) {
    parts.push(new Float32Array(Math.round(burst.gap * RATE)));
    at += burst.gap;
    parts.push(voiced(burst.pitch, burst.duration));
    placed.push({ pitch: burst.pitch, start: at, end: at + burst.duration });
    at += burst.duration;
  }
  parts.push(new Float32Array(Math.round(tail * RATE)));
  const samples = parts.reduce((n, p) => n + p.length, 0);
  const pcm = Buffer.alloc(samples * 2);
  let offset = 0;
  for (const part of parts) {
    for (const s of part) {
      pcm.writeInt16LE(Math.round(s * 32767), offset);
      offset += 2;
    }
  }
  return { pcm, placed };
}
