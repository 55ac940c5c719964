/**
 * One channel of a live stream: Silero VAD decides where utterances start and end, a live decoder borrowed
 * from the worker's pool for the utterance turns it into words. Runs inside a pool worker; every call resolves to the events it produced (after
 * the decoder's own promises, for architectures whose decoders answer asynchronously).
 *
 * Timeline: `cursor` counts 16 kHz samples received. An utterance starts a little before the VAD's speech
 * onset (the detector needs `minSpeech` of speech to trigger, and PocketSphinx wants some silence before a
 * word) and ends when the VAD has seen the endpointing silence. Results carry stream times in seconds.
 */
import { toInt16 } from "../audio/pcm.js";
import type { OnlineDiarizer } from "../diarize/types.js";
import type { RecognizedWord } from "../recognizer.js";
import { VAD_SAMPLE_RATE } from "../vad/silero.js";
import { type StreamVad, VAD_WINDOW } from "../vad/silero-stream.js";
import type { DecoderLender } from "./decoder-pool.js";
import type { LiveDecoder } from "./live-decoder.js";
import type { LiveEvent, LiveResult, LiveSettings } from "./types.js";

const RATE = VAD_SAMPLE_RATE;
const WINDOW = VAD_WINDOW;
/** Audio kept before the detected onset, samples. */
const LEAD_IN = Math.round(0.25 * RATE);
/** Recent audio kept to start an utterance before its detection, samples (≥ LEAD_IN + the VAD's trigger delay). */
const HISTORY = RATE;
/** Longest utterance before it is cut (final, not speech_final), samples: bounds decoder memory and latency. */
const MAX_UTTERANCE = 15 * RATE;
/** Partials at most this often, samples of audio. */
const PARTIAL_EVERY = Math.round(0.1 * RATE);
/**
 * Silence without an utterance after which an empty final acknowledges the audio so far, samples: clients that
 * replay unacknowledged audio after a reconnect (ours does) then hold seconds, not minutes, of it.
 */
const SILENCE_ACK = 3 * RATE;
/** Minimum speech the VAD needs before it triggers, seconds (also in createVad's options). */
export const VAD_MIN_SPEECH = 0.15;

const round = (seconds: number): number => Math.round(seconds * 1000) / 1000;

interface Utterance {
  /**
   * Lent for this utterance only; undefined while none is free, and then the pool builds or frees one without
   * blocking the worker, the audio waits in `backlog`, and the decoder catches up when it {@link arrived}.
   */
  decoder: LiveDecoder | undefined;
  backlog: Int16Array[];
  /** Settles when a decoder reaches an utterance that had to wait (after `arrived` or `failed` is set). */
  arrival?: Promise<unknown>;
  arrived?: LiveDecoder;
  failed?: unknown;
  /** The stream ended while the utterance waited: its decoder goes straight back. */
  abandoned?: boolean;
  start: number;
  lastPartialAt: number;
  lastTranscript: string;
}

/** Int16 ring of the most recent samples. */
class History {
  private readonly ring = new Int16Array(HISTORY);
  private written = 0;

  push(samples: Int16Array): void {
    for (let i = 0; i < samples.length; i++) this.ring[(this.written + i) % HISTORY] = samples[i]!;
    this.written += samples.length;
  }

  /** Samples [from, written), clamped to what is still held. */
  since(from: number): Int16Array {
    const start = Math.max(from, this.written - HISTORY);
    const out = new Int16Array(Math.max(0, this.written - start));
    for (let i = 0; i < out.length; i++) out[i] = this.ring[(start + i) % HISTORY]!;
    return out;
  }
}

export class ChannelPipeline {
  private readonly history = new History();
  private readonly window = new Float32Array(WINDOW);
  private windowFill = 0;
  private cursor = 0;
  private inSpeech = false;
  private utterance: Utterance | undefined;
  /** End of the last final result, samples: where the next final may start. */
  private finalEnd = 0;
  private lastWordEnd: number | undefined;
  private utteranceEndSent = true;
  /** What the decoder of the last utterance handed on to the next one. */
  private carried: unknown;

  constructor(
    private readonly index: number,
    private readonly vad: StreamVad,
    private decoders: DecoderLender,
    private readonly settings: LiveSettings,
    /** Hears all of the channel's audio and labels the words of every result with speakers. */
    private readonly diarizer?: OnlineDiarizer | undefined,
  ) {}

