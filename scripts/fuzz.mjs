// `npm run fuzz -- --minutes N`: the fuzz suite (test/fuzz) for N minutes instead of the CI run's 30 s, on the
// fixed seed and a random one. Tests import the built packages: run `npm run build` first.
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { minutes: { type: "string", default: "1" } } });
const minutes = Number(values.minutes);
if (!(minutes > 0)) {
  console.error(`--minutes must be a positive number, got '${values.minutes}'`);
  process.exit(2);
}
const budgetMs = Math.round(minutes * 60_000);
const result = spawnSync("npx", ["vitest", "run", "test/fuzz", "--testTimeout", String(budgetMs + 120_000)], {
  stdio: "inherit",
  env: { ...process.env, EARSHOT_FUZZ_MS: String(budgetMs) },
});
process.exit(result.status ?? 1);
