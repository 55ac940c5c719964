/** `earshot transcribe <file|url>`: one pre-recorded transcription, printed as JSON, text, SRT or WebVTT. */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { ListenOptionsInput, ListenResponse } from "@earshot/sdk";
import { toSRT, toWebVTT } from "@earshot/sdk";
import { type Command, Option } from "commander";
import { progressDisplay } from "../progress.js";
import { openTarget, type TargetOptions } from "../server-target.js";
import { addTextOptions, type TextFlags, textOptions } from "../text-options.js";
import { transcribeAsync } from "./jobs.js";

interface TranscribeFlags extends TargetOptions, TextFlags {
  format: "json" | "text" | "srt" | "vtt";
  model?: string;
  language?: string;
  utterances?: boolean;
  paragraphs?: boolean;
  multichannel?: boolean;
  option: string[];
  progress: boolean;
  async?: boolean;
}

export function formatTranscript(response: ListenResponse, format: TranscribeFlags["format"]): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(response, null, 2)}\n`;
    case "srt":
      return toSRT(response);
    case "vtt":
      return toWebVTT(response);
    case "text":
      return `${response.results.channels.map((c) => c.alternatives[0]?.transcript ?? "").join("\n")}\n`;
  }
}

/** `--option key=value` (repeatable) passes any Deepgram query option through; repeated keys become lists. */
export function listenOptions(flags: TranscribeFlags): ListenOptionsInput {
  const options: Record<string, string | string[] | boolean> = {};
  for (const pair of flags.option) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new Error(`--option expects key=value, got '${pair}'`);
    const [key, value] = [pair.slice(0, eq), pair.slice(eq + 1)];
    const previous = options[key];
    options[key] =
      previous === undefined ? value : [...(Array.isArray(previous) ? previous : [String(previous)]), value];
  }
  for (const key of ["model", "language", "utterances", "paragraphs", "multichannel"] as const) {
    if (flags[key] !== undefined) options[key] = flags[key];
  }
  return { ...options, ...textOptions(flags) } as ListenOptionsInput;
}

const isUrl = (source: string): boolean => /^https?:\/\//i.test(source);

async function readSource(source: string): Promise<Uint8Array> {
  if (source !== "-") return readFile(source);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function registerTranscribe(program: Command): void {
  const command = program.command("transcribe");
  addTextOptions(command)
    .description("Transcribe an audio file (or - for stdin) or a URL; with --async, many of them as jobs.")
    .argument("<sources...>", "audio file, '-' for stdin, or an http(s) URL the server fetches")
    .addOption(
      new Option("-f, --format <format>", "output format").choices(["json", "text", "srt", "vtt"]).default("text"),
    )
    .option("--server <url>", "send to this Earshot (or Deepgram-compatible) server instead of running one in-process")
    .option("--api-key <key>", "API key for --server (EARSHOT_API_KEY)")
    .option("--workers <n>", "engine worker threads for the in-process server")
    .option("--model <name>", "speech model")
    .option("--language <code>", "language, e.g. en")
    .option("--utterances", "split into utterances")
    .option("--paragraphs", "add paragraphs")
    .option("--multichannel", "transcribe each channel separately")
    .option(
      "-o, --option <key=value>",
      "any other query option (repeatable)",
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option("--no-progress", "no progress bar")
    .option("--async", "submit every source as a job and show a progress bar per job")
    .action(async (sources: string[], flags: TranscribeFlags) => {
      const options = listenOptions(flags);
      if (flags.async) return transcribeAsync(sources, options, flags);
      if (sources.length !== 1) throw new Error("transcribe takes one source; use --async for several.");
      const source = sources[0]!;
      const target = await openTarget(flags);
      const progress = progressDisplay([basename(source)], flags.progress);
      try {
        const requestOptions = flags.progress ? { onProgress: (fraction: number) => progress.update(0, fraction) } : {};
        const response = isUrl(source)
          ? await target.client.listen.v1.media.transcribeUrl(
              { url: source, ...options, callback: undefined },
              requestOptions,
            )
          : await target.client.listen.v1.media.transcribeFile(
              await readSource(source),
              { ...options, callback: undefined },
              requestOptions,
            );
        progress.end(0);
        progress.stop();
        process.stdout.write(formatTranscript(response, flags.format));
      } finally {
        progress.stop();
        await target.close();
      }
    });
}
