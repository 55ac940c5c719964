/** `GET /v1/models` and `GET /v1/models/{id}`, answered from the engine's model registry. */
import type { InstalledModel, ModelRegistry } from "@earshot/engine";
import {
  type ModelBase,
  type ModelsResponse,
  ModelsResponseSchema,
  NotFoundError,
  type SttModel,
  SttModelSchema,
  type TtsModel,
  TtsModelSchema,
} from "@earshot/protocol";
import type { FastifyInstance } from "fastify";
import { z } from "zod";

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

export const modelList = (registry: ModelRegistry): ModelsResponse => ({
  stt: registry.stt().map(describe),
  tts: registry.tts().map(describeVoice),
});

/** A recogniser or voice by name or uuid; a 404 when none is installed. */
export function findModel(registry: ModelRegistry, id: string): SttModel | TtsModel {
  const matches = (m: InstalledModel) => m.uuid === id || m.name === id;
  const model = registry.stt().find(matches);
  if (model) return describe(model);
  const voice = registry.tts().find(matches);
  if (!voice) throw new NotFoundError(`No model '${id}' is installed.`);
  return describeVoice(voice);
}

const TAG = "Models";

/** `GET /v1/models/{id}`: a recogniser or a voice. */
export const ModelSchema = z.union([SttModelSchema, TtsModelSchema]);

export function modelRoutes(app: FastifyInstance, registry: ModelRegistry): void {
  app.get(
    "/v1/models",
    {
      config: {
        docs: {
          tag: TAG,
          summary: "Installed recognisers (stt) and voices (tts)",
          responses: { 200: ModelsResponseSchema },
        },
      },
    },
    async () => modelList(registry),
  );
  app.get<{ Params: { id: string } }>(
    "/v1/models/:id",
    {
      config: {
        docs: {
          tag: TAG,
          summary: "One model, by name or uuid",
          params: z.object({ id: z.string() }),
          responses: { 200: ModelSchema },
        },
      },
    },
    async (request) => findModel(registry, request.params.id),
  );
}
