/**
 * @module @earshot/protocol
 * Every shape that crosses Earshot's wire, as zod schemas with their inferred types. No I/O lives here, so
 * the server, the SDK (browser included) and the CLI can all depend on it. `@earshot/protocol/core` is the
 * zod-free part alone (errors, constants, query encoding, webhook signing).
 */
export * from "./assemblyai.js";
export * from "./auth.js";
export * from "./core/index.js";
export * from "./errors.js";
export * from "./gladia.js";
export * from "./jobs.js";
export * from "./listen/flux.js";
export * from "./listen/intelligence.js";
export * from "./listen/live.js";
export * from "./listen/openai.js";
export * from "./listen/options.js";
export * from "./listen/progress.js";
export * from "./listen/response.js";
export * from "./manage.js";
export * from "./models.js";
export * from "./octoai.js";
export * from "./query.js";
export * from "./read.js";
export * from "./speak/format.js";
export * from "./speak/messages.js";
export * from "./speak/models.js";
export * from "./speak/openai.js";
export * from "./speak/options.js";
export * from "./webhooks.js";
