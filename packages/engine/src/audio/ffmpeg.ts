/**
 * Everything that is not WAV or headerless PCM goes through Debian's ffmpeg: mp3, flac, ogg/opus/vorbis,
 * webm, m4a/aac, amr, aiff. A child process keeps codec bugs out of our address space, and ffmpeg is the
 * decoder every other tool on the machine already trusts. It resamples on the way out with libswresample.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AudioDecodeError, ErrorCode, UnavailableError } from "@earshot/protocol";
import type { PcmAudio } from "./pcm.js";
import { decodeWav } from "./wav.js";

export interface FfmpegOptions {
  /** Output sample rate; ffmpeg resamples. */
  sampleRate: number;
  /** Give up after this long (ms); a decoder stuck on hostile input must not hold a worker forever. */
  timeoutMs?: number;
  binary?: string;
}

const run = (
  binary: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: Buffer; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => {
      // Keep the tail only: ffmpeg can print a line per corrupt frame.
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    // ffmpeg missing or not executable is this server's fault, not the audio's: a 503, which jobs retry.
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(
        new UnavailableError(`The audio decoder (${binary}) could not be started: ${err.message}`, { cause: err }),
      );
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
  });

export async function decodeWithFfmpeg(bytes: Uint8Array, options: FfmpegOptions): Promise<PcmAudio> {
  // A file rather than stdin: MP4/M4A often keep their index (moov) at the end, which needs seeking.
  const dir = await mkdtemp(join(tmpdir(), "earshot-decode-"));
  try {
    const input = join(dir, "input");
    await writeFile(input, bytes);
    const args = ["-nostdin", "-hide_banner", "-v", "error", "-xerror", "-i", input, "-map", "0:a:0", "-vn"];
    args.push("-c:a", "pcm_f32le", "-ar", String(options.sampleRate), "-f", "wav", "pipe:1");
    const { code, stdout, stderr } = await run(options.binary ?? "ffmpeg", args, options.timeoutMs ?? 300_000);
    if (code !== 0) {
      const reason = stderr.trim().split("\n").pop() ?? "unknown error";
      const unsupported = /Decoder .* not found|Unsupported codec|no audio stream|matches no streams/i.test(stderr);
      throw new AudioDecodeError(
        `Failed to process audio: ${unsupported ? "unsupported codec" : "corrupt or truncated data"} (${reason.replace(`${input}: `, "")}).`,
        unsupported ? ErrorCode.UnsupportedAudio : ErrorCode.CorruptAudio,
      );
    }
    const audio = decodeWav(stdout);
    // A container that decodes to nothing is broken (e.g. an MP4 cut before its first frame), not silent.
    if ((audio.channels[0]?.length ?? 0) === 0) {
      throw new AudioDecodeError("Failed to process audio: corrupt or truncated data (no audio frames decoded).");
    }
    return audio;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
