import { defineConfig } from "vitest/config";

// Tests import the built packages (dist), because the engine's worker threads load compiled JavaScript.
// `npm test` builds first. Real engines on real speech are slow on 2 cores, hence the generous timeouts.
// Two files run at a time: much of an end-to-end file's time is spent waiting (live audio paced at real time,
// retries with backoff, child processes starting), so a second file fills the gaps. Every file starts its own
// servers on free ports with their own data directories, so files never share state.
export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ["default"],
  },
});
