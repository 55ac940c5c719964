/** Helpers for text-to-speech tests: real decoders (ffprobe/ffmpeg) on the audio, Earshot's recogniser on the words. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadClips } from "@earshot/bench/corpus";
import { countErrors } from "@earshot/engine";
import { postListen } from "./server.js";

const workDir = mkdtempSync(join(tmpdir(), "earshot-test-speech-"));
let files = 0;

export interface Probe {
  codec: string;
  sampleRate: number;
  channels: number;
  /** Seconds, measured by decoding every packet (streamed containers carry no length in their headers). */
  duration: number;
  formatName: string;
}

/** ffprobe's view of `bytes`; `input` names the demuxer for headerless audio (e.g. `["-f", "mulaw", "-ar", "8000"]`). */
export function probe(bytes: Uint8Array, input: string[] = []): Probe {
  const file = join(workDir, `probe-${files++}`);
  writeFileSync(file, bytes);
  const json = execFileSync(
    "ffprobe",
    ["-v", "error", ...input, "-count_packets", "-show_streams", "-show_format", "-of", "json", file],
    { encoding: "utf8" },
  );
  const { streams, format } = JSON.parse(json) as { streams: any[]; format: any };
  const stream = streams[0];
  // Decoding to the end is the one duration that does not trust a header a streaming writer could not fill in.
  const decoded = execFileSync(
    "ffmpeg",
    ["-v", "error", ...input, "-i", file, "-f", "s16le", "-ac", "1", "-ar", String(stream.sample_rate), "pipe:1"],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return {
    codec: stream.codec_name,
    sampleRate: Number(stream.sample_rate),
    channels: stream.channels,
    duration: decoded.byteLength / 2 / Number(stream.sample_rate),
    formatName: format.format_name,
  };
}

/** Decode any audio to 16 kHz mono WAV with ffmpeg, for the recogniser. */
export function toWav(bytes: Uint8Array, input: string[] = []): Uint8Array {
  const file = join(workDir, `in-${files++}`);
  writeFileSync(file, bytes);
  return execFileSync(
    "ffmpeg",
    ["-v", "error", ...input, "-i", file, "-ar", "16000", "-ac", "1", "-f", "wav", "pipe:1"],
    {
      maxBuffer: 256 * 1024 * 1024,
    },
  );
}

/** Transcribe through the server's own recogniser and score against `reference`. */
export async function recognise(
  base: string,
  wav: Uint8Array,
  reference: string,
): Promise<{ wer: number; hypothesis: string }> {
  const res = await postListen(base, wav);
  if (res.status !== 200) throw new Error(`listen failed: ${JSON.stringify(res.body)}`);
  const hypothesis: string = res.body.results.channels[0].alternatives[0].transcript;
  const c = countErrors(reference, hypothesis);
  return { wer: (c.substitutions + c.deletions + c.insertions) / c.words, hypothesis };
}

/**
 * Sentences to speak: LJ Speech reference transcripts (upper case in the set; sentence case here, since
 * synthesisers spell out all-capital words as acronyms).
 */
export function sentences(count: number, from = 20): string[] {
  return loadClips("ljspeech-dev")
    .slice(from, from + count)
    .map((clip) => `${clip.reference.charAt(0)}${clip.reference.slice(1).toLowerCase()}.`);
}
