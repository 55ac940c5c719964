/** The model registry as the server would build it, for commands that only read what is installed. */
import { ModelRegistry } from "@earshot/engine";
import { loadConfig } from "@earshot/server";

/** Built from the server's settings (`EARSHOT_MODELS_DIR`, `EARSHOT_MODEL`), so both list the same models. */
export function configuredRegistry(): ModelRegistry {
  const { modelsDir, defaultModel } = loadConfig().engine;
  return new ModelRegistry({ modelsDir, defaultModel });
}
