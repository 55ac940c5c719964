/** The tone recogniser without its live decoder: an architecture whose models can only be batch-transcribed. */
export { createRecognizer } from "./tone-architecture.mjs";
