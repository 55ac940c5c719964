/**
 * Model names other vendors' clients send (`whisper-1`, `gpt-4o-transcribe`, AssemblyAI's `best`, Flux's
 * `flux-general-en`): an installed model of that name serves the request, any other name the default model. The
 * families whose responses carry no warnings take this route; Deepgram's own names go through the registry,
 * which says `model_substituted` in the response.
 */
import type { InstalledModel } from "@earshot/engine";
import type { ServerEngine } from "../engine.js";

/** The `model` option for a vendor's model name: the name itself when installed, else none (the default). */
export function vendorModel(
  engine: Pick<ServerEngine, "registry">,
  name: string | null | undefined,
): string | undefined {
  return name && engine.registry.stt().some((model) => model.name === name) ? name : undefined;
}

/**
 * Whether `model` translates speech to English. An engine says so in its capabilities (`translation: true`);
 * a model that says nothing (PocketSphinx) does not.
 */
export function translates(model: InstalledModel): boolean {
  const { capabilities } = model as InstalledModel & { capabilities?: { translation?: boolean } };
  return capabilities?.translation === true;
}