  get duration(): number {
    return this.cursor / RATE;
  }

  async feed(samples: Float32Array): Promise<LiveEvent[]> {
    const events: LiveEvent[] = [];
    for (let offset = 0; offset < samples.length; ) {
      const n = Math.min(WINDOW - this.windowFill, samples.length - offset);
      const piece = samples.subarray(offset, offset + n);
      this.window.set(piece, this.windowFill);
      this.windowFill += n;
      offset += n;
      const pcm = toInt16(piece);
      this.history.push(pcm);
      this.diarizer?.feed(piece);
      this.cursor += n;
      if (this.utterance) await this.hear(this.utterance, pcm);
      if (this.windowFill === WINDOW) {
        this.windowFill = 0;
        await this.detect(events);
      }
    }
    await this.afterFeed(events);
    return events;
  }

  /** `Finalize`: end the current utterance now. Always answers with one final, empty when nothing was spoken. */
  async finalize(): Promise<LiveEvent[]> {
    const events: LiveEvent[] = [];
    if (this.utterance) {
      events.push(await this.endUtterance({ speechFinal: false, fromFinalize: true }));
      // The speaker may still be talking: what follows belongs to a new utterance.
      if (this.inSpeech) await this.startUtterance(this.cursor);
    } else {
      events.push(this.emptyFinal(this.cursor, true));
    }
    return events;
  }

  /** End of stream: the last utterance becomes final. */
  async close(): Promise<LiveEvent[]> {
    return this.utterance ? [await this.endUtterance({ speechFinal: false, fromFinalize: false })] : [];
  }

  /**
   * Borrows from `decoders` from the next utterance on (the stream's keyterms or bandwidth changed). The
   * utterance in progress keeps its decoder; the pool takes it back to where it came from.
   */
  lendFrom(decoders: DecoderLender): void {
    this.decoders.close();
    this.decoders = decoders;
  }

  /** The stream ended or failed: an utterance in progress gives its decoder back unheard. */
  async release(): Promise<void> {
    this.decoders.close();
    const utterance = this.utterance;
    if (!utterance) return;
    this.utterance = undefined;
    const { decoder } = utterance;
    if (!decoder) {
      if (utterance.arrived) this.decoders.give(utterance.arrived);
      else utterance.abandoned = true;
      return;
    }
    try {
      await decoder.finish();
    } finally {
      this.decoders.give(decoder);
    }
  }

  private async detect(events: LiveEvent[]): Promise<void> {
    await this.vad.accept(this.window);
    const detected = this.vad.detected;
    if (detected && !this.inSpeech) {
      this.inSpeech = true;
      const onset = Math.max(0, this.cursor - Math.round(VAD_MIN_SPEECH * RATE) - 2 * WINDOW);
      if (this.settings.vadEvents) {
        events.push({ type: "speech-started", channel: this.index, timestamp: round(onset / RATE) });
      }
      if (!this.utterance) await this.startUtterance(Math.max(onset - LEAD_IN, this.finalEnd));
    } else if (!detected && this.inSpeech) {
      this.inSpeech = false;
      if (this.utterance) {
        events.push(
          await this.endUtterance({ speechFinal: this.settings.endpointingMs !== false, fromFinalize: false }),
        );
      }
    } else if (this.utterance && this.cursor - this.utterance.start >= MAX_UTTERANCE) {
      events.push(await this.endUtterance({ speechFinal: false, fromFinalize: false }));
      await this.startUtterance(this.cursor);
    }
  }

  private async afterFeed(events: LiveEvent[]): Promise<void> {
    const utterance = this.utterance;
    if (utterance?.decoder && this.cursor - utterance.lastPartialAt >= PARTIAL_EVERY) {
      utterance.lastPartialAt = this.cursor;
      const words = this.place(await utterance.decoder.partial(), utterance.start);
      const transcript = words.map((w) => w.word).join(" ");
      if (transcript !== utterance.lastTranscript) {
        utterance.lastTranscript = transcript;
        this.noteWords(words);
        if (this.settings.interimResults) events.push(this.result(utterance.start, this.cursor, words, false));
      }
    }
    if (!utterance && this.cursor - this.finalEnd >= SILENCE_ACK) {
      events.push(this.emptyFinal(this.cursor - LEAD_IN - Math.round(VAD_MIN_SPEECH * RATE) - 2 * WINDOW, false));
    }
    const { utteranceEndMs } = this.settings;
    if (
      utteranceEndMs !== undefined &&
      this.lastWordEnd !== undefined &&
      !this.utteranceEndSent &&
      this.cursor / RATE - this.lastWordEnd >= utteranceEndMs / 1000
    ) {
      this.utteranceEndSent = true;
      events.push({ type: "utterance-end", channel: this.index, lastWordEnd: this.lastWordEnd });
    }
  }

