/** `earshot read <text|file>`: text intelligence (`POST /v1/read`) on a text, a text file or stdin. */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { ReadAnalyzeParams, ReadResponse } from "@earshot/sdk";
import type { Command } from "commander";
import { openTarget, type TargetOptions } from "../server-target.js";

interface ReadFlags extends TargetOptions {
  summarize?: boolean;
  topics?: boolean;
  intents?: boolean;
  sentiment?: boolean;
  customTopic: string[];
  customIntent: string[];
  language?: string;
  json?: boolean;
}

/** The argument as text: '-' is stdin, an existing file is its contents, a URL goes to the server, else itself. */
async function bodyOf(input: string): Promise<ReadAnalyzeParams["body"]> {
  if (/^https?:\/\//i.test(input)) return { url: input };
  if (input === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return { text: Buffer.concat(chunks).toString("utf8") };
  }
  return { text: existsSync(input) ? await readFile(input, "utf8") : input };
}

/** The answer as a person reads it: the summary, then topics, intents and sentiment, one line each. */
export function formatReading(response: ReadResponse): string {
  const { results } = response;
  const lines: string[] = [];
  if (results.summary) lines.push(`Summary: ${results.summary.text}`);
  const listed = <T>(segments: T[] | undefined, names: (s: T) => string[]): string[] => [
    ...new Set((segments ?? []).flatMap(names)),
  ];
  const topics = listed(results.topics?.results.topics.segments, (s) => s.topics.map((t) => t.topic));
  if (results.topics) lines.push(`Topics: ${topics.join(", ") || "(none)"}`);
  const intents = listed(results.intents?.results.intents.segments, (s) => s.intents.map((i) => i.intent));
  if (results.intents) lines.push(`Intents: ${intents.join(", ") || "(none)"}`);
  if (results.sentiments) {
    const { sentiment, sentiment_score } = results.sentiments.average;
    lines.push(`Sentiment: ${sentiment} (${sentiment_score})`);
  }
  return `${lines.join("\n")}\n`;
}

export function registerRead(program: Command): void {
  const collect = (value: string, all: string[]) => [...all, value];
  program
    .command("read")
    .description(
      "Analyse text: a string, a text file, an http(s) URL or - for stdin (summary, topics, intents, sentiment).",
    )
    .argument("<text>", "the text, a file holding it, a URL the server fetches, or '-' for stdin")
    .option("--summarize", "summarise")
    .option("--topics", "detect topics")
    .option("--intents", "detect intents")
    .option("--sentiment", "sentiment per segment and on average")
    .option("--custom-topic <topic>", "a topic to look for (repeatable)", collect, [])
    .option("--custom-intent <intent>", "an intent to look for (repeatable)", collect, [])
    .option("--language <code>", "the text's language (default: detected)")
    .option("--json", "print the server's JSON response")
    .option("--server <url>", "send to this Earshot (or Deepgram-compatible) server instead of running one in-process")
    .option("--api-key <key>", "API key for --server (EARSHOT_API_KEY)")
    .action(async (input: string, flags: ReadFlags) => {
      const params: ReadAnalyzeParams = { body: await bodyOf(input) };
      for (const key of ["summarize", "topics", "intents", "sentiment"] as const) if (flags[key]) params[key] = true;
      if (flags.customTopic.length) params.custom_topic = flags.customTopic;
      if (flags.customIntent.length) params.custom_intent = flags.customIntent;
      if (flags.language) params.language = flags.language;
      // With nothing asked for, everything: a bare `earshot read` is for looking at what the analysis says.
      if (!params.summarize && !params.topics && !params.intents && !params.sentiment && !flags.customTopic.length) {
        Object.assign(params, { summarize: true, topics: true, intents: true, sentiment: true });
      }
      const target = await openTarget(flags);
      try {
        const response = await target.client.read.v1.text.analyze(params);
        process.stdout.write(flags.json ? `${JSON.stringify(response, null, 2)}\n` : formatReading(response));
      } finally {
        await target.close();
      }
    });
}
