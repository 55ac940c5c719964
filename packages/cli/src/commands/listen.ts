/**
 * `earshot listen <file|url|->`: stream audio to a live transcription session at real-time pace (or `--fast`)
 * and print what is recognised: interim lines rewritten in place, final lines that stay, or `--json` messages.
 */
import { execFile } from "node:child_process";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import type { LiveConnectOptions, LiveResults } from "@earshot/sdk";
import type { Command } from "commander";
import { integer } from "../flags.js";
import { openTarget, type TargetOptions } from "../server-target.js";
import { addTextOptions, type TextFlags } from "../text-options.js";
import { listenOptions } from "./transcribe.js";

interface ListenFlags extends TargetOptions, TextFlags {
  fast?: boolean;
  json?: boolean;
  interim: boolean;
  model?: string;
  language?: string;
  encoding?: string;
  sampleRate?: number;
  channels?: number;
  multichannel?: boolean;
  option: string[];
}

const BYTES_PER_SAMPLE: Record<string, number> = { linear16: 2, linear32: 4, mulaw: 1, alaw: 1 };

/** Bytes per second of a WAV stream, from its first bytes. */
function wavByteRate(head: Uint8Array): number | undefined {
  const tag = (start: number) => String.fromCharCode(...head.subarray(start, start + 4));
  if (head.byteLength < 32 || tag(0) !== "RIFF" || tag(8) !== "WAVE" || tag(12) !== "fmt ") return undefined;
  return new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(28, true);
}

/** Average bytes per second of a compressed file, from its duration as ffprobe reads it. */
async function probedByteRate(path: string, size: number): Promise<number | undefined> {
  try {
    const { stdout } = await promisify(execFile)("ffprobe", [
      "-v",
      "error",
      "-show_entries",
      "format=duration",
      "-of",
      "csv=p=0",
      path,
    ]);
    const seconds = Number(stdout.trim());
    return seconds > 0 ? size / seconds : undefined;
  } catch {
    return undefined;
  }
}

async function openSource(
  source: string,
): Promise<{ stream: AsyncIterable<Uint8Array>; size?: number; path?: string }> {
  if (source === "-") return { stream: process.stdin };
  if (/^https?:\/\//i.test(source)) {
    const response = await fetch(source);
    if (!response.ok || !response.body) throw new Error(`${source}: HTTP ${response.status}`);
    return { stream: Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>) };
  }
  // Stat first: a missing file is then one clear error, not an unhandled 'error' event of the read stream.
  const { size } = await stat(source);
  return { stream: createReadStream(source), size, path: source };
}

/** Terminal output: interim text rewritten on one line, finals printed for good. */
function printer(flags: ListenFlags): (message: { type: string }) => void {
  if (flags.json) return (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
  const tty = process.stdout.isTTY;
  let pending = false;
  return (message) => {
    if (message.type !== "Results") return;
    const results = message as LiveResults;
    const text = results.channel.alternatives[0]?.transcript ?? "";
    const prefix = results.channel_index[1] > 1 ? `[${results.channel_index[0]}] ` : "";
    if (!results.is_final) {
      if (!tty || !text) return;
      const width = Math.max(10, (process.stdout.columns ?? 80) - 1);
      process.stdout.write(`\r\x1b[K${`${prefix}${text}`.slice(-width)}`);
      pending = true;
      return;
    }
    if (tty && pending) process.stdout.write("\r\x1b[K");
    pending = false;
    if (text) process.stdout.write(`${prefix}${text}\n`);
  };
}

export function registerListen(program: Command): void {
  // Text options are parsed here as for transcribe; the intelligence ones are pre-recorded only, and the server
  // says so in the stream's Metadata.
  addTextOptions(program.command("listen"))
    .description("Transcribe audio live: stream a file, URL or stdin (-) as if it were being spoken.")
    .argument("<source>", "audio file, '-' for stdin, or an http(s) URL")
    .option("--fast", "send as fast as the server takes it instead of at real-time pace")
    .option("--json", "print the raw server messages, one JSON object per line")
    .option("--no-interim", "print final results only")
    .option("--server <url>", "stream to this Earshot (or Deepgram-compatible) server instead of one in-process")
    .option("--api-key <key>", "API key for --server (EARSHOT_API_KEY)")
    .option("--workers <n>", "engine worker threads for the in-process server")
    .option("--model <name>", "speech model")
    .option("--language <code>", "language, e.g. en")
    .option("--encoding <encoding>", "headerless audio: linear16, linear32, mulaw, alaw, …")
    .option("--sample-rate <hz>", "sample rate of headerless audio", integer(1))
    .option("--channels <n>", "channels of headerless audio", integer(1, 32))
    .option("--multichannel", "transcribe each channel separately")
    .option(
      "-o, --option <key=value>",
      "any other query option (repeatable)",
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .action(async (source: string, flags: ListenFlags) => {
      const options: LiveConnectOptions = {
        ...(listenOptions({ ...flags, format: "json", progress: false }) as LiveConnectOptions),
        interim_results: flags.interim,
        ...(flags.encoding ? { encoding: flags.encoding as LiveConnectOptions["encoding"] } : {}),
        ...(flags.sampleRate ? { sample_rate: flags.sampleRate } : {}),
        ...(flags.channels ? { channels: flags.channels } : {}),
        // A local file can be paused for as long as the terminal is; keep the session alive meanwhile.
        keepalive: true,
      };
      const input = await openSource(source);
      const target = await openTarget(flags);
      try {
        const conn = target.client.listen.v1.connect(options);
        conn.on("message", printer(flags));
        await conn.opened;
        const started = performance.now();
        let sent = 0;
        let byteRate: number | undefined;
        if (flags.encoding && flags.sampleRate) {
          byteRate = flags.sampleRate * (flags.channels ?? 1) * (BYTES_PER_SAMPLE[flags.encoding] ?? 1);
        }
        for await (const chunk of input.stream) {
          if (byteRate === undefined && !flags.fast) {
            byteRate =
              wavByteRate(chunk) ??
              (input.path && input.size ? await probedByteRate(input.path, input.size) : undefined);
          }
          // 100 ms pieces at real-time pace, as a microphone would deliver them.
          const piece = byteRate ? Math.max(1, Math.round(byteRate / 10)) : chunk.byteLength;
          for (let i = 0; i < chunk.byteLength; i += piece) {
            const part = chunk.subarray(i, i + piece);
            conn.send(part);
            sent += part.byteLength;
            if (byteRate && !flags.fast && source !== "-") {
              const due = started + (sent / byteRate) * 1000;
              const wait = due - performance.now();
              if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
            }
          }
        }
        await conn.finish();
      } finally {
        await target.close();
      }
    });
}
