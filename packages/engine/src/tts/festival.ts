/**
 * Festival (Debian `festival` + an HTS voice): one `festival --pipe` process per session, fed one Scheme
 * command per piece of text. Festival spends about 0.45 s loading an HTS voice and 0.3 s on a sentence, so a
 * process per sentence would more than double the cost. Each command writes a WAV file and then prints a
 * marker to stderr, which, unlike Festival's stdout, is not buffered; an error prints there too, before the
 * marker, and Festival carries on with the next command.
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import type { InstalledModel } from "../models/registry.js";
import { abortError, pcmFromWav, synthesisError } from "./process.js";
import type { SynthesisOptions, Synthesizer } from "./synthesizer.js";

/** A Scheme string literal; only `"` and `\` need escaping. Control characters would only confuse the reader. */
const schemeString = (text: string): string =>
  `"${text.replace(/[\p{Cc}]/gu, " ").replace(/[\\"]/g, (c) => `\\${c}`)}"`;

const TIMEOUT_MS = 60_000;

export function createFestivalSynthesizer(voice: InstalledModel): Synthesizer {
  const info = voice.voice!;
  let dir: string | undefined;
  let child: ChildProcessByStdio<Writable, null, Readable> | undefined;
  /** stderr since the last marker: error messages, then the marker. */
  let stderr = "";
  let sequence = 0;
  let queue: Promise<unknown> = Promise.resolve();
  /** Called on each stderr chunk (`false`) and when the process ends (`true`). */
  let listener: ((ended: boolean) => void) | undefined;

  const start = () => {
    dir ??= mkdtempSync(join(tmpdir(), "earshot-festival-"));
    stderr = "";
    const proc = spawn("festival", ["--pipe"], { stdio: ["pipe", "ignore", "pipe"] });
    proc.stdin.on("error", () => {});
    proc.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
      listener?.(false);
    });
    // Only the current process's end concerns the pending call; a killed predecessor may report late.
    const ended = () => {
      if (child !== proc) return;
      child = undefined;
      listener?.(true);
    };
    proc.on("error", ended);
    proc.on("close", ended);
    proc.stdin.write(`(voice_${info.engineVoice})\n`);
    child = proc;
    return proc;
  };

  const run = async (text: string, signal: AbortSignal | undefined): Promise<Uint8Array> => {
    if (signal?.aborted) throw abortError();
    const proc = child ?? start();
    const id = ++sequence;
    const marker = `EARSHOT-${id}`;
    const file = join(dir!, `${id}.wav`);
    let message = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => proc.kill("SIGKILL"), TIMEOUT_MS);
      // Aborting kills the process: Festival cannot be interrupted mid-sentence, and the next call restarts it.
      const onAbort = () => proc.kill("SIGKILL");
      signal?.addEventListener("abort", onAbort, { once: true });
      listener = (ended) => {
        const at = stderr.indexOf(`${marker}\n`);
        if (at < 0 && !ended) return;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        listener = undefined;
        message = stderr.slice(0, Math.max(at, 0)).trim();
        stderr = at < 0 ? "" : stderr.slice(at + marker.length + 1);
        if (signal?.aborted) reject(abortError());
        else if (at >= 0) resolve();
        else reject(synthesisError(`festival exited: ${message || "no message"}`));
      };
      proc.stdin.write(
        `(utt.save.wave (utt.synth (Utterance Text ${schemeString(text)})) ${schemeString(file)} 'riff)\n(format stderr "${marker}\\n")\n`,
      );
    });
    try {
      return pcmFromWav(await readFile(file), info.sampleRate);
    } catch (err) {
      throw synthesisError(`festival wrote no audio (${message || (err as Error).message})`, err);
    } finally {
      await rm(file, { force: true });
    }
  };

  return {
    synthesize(text: string, options: SynthesisOptions): Promise<Uint8Array> {
      // One command at a time: Festival answers in order, and the markers tell the answers apart.
      const result = queue.then(() => run(text, options.signal));
      queue = result.catch(() => {});
      return result;
    },
    close() {
      const proc = child;
      child = undefined;
      proc?.kill("SIGKILL");
      listener?.(true);
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
