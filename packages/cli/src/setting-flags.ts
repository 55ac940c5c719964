/**
 * Command-line flags that set server settings. Each flag names the `EARSHOT_*` setting it sets and takes its
 * help text from the server's settings table; its value goes to the server's config loader as a string, where
 * it is checked like the environment's (a bad value names the flag).
 */
import { type ConfigSources, SETTINGS, type SettingName } from "@earshot/server";
import { type Command, Option } from "commander";

export interface SettingFlag {
  /** Commander's spelling, e.g. `--queue-limit <n>`. */
  flags: string;
  setting: SettingName;
  /** Set when the command cannot run without it: says so in the help, with the exception. */
  required?: string;
}

const plain = (text: string): string => text.replaceAll("`", "");

export const JOB_FLAGS: SettingFlag[] = [
  { flags: "--redis <url>", setting: "EARSHOT_REDIS_URL" },
  { flags: "--data-dir <dir>", setting: "EARSHOT_DATA_DIR" },
  { flags: "--blob-dir <dir>", setting: "EARSHOT_BLOB_DIR" },
  { flags: "--retention <seconds>", setting: "EARSHOT_JOB_RETENTION_SECONDS" },
  { flags: "--webhook-secret <secret>", setting: "EARSHOT_WEBHOOK_SECRET" },
];

/** Adds `--config FILE` and one option per flag, described as the setting is (default included). */
export function addSettingFlags(command: Command, flags: SettingFlag[]): Command {
  command.option(
    "--config <file>",
    `read settings from this JSON file, keyed by variable name; default ${plain(SETTINGS.EARSHOT_CONFIG.default)} (EARSHOT_CONFIG)`,
  );
  for (const { flags: spelling, setting, required } of flags) {
    const { description, default: fallback } = SETTINGS[setting];
    const need = required ? `required ${required}` : `default ${plain(fallback)}`;
    command.addOption(new Option(spelling, `${plain(description)}; ${need} (${setting})`));
  }
  return command;
}

/** The parsed options of `command` as config sources: the flags that were given, and `--config`. */
export function settingSources(options: Record<string, unknown>, flags: SettingFlag[]): ConfigSources {
  const given: NonNullable<ConfigSources["flags"]> = {};
  for (const { flags: spelling, setting } of flags) {
    const option = new Option(spelling);
    const value = options[option.attributeName()];
    if (value !== undefined) given[setting] = { flag: option.long ?? spelling, value };
  }
  return { flags: given, configFile: options.config as string | undefined };
}
