/** Child-process plumbing shared by the synthesisers: run with a deadline and an abort signal, and read WAV. */
import { spawn } from "node:child_process";
import { CancelledError, EarshotError, ErrorCode, UnavailableError } from "@earshot/protocol";

/** A synthesiser that cannot be started, fails, or times out is a server fault, not the client's. */
export const synthesisError = (message: string, cause?: unknown): EarshotError =>
  new EarshotError(500, ErrorCode.Internal, `Speech synthesis failed: ${message}`, { cause });

export const abortError = (): CancelledError => new CancelledError("Speech synthesis was cancelled.");

/** A synthesiser or encoder binary missing or not executable: this machine's fault, a 503 like decoding's. */
export const startError = (binary: string, cause: Error): UnavailableError =>
  new UnavailableError(`Speech synthesis is unavailable: ${binary} could not be started (${cause.message}).`, {
    cause,
  });

/** Run `binary` to completion and return its stdout. */
export function runForOutput(
  binary: string,
  args: string[],
  options: { timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(abortError());
      return;
    }
    const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let stderr = "";
    const kill = () => child.kill("SIGKILL");
    const timer = setTimeout(kill, options.timeoutMs);
    options.signal?.addEventListener("abort", kill, { once: true });
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(startError(binary, err));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", kill);
      if (options.signal?.aborted) reject(abortError());
      else if (code === 0) resolve(Buffer.concat(out));
      else
        reject(synthesisError(`${binary} exited with ${signal ?? `code ${code}`}: ${stderr.trim() || "no message"}`));
    });
  });
}

/**
 * The 16-bit PCM inside a synthesiser's WAV output. Sizes in the header are ignored: a writer on a pipe cannot
 * seek back to fill them in, so the data chunk runs to the end.
 */
export function pcmFromWav(wav: Uint8Array, expectedRate: number): Uint8Array {
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  const tag = (at: number) => String.fromCharCode(...wav.subarray(at, at + 4));
  if (wav.byteLength < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") throw synthesisError("the output is not WAV.");
  let offset = 12;
  while (offset + 8 <= wav.byteLength) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    if (id === "fmt ") {
      const channels = view.getUint16(offset + 10, true);
      const rate = view.getUint32(offset + 12, true);
      const bits = view.getUint16(offset + 22, true);
      if (channels !== 1 || bits !== 16 || rate !== expectedRate) {
        throw synthesisError(`unexpected output format (${channels} ch, ${bits} bit, ${rate} Hz).`);
      }
    } else if (id === "data") {
      const data = wav.subarray(offset + 8);
      return data.subarray(0, data.byteLength - (data.byteLength % 2));
    }
    offset += 8 + size + (size % 2);
  }
  throw synthesisError("the output WAV has no data.");
}
