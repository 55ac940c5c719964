/**
 * @module @earshot/protocol/core
 * The part of the protocol that runs without zod: the error classes and codes, live close codes, the progress
 * media type, query-string encoding, webhook signing and subtitles (SRT, WebVTT) from a response. The SDK
 * imports only this at run time, so a browser bundle stays small; `@earshot/protocol` re-exports all of it next
 * to the schemas. Everything reachable from here must stay free of zod (the SDK's browser-bundle test checks).
 */
export * from "../listen/progress.js";
export * from "../webhooks.js";
export * from "./captions.js";
export * from "./errors.js";
export * from "./live-close.js";
export * from "./to-query.js";
