/**
 * Diarization methods by name. `statistical` needs no model files and is the default; a neural method (a
 * speaker-embedding model installed through the model registry) registers here and nowhere else.
 */
import { StatisticalOnlineDiarizer } from "./online.js";
import { StatisticalDiarizer } from "./statistical.js";
import type { DiarizerFactory } from "./types.js";

export const statisticalDiarization: DiarizerFactory = {
  name: "statistical",
  createDiarizer: () => new StatisticalDiarizer(),
  createOnlineDiarizer: (options) => new StatisticalOnlineDiarizer(options),
};

const factories: Record<string, DiarizerFactory> = { statistical: statisticalDiarization };

export const DEFAULT_DIARIZATION = "statistical";

export function diarizationMethod(name = DEFAULT_DIARIZATION): DiarizerFactory {
  const factory = factories[name];
  if (!factory) throw new Error(`No diarization method '${name}'.`);
  return factory;
}
