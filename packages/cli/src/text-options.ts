/**
 * The text stage's query options as flags, shared by `transcribe` and `listen`: `--smart-format`, `--redact pci`
 * (repeatable), `--summarize`… each named as its query option with dashes, so the query docs read straight across.
 */
import type { ListenOptionsInput } from "@earshot/sdk";
import type { Command } from "commander";

const SWITCHES = {
  punctuate: ["--punctuate", "punctuation and capitals"],
  smartFormat: ["--smart-format", "numbers, dates, money, emails… written out (implies --punctuate)"],
  numerals: ["--numerals", "numbers as digits"],
  measurements: ["--measurements", "units abbreviated (10 km)"],
  dictation: ["--dictation", "spoken 'comma', 'period', 'new line' become marks"],
  fillerWords: ["--filler-words", "keep 'uh' and 'um'"],
  profanityFilter: ["--profanity-filter", "mask profanity with *"],
  detectEntities: ["--detect-entities", "names, places, numbers… as entities"],
  topics: ["--topics", "topics of the transcript"],
  intents: ["--intents", "intents of the transcript"],
  sentiment: ["--sentiment", "sentiment per segment and on average"],
} as const;

const LISTS = {
  redact: ["--redact <kind>", "redact pci, ssn, numbers, pii or an entity type (repeatable)"],
  keyterm: ["--keyterm <term>", "a word or phrase to recognise more readily (repeatable)"],
  keywords: ["--keywords <word[:boost]>", "a word to boost, with an optional intensifier (repeatable)"],
} as const;

type Switch = keyof typeof SWITCHES;
type List = keyof typeof LISTS;
export type TextFlags = Partial<Record<Switch, boolean>> & Partial<Record<List, string[]>> & { summarize?: string };

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const collect = (value: string, all: string[] = []): string[] => [...all, value];

export function addTextOptions(command: Command): Command {
  for (const [, [flag, help]] of Object.entries(SWITCHES)) command.option(flag, help);
  for (const [, [flag, help]] of Object.entries(LISTS)) command.option(flag, help, collect);
  command.option("--summarize [version]", "summarise the transcript (v2, or true for the v1 shape)");
  return command;
}

/** The query options the flags ask for. */
export function textOptions(flags: TextFlags): ListenOptionsInput {
  const options: Record<string, boolean | string | string[]> = {};
  for (const name of Object.keys(SWITCHES) as Switch[]) if (flags[name]) options[snake(name)] = true;
  for (const name of Object.keys(LISTS) as List[]) if (flags[name]?.length) options[name] = flags[name]!;
  if (flags.summarize !== undefined) options.summarize = flags.summarize === (true as unknown) ? "v2" : flags.summarize;
  return options as ListenOptionsInput;
}
