/** Planar floating-point audio: the one in-memory form every decoder produces and every engine consumes. */
export interface PcmAudio {
  sampleRate: number;
  /** One Float32Array per channel, samples in [-1, 1], all the same length. */
  channels: Float32Array[];
}

export function durationOf(audio: PcmAudio): number {
  return (audio.channels[0]?.length ?? 0) / audio.sampleRate;
}

/** Average of all channels; the recognizer takes mono unless the caller asked for `multichannel`. */
export function downmix(audio: PcmAudio): Float32Array {
  const [first, ...rest] = audio.channels;
  if (!first) return new Float32Array(0);
  if (rest.length === 0) return first;
  const out = new Float32Array(first.length);
  for (const channel of audio.channels) for (let i = 0; i < out.length; i++) out[i]! += channel[i]!;
  const scale = 1 / audio.channels.length;
  for (let i = 0; i < out.length; i++) out[i]! *= scale;
  return out;
}

/** Float samples → 16-bit PCM with clipping, the input PocketSphinx wants. */
export function toInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    out[i] = s >= 1 ? 32767 : s <= -1 ? -32768 : Math.round(s * 32767);
  }
  return out;
}

/** 16-bit PCM → float samples in [-1, 1), the input whisper.cpp and sherpa-onnx want. */
export function toFloat32(pcm: Int16Array): Float32Array {
  const out = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = pcm[i]! / 32768;
  return out;
}
