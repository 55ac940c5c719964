/**
 * `GET /v1/models` and `GET /v1/models/{id}`, answered from the engine's model registry. An id that is a
 * Deepgram or OpenAI name we serve by substitution (`nova-3`, `aura-asteria-en`) answers with the model that
 * would serve it, by the same lookup requests use, and says so in `alias_of`.
 */
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

const base = (m: InstalledModel, aliasOf: string | undefined): ModelBase => ({
  name: m.name,
  canonical_name: m.name,
  architecture: m.architecture,
  languages: m.languages,
  version: m.version,
  uuid: m.uuid,
  ...(aliasOf ? { alias_of: aliasOf } : {}),
});

const describe = (m: InstalledModel, aliasOf?: string): SttModel => ({
  ...base(m, aliasOf),
  batch: true,
  streaming: m.capabilities.streaming,
  formatted_output: m.capabilities.punctuation,
  capabilities: {
    streaming: m.capabilities.streaming,
    word_timings: m.capabilities.wordTimings,
    punctuation: m.capabilities.punctuation,
    diarization: m.capabilities.diarization,
    language_detection: m.capabilities.languageDetection,
    translation: m.capabilities.translation,
  },
});

/** Voices in Deepgram's `tts` entry shape; what Deepgram fills with artwork and samples stays empty here. */
const describeVoice = (m: InstalledModel, aliasOf?: string): TtsModel => ({
  ...base(m, aliasOf),
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
  stt: registry.stt().map((m) => describe(m)),
  tts: registry.tts().map((m) => describeVoice(m)),
});

/** A recogniser or voice by name, uuid or a name one of them serves; a 404 otherwise. */
export function findModel(registry: ModelRegistry, id: string): SttModel | TtsModel {
  const stt = registry.lookup(id);
  if (stt) return describe(stt.model, stt.aliasOf);
  const tts = registry.lookupVoice(id);
  if (tts) return describeVoice(tts.voice, tts.aliasOf);
  throw new NotFoundError(`No model '${id}' is installed, and it is not a name one of them serves.`);
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
