import { defineConfig } from "vitest/config";

// Tests import the built packages (dist), because the engine's worker threads load compiled JavaScript.
// `npm test` builds first. Real engines on real speech are slow on 2 cores, hence the generous timeouts.
export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    reporters: ["default"],
  },
});
