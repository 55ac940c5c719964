/**
 * Container streams (WebM/Opus and Ogg/Opus from browsers' MediaRecorder, FLAC, MP3, …) are decoded as they
 * arrive by one ffmpeg child per stream: container bytes in on stdin, a 16 kHz 16-bit WAV stream out on stdout,
 * which the worker reads like any WAV stream. Probing is cut to the minimum so the first audio comes out after
 * the first packets, not after ffmpeg's default 5 MB / 5 s of look-ahead. A child process keeps codec bugs out
 * of the server, and it is I/O for this thread: the decoding CPU is ffmpeg's.
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { AudioDecodeError, type EarshotError, UnavailableError } from "@earshot/protocol";

export interface TranscoderOptions {
  binary: string;
  sampleRate: number;
  /** Keep the channels apart (multichannel) instead of mixing them down. */
  keepChannels: boolean;
  /** ffmpeg's name for the input format when the bytes cannot say it (raw FLAC/Opus/AMR encodings). */
  inputFormat: string | undefined;
  onData(bytes: Uint8Array): void;
  /**
   * Called once: after the last output byte, with an error when the input could not be decoded (400) or ffmpeg
   * could not be started (503).
   */
  onEnd(error: EarshotError | undefined): void;
}

export class Transcoder {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private stderr = "";

  constructor(options: TranscoderOptions) {
    const args = ["-nostdin", "-hide_banner", "-v", "error", "-fflags", "+nobuffer"];
    args.push("-probesize", "32", "-analyzeduration", "0");
    if (options.inputFormat) args.push("-f", options.inputFormat);
    args.push("-i", "pipe:0", "-map", "0:a:0", "-vn", "-c:a", "pcm_s16le", "-ar", String(options.sampleRate));
    if (!options.keepChannels) args.push("-ac", "1");
    args.push("-f", "wav", "-flush_packets", "1", "pipe:1");
    this.child = spawn(options.binary, args, { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout.on("data", (chunk: Buffer) => options.onData(chunk));
    this.child.stderr.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-2000);
    });
    // The client may send garbage that makes ffmpeg quit while we still write: that is reported by the exit.
    this.child.stdin.on("error", () => {});
    let ended = false;
    const end = (error: EarshotError | undefined): void => {
      if (ended) return;
      ended = true;
      options.onEnd(error);
    };
    this.child.on("error", (err) =>
      end(
        new UnavailableError(`The audio decoder (${options.binary}) could not be started: ${err.message}`, {
          cause: err,
        }),
      ),
    );
    this.child.on("close", (code) => {
      if (code === 0) return end(undefined);
      const reason = this.stderr.trim().split("\n").pop() || `ffmpeg exited with ${code}`;
      end(new AudioDecodeError(`Failed to decode the audio stream (${reason.replace(/^pipe:0: /, "")}).`));
    });
  }

  /** False when ffmpeg's input pipe is full; `onDrain` fires when it can take more. */
  write(bytes: Uint8Array): boolean {
    return this.child.stdin.writable ? this.child.stdin.write(bytes) : true;
  }

  onDrain(listener: () => void): void {
    this.child.stdin.on("drain", listener);
  }

  pauseOutput(): void {
    this.child.stdout.pause();
  }

  resumeOutput(): void {
    this.child.stdout.resume();
  }

  /** No more input: ffmpeg flushes and exits, which ends the output. */
  end(): void {
    this.child.stdin.end();
  }

  kill(): void {
    this.child.kill("SIGKILL");
  }
}
