/** `GET /v1/models` and `GET /v1/models/{id}`, answered from the engine's model registry. */
import type { InstalledModel, ModelRegistry } from "@earshot/engine";
import { type ModelBase, type ModelsResponse, NotFoundError, type SttModel, type TtsModel } from "@earshot/protocol";
import type { FastifyInstance } from "fastify";

const base = (m: InstalledModel): ModelBase => ({
  name: m.name,
  canonical_name: m.name,
  architecture: m.architecture,
  languages: m.languages,
  version: m.version,
  uuid: m.uuid,
});

const describe = (m: InstalledModel): SttModel => ({
  ...base(m),
  batch: true,
  streaming: m.streaming,
  formatted_output: false,
});

/** Voices in Deepgram's `tts` entry shape; what Deepgram fills with artwork and samples stays empty here. */
const describeVoice = (m: InstalledModel): TtsModel => ({
  ...base(m),
  metadata: {
    accent: m.voice?.accent ?? "",
    age: "adult",
    color: "",
    image: "",
    sample: "",
    tags: [m.voice?.gender ?? "", `${m.voice?.sampleRate ?? 0} Hz`, m.voice?.description ?? ""].filter(Boolean),
    use_cases: [],
  },
});

export function modelRoutes(app: FastifyInstance, registry: ModelRegistry): void {
  app.get(
    "/v1/models",
    async (): Promise<ModelsResponse> => ({
      stt: registry.stt().map(describe),
      tts: registry.tts().map(describeVoice),
    }),
  );
  app.get<{ Params: { id: string } }>("/v1/models/:id", async (request) => {
    const matches = (m: InstalledModel) => m.uuid === request.params.id || m.name === request.params.id;
    const model = registry.stt().find(matches);
    if (model) return describe(model);
    const voice = registry.tts().find(matches);
    if (!voice) throw new NotFoundError(`No model '${request.params.id}' is installed.`);
    return describeVoice(voice);
  });
}
