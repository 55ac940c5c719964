/** The README's configuration table, generated from {@link SETTINGS} so the two cannot drift apart. */
import { SETTING_NAMES, SETTINGS } from "./settings.js";

export const TABLE_START =
  "<!-- config-table:start — generated from packages/server/src/config/settings.ts by `npm run config-table` -->";
export const TABLE_END = "<!-- config-table:end -->";

/** One Markdown row per setting, columns padded so the source reads as a table too. */
export function configTable(): string {
  const rows = [
    ["variable", "default", "what it sets"],
    ...SETTING_NAMES.map((name) => [`\`${name}\``, SETTINGS[name].default, SETTINGS[name].description]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
  const rule = `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`;
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join("\n");
}

/** `readme` with the text between the table markers replaced by the current table. */
export function withConfigTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`The README has no ${TABLE_START} … ${TABLE_END} block.`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${configTable()}\n${readme.slice(end)}`;
}
