/**
 * Flite (Debian `flite`, CMU's small synthesiser): one short-lived process per piece of text, since it starts
 * in milliseconds. It writes WAV to a file (Node's stdio pipes are sockets, which flite cannot open as
 * `/dev/stdout`); the speaking rate is its own `duration_stretch`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InstalledModel } from "../models/registry.js";
import { pcmFromWav, runForOutput } from "./process.js";
import type { SynthesisOptions, Synthesizer } from "./synthesizer.js";

export function createFliteSynthesizer(voice: InstalledModel): Synthesizer {
  const info = voice.voice!;
  let dir: string | undefined;
  let sequence = 0;
  return {
    async synthesize(text: string, options: SynthesisOptions): Promise<Uint8Array> {
      dir ??= mkdtempSync(join(tmpdir(), "earshot-flite-"));
      const file = join(dir, `${++sequence}.wav`);
      const args = ["-voice", info.engineVoice, "--setf", `duration_stretch=${(1 / options.speed).toFixed(4)}`];
      args.push("-t", text, "-o", file);
      try {
        await runForOutput("flite", args, { timeoutMs: 60_000, signal: options.signal });
        return pcmFromWav(await readFile(file), info.sampleRate);
      } finally {
        await rm(file, { force: true });
      }
    },
    close() {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
