/**
 * PCM from a synthesiser → the requested output format, streaming, through Debian's ffmpeg as a child
 * process: resampling, µ-law/A-law, WAV/Ogg containers, MP3, Opus, FLAC, AAC, and time-stretching (`atempo`)
 * for voices that cannot change their own speaking rate. Chunks go out as ffmpeg writes them, so the first
 * sentence is heard while later ones are still being synthesised. Raw linear16 at the voice's own rate needs
 * no conversion and skips ffmpeg.
 */
import { spawn } from "node:child_process";
import type { AudioFormat } from "@earshot/protocol";
import { startError, synthesisError } from "./process.js";

export interface EncodeOptions {
  /** Rate of the incoming 16-bit mono PCM. */
  inputRate: number;
  format: AudioFormat;
  /** Time-stretch factor applied by the encoder (1 = none). */
  tempo: number;
  ffmpegBinary?: string | undefined;
}

const CODEC_ARGS: Record<AudioFormat["encoding"], string[]> = {
  linear16: ["-c:a", "pcm_s16le"],
  mulaw: ["-c:a", "pcm_mulaw"],
  alaw: ["-c:a", "pcm_alaw"],
  mp3: ["-c:a", "libmp3lame"],
  opus: ["-c:a", "libopus", "-application", "voip"],
  flac: ["-c:a", "flac"],
  aac: ["-c:a", "aac"],
};

const RAW_MUXERS: Record<AudioFormat["encoding"], string> = {
  linear16: "s16le",
  mulaw: "mulaw",
  alaw: "alaw",
  mp3: "mp3",
  opus: "ogg",
  flac: "flac",
  aac: "adts",
};

/** `atempo` takes factors in [0.5, 100] per instance; slower speeds chain several. */
function tempoFilter(tempo: number): string[] {
  const stages: string[] = [];
  let rest = tempo;
  while (rest < 0.5) {
    stages.push("atempo=0.5");
    rest /= 0.5;
  }
  stages.push(`atempo=${rest.toFixed(4)}`);
  return ["-af", stages.join(",")];
}

export function ffmpegArgs(options: EncodeOptions): string[] {
  const { format } = options;
  const args = ["-nostdin", "-hide_banner", "-v", "error", "-f", "s16le", "-ar", String(options.inputRate)];
  args.push("-ac", "1", "-i", "pipe:0");
  if (options.tempo !== 1) args.push(...tempoFilter(options.tempo));
  args.push("-ar", String(format.sampleRate), "-ac", "1", ...CODEC_ARGS[format.encoding]);
  if (format.bitRate !== undefined) args.push("-b:a", String(format.bitRate));
  // Bit-exact output carries no encoder tag, and every packet is written as soon as it is made.
  args.push("-fflags", "+bitexact", "-flush_packets", "1");
  args.push("-f", format.container === "wav" ? "wav" : RAW_MUXERS[format.encoding], "pipe:1");
  return args;
}

const needsConversion = (options: EncodeOptions): boolean =>
  !(
    options.format.encoding === "linear16" &&
    options.format.container === "none" &&
    options.format.sampleRate === options.inputRate &&
    options.tempo === 1
  );

/**
 * Encode a stream of PCM pieces. Iteration ends after the last byte of the last piece; breaking out of it (or
 * an error in `pcm`) stops ffmpeg.
 */
export async function* encodeStream(
  pcm: AsyncIterable<Uint8Array>,
  options: EncodeOptions,
): AsyncGenerator<Uint8Array> {
  if (!needsConversion(options)) {
    yield* pcm;
    return;
  }
  const binary = options.ffmpegBinary ?? "ffmpeg";
  const child = spawn(binary, ffmpegArgs(options), { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  child.stdin.on("error", () => {});
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", (err) => reject(startError(binary, err)));
    child.on("close", (code) => resolve(code));
  });
  exited.catch(() => {});
  let inputError: unknown;
  const pump = (async () => {
    try {
      for await (const piece of pcm) {
        if (child.stdin.destroyed) break;
        if (!child.stdin.write(piece)) {
          await new Promise((resolve) => {
            child.stdin.once("drain", resolve);
            child.stdin.once("close", resolve);
          });
        }
      }
    } catch (err) {
      inputError = err;
      child.kill("SIGKILL");
    } finally {
      child.stdin.end();
    }
  })();
  try {
    for await (const chunk of child.stdout) yield new Uint8Array(chunk as Buffer);
    await pump;
    const code = await exited;
    if (inputError !== undefined) throw inputError;
    if (code !== 0) throw synthesisError(`the encoder failed: ${stderr.trim() || `exit code ${code}`}`);
  } finally {
    // An early exit (client gone, Clear) stops ffmpeg; the pump then ends after the piece in hand, which the
    // caller's abort signal cuts short.
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}
