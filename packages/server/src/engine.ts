/**
 * What the server uses of the engine, as a type of its own: the routes and the job engine depend on these
 * methods only, so unit tests can run the app over a small engine of their own while end-to-end tests use the
 * real one.
 */
import { Engine, ModelCatalog, ModelRegistry } from "@earshot/engine";
import type { EngineConfig } from "./config/load.js";

export type ServerEngine = Pick<
  Engine,
  | "transcribe"
  | "openStream"
  | "prepare"
  | "recognizePieces"
  | "status"
  | "checkCapacity"
  | "checkStreamCapacity"
  | "close"
  | "registry"
> &
  /** Metrics hooks and the live capacity; an engine without them reports less and shares out no live capacity. */
  Partial<Pick<Engine, "observe" | "maxLiveChannels">>;

/**
 * The installed models as the settings place them (`EARSHOT_MODELS_DIR`, `EARSHOT_MODEL`), knowing which other
 * models can be pulled (`EARSHOT_MODEL_CATALOG`) and which installed model serves an alias
 * (`EARSHOT_MODEL_ALIASES`).
 */
export function createModelRegistry(
  config: Pick<EngineConfig, "modelsDir" | "defaultModel" | "modelCatalog" | "modelAliases">,
): ModelRegistry {
  return new ModelRegistry({
    modelsDir: config.modelsDir,
    defaultModel: config.defaultModel,
    installable: ModelCatalog.load(config.modelCatalog).entries.map((e) => e.name),
    aliases: config.modelAliases,
  });
}

/** The real engine for `config`, its registry built from the same settings unless it is given one. */
export function createEngine(config: EngineConfig): Engine {
  return new Engine({ ...config, registry: config.registry ?? createModelRegistry(config) });
}
