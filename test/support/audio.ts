/** Test audio made from the shared speech with Debian's ffmpeg: other containers, rates, channel layouts. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const workDir = mkdtempSync(join(tmpdir(), "earshot-test-audio-"));

/** Run ffmpeg on the inputs with `args` and return the bytes of `name`. */
export function ffmpeg(inputs: string[], args: string[], name: string): Uint8Array {
  const out = join(workDir, name);
  execFileSync("ffmpeg", ["-y", "-v", "error", ...inputs.flatMap((i) => ["-i", i]), ...args, out]);
  return readFileSync(out);
}

export function transcode(input: string, args: string[], name: string): Uint8Array {
  return ffmpeg([input], args, name);
}
