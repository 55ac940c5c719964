/** Synthesiser implementations by voice architecture. A new synthesiser registers here and nowhere else. */
import type { InstalledModel } from "../models/registry.js";
import { createFestivalSynthesizer } from "./festival.js";
import { createFliteSynthesizer } from "./flite.js";
import type { Synthesizer, SynthesizerFactory } from "./synthesizer.js";

const factories: Record<string, SynthesizerFactory> = {
  flite: createFliteSynthesizer,
  festival: createFestivalSynthesizer,
};

export function createSynthesizer(voice: InstalledModel): Synthesizer {
  const factory = factories[voice.architecture];
  if (!factory || !voice.voice)
    throw new Error(`No synthesiser for architecture '${voice.architecture}' (${voice.name}).`);
  return factory(voice);
}
