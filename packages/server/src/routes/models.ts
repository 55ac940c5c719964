/** `GET /v1/models` and `GET /v1/models/{id}`, answered from the engine's model registry. */
import type { InstalledModel, ModelRegistry } from "@earshot/engine";
import { type ModelsResponse, NotFoundError, type SttModel } from "@earshot/protocol";
import type { FastifyInstance } from "fastify";

const describe = (m: InstalledModel): SttModel => ({
  name: m.name,
  canonical_name: m.name,
  architecture: m.architecture,
  languages: m.languages,
  version: m.version,
  uuid: m.uuid,
  batch: true,
  streaming: m.streaming,
  formatted_output: false,
});

export function modelRoutes(app: FastifyInstance, registry: ModelRegistry): void {
  app.get("/v1/models", async (): Promise<ModelsResponse> => ({ stt: registry.stt().map(describe), tts: [] }));
  app.get<{ Params: { id: string } }>("/v1/models/:id", async (request) => {
    const model = registry.stt().find((m) => m.uuid === request.params.id || m.name === request.params.id);
    if (!model) throw new NotFoundError(`No model '${request.params.id}' is installed.`);
    return describe(model);
  });
}
