/** Recogniser implementations by model architecture. A new engine registers here and nowhere else. */
import type { InstalledModel } from "./models/registry.js";
import { createPocketSphinxRecognizer } from "./pocketsphinx/recognizer.js";
import type { Recognizer, RecognizerFactory } from "./recognizer.js";

const factories: Record<string, RecognizerFactory> = {
  pocketsphinx: createPocketSphinxRecognizer,
};

export function createRecognizer(model: InstalledModel): Recognizer {
  const factory = factories[model.architecture];
  if (!factory) throw new Error(`No recogniser for architecture '${model.architecture}' (model ${model.name}).`);
  return factory(model);
}