  private async startUtterance(from: number): Promise<void> {
    const lead = this.history.since(from);
    const start = this.cursor - lead.length;
    const utterance: Utterance = {
      decoder: undefined,
      backlog: [lead],
      start,
      lastPartialAt: start,
      lastTranscript: "",
    };
    this.utterance = utterance;
    const decoder = this.decoders.tryTake();
    if (decoder) return this.begin(utterance, decoder);
    utterance.arrival = this.decoders.take().then(
      (arrived) => {
        if (utterance.abandoned) this.decoders.give(arrived);
        else utterance.arrived = arrived;
      },
      (err: unknown) => {
        utterance.failed = err;
      },
    );
  }

  /** Audio of the utterance in progress: to its decoder, or kept until one arrives. */
  private async hear(utterance: Utterance, pcm: Int16Array): Promise<void> {
    if (!utterance.decoder) this.throwIfFailed(utterance);
    if (utterance.arrived) await this.begin(utterance, utterance.arrived);
    if (utterance.decoder) await utterance.decoder.feed(pcm);
    else utterance.backlog.push(pcm);
  }

  /** Throws what kept a waiting utterance from getting a decoder. */
  private throwIfFailed(utterance: Utterance): void {
    if (utterance.failed !== undefined) {
      this.utterance = undefined;
      throw utterance.failed;
    }
  }

  /** Starts the utterance on `decoder` with the audio it has so far. */
  private async begin(utterance: Utterance, decoder: LiveDecoder): Promise<void> {
    utterance.arrived = undefined;
    try {
      await decoder.start(this.carried);
      for (const pcm of utterance.backlog) await decoder.feed(pcm);
    } catch (err) {
      this.utterance = undefined;
      this.decoders.give(decoder);
      throw err;
    }
    utterance.decoder = decoder;
    utterance.backlog = [];
  }

  private async endUtterance(flags: { speechFinal: boolean; fromFinalize: boolean }): Promise<LiveResult> {
    const utterance = this.utterance!;
    if (!utterance.decoder) {
      // The utterance ended before a decoder was free: this result has to wait for one.
      await utterance.arrival;
      this.throwIfFailed(utterance);
      await this.begin(utterance, utterance.arrived!);
    }
    this.utterance = undefined;
    const decoder = utterance.decoder!;
    let found: RecognizedWord[];
    try {
      found = await decoder.finish();
      this.carried = await decoder.carry?.();
    } finally {
      this.decoders.give(decoder);
    }
    const words = this.place(found, utterance.start);
    this.noteWords(words);
    this.finalEnd = this.cursor;
    return { ...this.result(utterance.start, this.cursor, words, true), ...flags };
  }

  private emptyFinal(until: number, fromFinalize: boolean): LiveResult {
    const start = this.finalEnd;
    this.finalEnd = Math.max(start, until);
    return { ...this.result(start, this.finalEnd, [], true), fromFinalize };
  }

  private result(start: number, end: number, words: RecognizedWord[], isFinal: boolean): LiveResult {
    return {
      type: "result",
      channel: this.index,
      isFinal,
      speechFinal: false,
      fromFinalize: false,
      start: round(start / RATE),
      end: round(end / RATE),
      // A final teaches the diarizer its speakers; an interim is labelled with what it knows so far.
      words: this.diarizer ? this.diarizer.label(words, isFinal) : words,
    };
  }

  /** Utterance-relative times → stream times. */
  private place(words: RecognizedWord[], start: number): RecognizedWord[] {
    const offset = start / RATE;
    return words.map((w) => ({ ...w, start: round(w.start + offset), end: round(w.end + offset) }));
  }

  private noteWords(words: RecognizedWord[]): void {
    const last = words[words.length - 1];
    if (last && (this.lastWordEnd === undefined || last.end > this.lastWordEnd)) {
      this.lastWordEnd = last.end;
      this.utteranceEndSent = false;
    }
  }
}
