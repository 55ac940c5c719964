/**
 * The live decoders of one pool worker, lent per utterance. A PocketSphinx decoder costs ~80 MB and ~0.4 s to
 * build while its per-stream state is a 13-value cepstral mean, so a channel borrows one when its VAD hears
 * speech and gives it back when the utterance is final: an idle or silent stream holds none, and a worker needs
 * as many decoders as it has channels speaking at once, not channels open.
 *
 * A stream opening makes sure one decoder of its model is ready, so the first utterance rarely waits for a
 * build; decoders idle beyond the model's warm set go after {@link SPARE_IDLE_MS}, the warm set itself when the
 * worker unloads idle models; their memory goes back to the system (see native-memory.ts).
 */
import type { InstalledModel } from "../models/registry.js";
import type { LiveDecoder } from "./live-decoder.js";
import { releaseFreedMemory } from "./native-memory.js";

/** Decoders idle this long beyond a model's warm set are freed, ms. */
export const SPARE_IDLE_MS = 30_000;

export interface LiveDecoderCounts {
  /** Decoders lent to a channel with an utterance in progress. */
  held: number;
  /** Decoders built and waiting for an utterance. */
  idle: number;
}

/** What a channel borrows from: the pool, bound to the stream's model. */
export interface DecoderLender {
  take(): Promise<LiveDecoder>;
  give(decoder: LiveDecoder): void;
}

interface Idle {
  decoder: LiveDecoder;
  since: number;
}

export class DecoderPool {
  /** Idle decoders by model name, most recently returned last. */
  private readonly idle = new Map<string, Idle[]>();
  private held = 0;

  constructor(
    private readonly build: (model: InstalledModel) => Promise<LiveDecoder>,
    /** Idle decoders per model kept past {@link SPARE_IDLE_MS}. */
    private readonly warm: number,
    /** Told when the counts change. */
    private readonly onChange: (counts: LiveDecoderCounts) => void = () => {},
  ) {}

  counts(): LiveDecoderCounts {
    let idle = 0;
    for (const list of this.idle.values()) idle += list.length;
    return { held: this.held, idle };
  }

  /** Builds a decoder of `model` unless one is idle: a stream opening pays the build, not its first word. */
  async ready(model: InstalledModel): Promise<void> {
    if (this.idle.get(model.name)?.length) return;
    const decoder = await this.build(model);
    this.idleList(model.name).push({ decoder, since: Date.now() });
    this.onChange(this.counts());
  }

  lender(model: InstalledModel): DecoderLender {
    return { take: () => this.take(model), give: (decoder) => this.give(model.name, decoder) };
  }

  private async take(model: InstalledModel): Promise<LiveDecoder> {
    const decoder = this.idle.get(model.name)?.pop()?.decoder ?? (await this.build(model));
    this.held++;
    this.onChange(this.counts());
    return decoder;
  }

  private give(model: string, decoder: LiveDecoder): void {
    this.held--;
    this.idleList(model).push({ decoder, since: Date.now() });
    this.onChange(this.counts());
  }

  /**
   * Frees idle decoders: all those idle since before `before` (the worker unloading unused models), and those
   * beyond each model's warm set idle for {@link SPARE_IDLE_MS} by `now`.
   */
  dispose(before: number, now = Date.now()): void {
    let freed = false;
    for (const [model, list] of this.idle) {
      const kept = list.filter(
        (entry, i) => entry.since >= before && (i >= list.length - this.warm || now - entry.since < SPARE_IDLE_MS),
      );
      for (const entry of list) if (!kept.includes(entry)) entry.decoder.dispose();
      freed ||= kept.length < list.length;
      if (kept.length) this.idle.set(model, kept);
      else this.idle.delete(model);
    }
    if (!freed) return;
    releaseFreedMemory();
    this.onChange(this.counts());
  }

  private idleList(model: string): Idle[] {
    let list = this.idle.get(model);
    if (!list) {
      list = [];
      this.idle.set(model, list);
    }
    return list;
  }
}
