/**
 * `GET /v1/models` and `GET /v1/models/{id}`, answered from the engine's model registry. An id that is a
 * Deepgram or OpenAI name we serve by substitution (`nova-3`, `aura-asteria-en`) answers with the model that
 * would serve it, by the same lookup requests use, and says so in `alias_of`.
 */
import type { InstalledModel, ModelRegistry } from "@earshot/engine";
import { type ModelBase, type ModelsResponse, NotFoundError, type SttModel, type TtsModel } from "@earshot/protocol";
import type { FastifyInstance } from "fastify";

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

export function modelRoutes(app: FastifyInstance, registry: ModelRegistry): void {
  app.get(
    "/v1/models",
    async (): Promise<ModelsResponse> => ({
      stt: registry.stt().map((m) => describe(m)),
      tts: registry.tts().map((m) => describeVoice(m)),
    }),
  );
  app.get<{ Params: { id: string } }>("/v1/models/:id", async (request) => {
    const { id } = request.params;
    const stt = registry.lookup(id);
    if (stt) return describe(stt.model, stt.aliasOf);
    const tts = registry.lookupVoice(id);
    if (tts) return describeVoice(tts.voice, tts.aliasOf);
    throw new NotFoundError(`No model '${id}' is installed, and it is not a name one of them serves.`);
  });
}
