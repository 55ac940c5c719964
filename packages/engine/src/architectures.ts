/**
 * Engine architectures: the code that turns a model's files into a recogniser. Recognisers live in the pool's
 * worker threads, and functions cannot be sent to a thread, so an architecture is registered as a module
 * specifier each worker imports the first time a model of that architecture is used. PocketSphinx is built in;
 * `EngineOptions.architectures` adds more (or replaces it) without touching the engine or the server.
 */
import { ErrorCode, InvalidRequestError, UnavailableError } from "@earshot/protocol";
import type { InstalledModel } from "./models/registry.js";
import type { PocketSphinxOptions } from "./pocketsphinx/options.js";
import type { Keyterm, MaybePromise, Recognizer } from "./recognizer.js";
import type { LiveDecoder } from "./stream/live-decoder.js";
import type { WhisperOptions } from "./whisper/options.js";

/** Where an architecture's code lives, and what it is configured with. */
export interface ArchitectureRegistration {
  /** Specifier a worker can `import()`: a `file:` URL, or a package the engine can resolve. */
  module: string;
  /** Handed to the module's factories as `context.options`; must survive structured cloning. */
  options?: unknown;
}

export interface ArchitectureContext<Options = unknown> {
  /** The registration's `options`. */
  options: Options;
}

/**
 * What an architecture module exports. `createRecognizer` decodes pre-recorded audio, one piece at a time;
 * `createLiveDecoder`, when present, serves live streams — without it the architecture's models are batch
 * only. Both are called once per model per worker and may be slow; live decoders are built as many times as a
 * worker has utterances in progress at once (it lends them to its streams' channels one utterance at a time).
 */
export interface ArchitectureModule<Options = unknown> {
  createRecognizer(model: InstalledModel, context: ArchitectureContext<Options>): MaybePromise<Recognizer>;
  /**
   * `keyterms` are the stream's (empty for none); an architecture without {@link liveKeyterms} ignores them.
   * `narrowband`: the stream is telephone audio (8 kHz or less) and the model has a narrowband transform.
   */
  createLiveDecoder?(
    model: InstalledModel,
    context: ArchitectureContext<Options>,
    keyterms: readonly Keyterm[],
    narrowband: boolean,
  ): MaybePromise<LiveDecoder>;
  /** Its live decoders apply keyterms: streams with different ones get decoders of their own. */
  liveKeyterms?: boolean;
}

export type ArchitectureRegistrations = Record<string, ArchitectureRegistration>;

/** The built-in architectures, configured by the engine's own options. */
export function builtInArchitectures(
  pocketsphinx: PocketSphinxOptions = {},
  whisper: WhisperOptions = {},
): ArchitectureRegistrations {
  return {
    pocketsphinx: { module: new URL("./pocketsphinx/architecture.js", import.meta.url).href, options: pocketsphinx },
    whisper: { module: new URL("./whisper/architecture.js", import.meta.url).href, options: whisper },
    "sherpa-onnx": { module: new URL("./sherpa/architecture.js", import.meta.url).href, options: {} },
    vosk: { module: new URL("./vosk/architecture.js", import.meta.url).href, options: {} },
  };
}

/** The registration serving `model`; a model installed for an engine this server does not run is a 503. */
export function registrationOf(
  registrations: ArchitectureRegistrations,
  model: InstalledModel,
): ArchitectureRegistration {
  const registration = registrations[model.architecture];
  if (!registration) {
    throw new UnavailableError(
      `Model '${model.name}' needs the '${model.architecture}' engine, which this server does not run (it runs ${Object.keys(registrations).join(", ")}).`,
    );
  }
  return registration;
}

/** The architectures of one thread, imported on first use. */
export class Architectures {
  private readonly loaded = new Map<string, Promise<ArchitectureModule>>();

  constructor(private readonly registrations: ArchitectureRegistrations) {}

  async createRecognizer(model: InstalledModel): Promise<Recognizer> {
    const { module, context } = await this.load(model);
    return module.createRecognizer(model, context);
  }

  async createLiveDecoder(
    model: InstalledModel,
    keyterms: readonly Keyterm[],
    narrowband: boolean,
  ): Promise<LiveDecoder> {
    const { module, context } = await this.load(model);
    if (!module.createLiveDecoder) {
      throw new InvalidRequestError(
        `Model '${model.name}' cannot transcribe live audio: its engine (${model.architecture}) decodes pre-recorded audio only. Send it to POST /v1/listen instead.`,
        ErrorCode.ModelNotStreaming,
      );
    }
    return module.createLiveDecoder(model, context, keyterms, narrowband);
  }

  /** Whether `model`'s live decoders apply keyterms. */
  async liveKeyterms(model: InstalledModel): Promise<boolean> {
    return (await this.load(model)).module.liveKeyterms === true;
  }

  private async load(model: InstalledModel): Promise<{ module: ArchitectureModule; context: ArchitectureContext }> {
    const registration = registrationOf(this.registrations, model);
    let module = this.loaded.get(model.architecture);
    if (!module) {
      module = import(registration.module).then((m: Partial<ArchitectureModule>) => {
        if (typeof m.createRecognizer !== "function") {
          throw new Error(`${registration.module} does not export createRecognizer(model, context).`);
        }
        return m as ArchitectureModule;
      });
      this.loaded.set(model.architecture, module);
    }
    return { module: await module, context: { options: registration.options } };
  }
}

/**
 * A recogniser on the calling thread, outside the pool (benchmarks, tests). `architectures` defaults to the
 * built-in ones.
 */
export function createRecognizer(
  model: InstalledModel,
  architectures: ArchitectureRegistrations = builtInArchitectures(),
): Promise<Recognizer> {
  return new Architectures(architectures).createRecognizer(model);
}
