/**
 * The metadata block of a transcription, the same for a pre-recorded response and a live stream's closing
 * `Metadata` message: ids, audio facts, the model that served it, echoed tags and extras, and warnings.
 */
import type { InstalledModel, Transcript } from "@earshot/engine";
import type { ListenMetadata, ListenOptions, ModelInfo, Warning } from "@earshot/protocol";
import { round3 } from "../round.js";

export const modelInfo = (model: InstalledModel): ModelInfo => ({
  name: model.name,
  version: model.version,
  arch: model.architecture,
});

/**
 * Keyterms the recogniser did not apply (live streams, engines without a dictionary to extend), and a model
 * alias served by another model.
 */
export function listenWarnings(
  options: ListenOptions,
  transcript: Pick<Transcript, "aliasOf" | "model" | "keyterms">,
): Warning[] {
  const warnings: Warning[] = [];
  if (transcript.keyterms !== true) {
    for (const key of ["keyterm", "keywords"] as const) {
      if (!options[key]?.length) continue;
      warnings.push({
        parameter: key,
        type: "unsupported_feature",
        message: `'${key}' was not applied: ${transcript.model.name} does not take keyterms on this path, and they were ignored.`,
      });
    }
  }
  if (transcript.aliasOf) {
    warnings.unshift({
      parameter: "model",
      type: "model_substituted",
      message: `Model '${transcript.aliasOf}' is not installed here; '${transcript.model.name}' served the request.`,
    });
  }
  return warnings;
}

/** `extra=key:value` pairs as the object Deepgram echoes in `metadata.extra`. */
const extraObject = (pairs: string[]): Record<string, string> =>
  Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf(":")), p.slice(p.indexOf(":") + 1)]));

export interface MetadataFacts {
  requestId: string;
  sha256: string;
  created: Date;
  /** Seconds of audio. */
  duration: number;
  channels: number;
  model: InstalledModel;
  options: Pick<ListenOptions, "tag" | "extra">;
  warnings: Warning[];
}

export function listenMetadata(facts: MetadataFacts): ListenMetadata {
  const { model, options, warnings } = facts;
  return {
    transaction_key: "deprecated",
    request_id: facts.requestId,
    sha256: facts.sha256,
    created: facts.created.toISOString(),
    duration: round3(facts.duration),
    channels: facts.channels,
    models: [model.uuid],
    model_info: { [model.uuid]: modelInfo(model) },
    ...(options.tag?.length ? { tags: options.tag } : {}),
    ...(options.extra?.length ? { extra: extraObject(options.extra) } : {}),
    ...(warnings.length ? { warnings } : {}),
  };
}
