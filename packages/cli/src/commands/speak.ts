/**
 * `earshot speak "text"`: text-to-speech through the SDK, to a file or stdout; `earshot voices`: the voices
 * installed here and the Deepgram/OpenAI names that map to them.
 */
import { createWriteStream } from "node:fs";
import { extname } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { VOICE_ALIASES } from "@earshot/engine";
import type { SpeakGenerateParams } from "@earshot/sdk";
import { createModelRegistry, loadConfig } from "@earshot/server";
import { type Command, Option } from "commander";
import { decimal, integer } from "../flags.js";
import { openTarget, type TargetOptions } from "../server-target.js";

/** `--format` values → `/v1/speak` options. `wav` is linear16 in WAV, `pcm` raw linear16. */
const FORMATS: Record<string, Pick<SpeakGenerateParams, "encoding" | "container">> = {
  mp3: { encoding: "mp3" },
  wav: { encoding: "linear16", container: "wav" },
  pcm: { encoding: "linear16", container: "none" },
  mulaw: { encoding: "mulaw", container: "none" },
  alaw: { encoding: "alaw", container: "none" },
  opus: { encoding: "opus", container: "ogg" },
  ogg: { encoding: "opus", container: "ogg" },
  flac: { encoding: "flac" },
  aac: { encoding: "aac" },
};

interface SpeakFlags extends TargetOptions {
  output?: string;
  voice?: string;
  format?: string;
  sampleRate?: number;
  speed?: number;
}

async function readText(text: string): Promise<string> {
  if (text !== "-") return text;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** `--format`, else the output file's extension, else mp3 (Deepgram's default). */
function formatOf(flags: SpeakFlags): string {
  if (flags.format) return flags.format;
  const extension = flags.output ? extname(flags.output).slice(1).toLowerCase() : "";
  if (!extension) return "mp3";
  if (FORMATS[extension]) return extension;
  throw new Error(
    `cannot tell the audio format from '.${extension}': name the file .${Object.keys(FORMATS).join(", .")} or pass --format`,
  );
}

export function registerSpeak(program: Command): void {
  program
    .command("speak")
    .description("Speak text (or - for stdin) into an audio file or stdout.")
    .argument("<text>", "what to say, or '-' to read it from stdin")
    .option("-o, --output <file>", "write the audio here (default: stdout)")
    .option("-v, --voice <name>", "voice: ours (earshot voices) or a Deepgram/OpenAI name", "aura-asteria-en")
    .addOption(
      new Option("-f, --format <format>", "audio format (default: from --output's extension, else mp3)").choices(
        Object.keys(FORMATS),
      ),
    )
    .option("--sample-rate <hz>", "output sample rate, where the format allows", integer(1))
    .option("--speed <factor>", "speaking rate, 0.25 to 4", decimal(0.25, 4))
    .option("--server <url>", "use this Earshot (or Deepgram-compatible) server instead of running one in-process")
    .option("--api-key <key>", "API key for --server (EARSHOT_API_KEY)")
    .action(async (text: string, flags: SpeakFlags) => {
      const params: SpeakGenerateParams = {
        text: await readText(text),
        model: flags.voice,
        ...FORMATS[formatOf(flags)],
      };
      if (flags.sampleRate !== undefined) params.sample_rate = flags.sampleRate;
      if (flags.speed !== undefined) params.speed = flags.speed;
      const target = await openTarget(flags);
      try {
        const audio = await target.client.speak.v1.audio.generate(params);
        const source = Readable.fromWeb(audio.stream() as NodeReadableStream<Uint8Array>);
        if (flags.output) await pipeline(source, createWriteStream(flags.output));
        else await pipeline(source, process.stdout, { end: false });
        if (flags.output)
          process.stderr.write(`wrote ${flags.output} (voice ${audio.modelName}, ${audio.contentType})\n`);
      } finally {
        await target.close();
      }
    });

  program
    .command("voices")
    .description("List the text-to-speech voices (what GET /v1/models serves under tts).")
    .option("--aliases", "also print the Deepgram and OpenAI voice names and the voice each maps to")
    .option("--json", "print JSON")
    .action((flags: { aliases?: boolean; json?: boolean }) => {
      const registry = createModelRegistry(loadConfig().engine);
      const voices = registry.tts();
      const aliases = [...VOICE_ALIASES.keys()].map((name) => ({
        name,
        voice: registry.resolveVoice(name).voice.name,
      }));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(flags.aliases ? { voices, aliases } : voices, null, 2)}\n`);
        return;
      }
      const fallback = registry.resolveVoice(undefined).voice.name;
      for (const v of voices) {
        const mark = v.name === fallback ? "*" : " ";
        const info = v.voice!;
        process.stdout.write(
          `${mark} ${v.name.padEnd(20)} ${info.gender.padEnd(9)} ${info.accent.padEnd(9)} ${String(info.sampleRate).padStart(5)} Hz  ${info.description}\n`,
        );
      }
      if (!flags.aliases) return;
      process.stdout.write("\nDeepgram / OpenAI name → voice\n");
      for (const { name, voice } of aliases) process.stdout.write(`  ${name.padEnd(22)} ${voice}\n`);
    });
}
