/**
 * The live decoders of one pool worker, lent per utterance. A PocketSphinx decoder costs ~80 MB and ~0.7 s to
 * build (loading plus a warm-up decode) while its per-stream state is a 13-value cepstral mean, so a channel
 * borrows one when its VAD hears speech and gives it back when the utterance is final: an idle or silent stream
 * holds none, and a worker needs as many decoders as it has channels speaking at once, not channels open.
 *
 * A stream opening has decoders built until the worker has one per open channel; those its channels do not use
 * are freed like any spare (below), so a silent stream costs a decoder for its first `spareIdleMs` only.
 * Builds run off the worker thread (the architecture's business), one at a time, so the worker's other streams
 * go on meanwhile. A channel that starts speaking with none free keeps its audio until one is built or given
 * back, then catches up; one spare is built ahead whenever a channel starts speaking while others have none,
 * never more decoders than channels open. Decoders idle beyond the model's warm set go after `spareIdleMs`, the
 * warm set itself when the worker unloads idle models; their memory goes back to the system (see
 * native-memory.ts).
 *
 * Streams with keyterms have a stock of their own per model and keyterm set (the words are in the decoder's
 * dictionary), and telephone streams one of their own (the model's means moved for narrowband audio): no warm
 * set, so such decoders go `spareIdleMs` after the last such stream stops speaking. A build first frees the
 * spares of stocks no channel has open: a client that opens streams one after another, each with keyterms of
 * its own, would otherwise leave a decoder behind per stream for `spareIdleMs`, gigabytes for a client that
 * reconnects every second, which the admission of live channels does not count.
 */
import type { InstalledModel } from "../models/registry.js";
import type { Keyterm } from "../recognizer.js";
import type { LiveDecoder } from "./live-decoder.js";
import { releaseFreedMemory } from "./native-memory.js";

export interface LiveDecoderCounts {
  /** Decoders lent to a channel with an utterance in progress. */
  held: number;
  /** Decoders built and waiting for an utterance. */
  idle: number;
  /** Decoders built since the worker started: steady growth under a steady load means decoders are churned. */
  built: number;
}

/** What a channel borrows from: the pool, bound to the stream's model. */
export interface DecoderLender {
  /** A decoder that is free now, or undefined (then {@link take} waits for one without blocking the worker). */
  tryTake(): LiveDecoder | undefined;
  take(): Promise<LiveDecoder>;
  give(decoder: LiveDecoder): void;
  /** The channel is gone: decoders are no longer built ahead for it. */
  close(): void;
}

interface Idle {
  decoder: LiveDecoder;
  since: number;
}

interface Waiter {
  resolve(decoder: LiveDecoder): void;
  reject(err: unknown): void;
}

/** One model's decoders on this worker, for one set of keyterms and one bandwidth. */
interface Stock {
  model: InstalledModel;
  keyterms: readonly Keyterm[];
  narrowband: boolean;
  /** Neither keyterms nor narrowband: the model's own stock, kept warm and never forgotten. */
  plain: boolean;
  /** Idle decoders kept however long they are idle. */
  warm: number;
  /** Most recently returned last. */
  idle: Idle[];
  /** Lent to channels. */
  held: number;
  /** Channels waiting for a decoder, served in order. */
  waiters: Waiter[];
  /** Streams opening, waiting until there are as many decoders as channels. */
  opening: Array<{ resolve(): void; reject(err: unknown): void }>;
  /** Channels open on this model: the most decoders worth having. */
  channels: number;
  /** A build is running (one at a time: two at once on two busy cores would only delay the first). */
  building: boolean;
  /** A build has succeeded: the model loads. */
  loads: boolean;
}

export class DecoderPool {
  private readonly stocks = new Map<string, Stock>();
  /** Where each decoder goes back to: a channel whose keyterms changed mid-utterance returns the old stock's. */
  private readonly owners = new WeakMap<LiveDecoder, Stock>();
  private built = 0;

  constructor(
    private readonly build: (
      model: InstalledModel,
      keyterms: readonly Keyterm[],
      narrowband: boolean,
    ) => Promise<LiveDecoder>,
    private readonly keep: {
      /** Idle decoders per model kept however long they are idle. */
      warm: number;
      /** How long the others may stay idle, ms. */
      spareIdleMs: number;
    },
    /** Told when the counts change. */
    private readonly onChange: (counts: LiveDecoderCounts) => void = () => {},
  ) {}

  counts(): LiveDecoderCounts {
    let held = 0;
    let idle = 0;
    for (const stock of this.stocks.values()) {
      held += stock.held;
      idle += stock.idle.length;
    }
    return { held, idle, built: this.built };
  }

  /**
   * Channels of `model` were opened: decoders are built until there is one per open channel, so speech from a
   * stream's first second finds one. Only the first stream of a model on this worker waits for its decoder (a
   * model that cannot load refuses the stream); later ones are not held up, nor are the worker's other streams
   * while the builds run. Decoders its channels do not use are freed later like any spare: a silent stream
   * keeps none for long.
   */
  async ready(model: InstalledModel, keyterms: readonly Keyterm[] = [], narrowband = false): Promise<void> {
    const stock = this.stock(model, keyterms, narrowband);
    if (stock.held + stock.idle.length >= stock.channels) return;
    const filled = new Promise<void>((resolve, reject) => {
      stock.opening.push({ resolve, reject });
      this.refill(stock);
    });
    if (stock.loads) filled.catch(() => {});
    else await filled;
  }

  lender(model: InstalledModel, keyterms: readonly Keyterm[] = [], narrowband = false): DecoderLender {
    const stock = this.stock(model, keyterms, narrowband);
    stock.channels++;
    let open = true;
    return {
      tryTake: () => this.tryTake(stock),
      take: () => this.take(stock),
      give: (decoder) => {
        const owner = this.owners.get(decoder) ?? stock;
        owner.held--;
        this.put(owner, decoder);
      },
      close: () => {
        if (open) stock.channels--;
        open = false;
      },
    };
  }

  private tryTake(stock: Stock): LiveDecoder | undefined {
    const decoder = stock.idle.pop()?.decoder;
    if (!decoder) return undefined;
    stock.held++;
    this.onChange(this.counts());
    this.refill(stock);
    return decoder;
  }

  private take(stock: Stock): Promise<LiveDecoder> {
    const now = this.tryTake(stock);
    if (now) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      stock.waiters.push({
        resolve: (decoder) => {
          stock.held++;
          resolve(decoder);
        },
        reject,
      });
      this.refill(stock);
    });
  }

  /** A decoder is free: to the channel waiting longest, else idle. */
  private put(stock: Stock, decoder: LiveDecoder): void {
    const waiter = stock.waiters.shift();
    if (waiter) waiter.resolve(decoder);
    else stock.idle.push({ decoder, since: Date.now() });
    this.onChange(this.counts());
  }

  /**
   * Builds for the channels waiting, then up to one decoder per open channel while a stream opening waits for
   * that, else one spare while channels without a decoder remain.
   */
  private refill(stock: Stock): void {
    const have = stock.held + stock.idle.length;
    if (have >= stock.channels) for (const opening of stock.opening.splice(0)) opening.resolve();
    if (stock.building) return;
    const short = have < stock.channels && (stock.opening.length > 0 || stock.idle.length === 0);
    if (stock.waiters.length === 0 && !short) return;
    stock.building = true;
    this.reclaimUnused(stock);
    new Promise<LiveDecoder>((resolve) => resolve(this.build(stock.model, stock.keyterms, stock.narrowband))).then(
      (decoder) => {
        stock.building = false;
        stock.loads = true;
        this.built++;
        this.owners.set(decoder, stock);
        this.put(stock, decoder);
        this.refill(stock);
      },
      (err: unknown) => {
        stock.building = false;
        // The channel waiting longest and the streams opening hear why; a spare that failed is retried by the
        // next channel to ask.
        stock.waiters.shift()?.reject(err);
        for (const opening of stock.opening.splice(0)) opening.reject(err);
        if (stock.waiters.length > 0) this.refill(stock);
      },
    );
  }

  /** Frees the idle decoders beyond the warm set of every stock but `building` that no channel has open. */
  private reclaimUnused(building: Stock): void {
    let freed = false;
    for (const stock of this.stocks.values()) {
      if (stock === building || stock.channels > 0 || stock.opening.length > 0) continue;
      const spares = stock.idle.splice(0, Math.max(0, stock.idle.length - stock.warm));
      for (const { decoder } of spares) decoder.dispose();
      freed ||= spares.length > 0;
    }
    if (!freed) return;
    releaseFreedMemory();
    this.onChange(this.counts());
  }

  /**
   * Frees idle decoders: all those idle since before `before` (the worker unloading unused models), and those
   * beyond each model's warm set idle for `spareIdleMs` by `now` — unless streams are still opening: the
   * decoders built for them stay until there is one per channel, or on a machine that builds a stream's
   * decoders more slowly than `spareIdleMs` each would be freed as the next is built, for ever.
   */
  dispose(before: number, now = Date.now()): void {
    let freed = false;
    for (const [key, stock] of this.stocks) {
      const list = stock.idle;
      const filling = stock.opening.length > 0;
      const kept = list.filter(
        (entry, i) =>
          entry.since >= before &&
          (filling || i >= list.length - stock.warm || now - entry.since < this.keep.spareIdleMs),
      );
      for (const entry of list) if (!kept.includes(entry)) entry.decoder.dispose();
      freed ||= kept.length < list.length;
      stock.idle = kept;
      // A keyterm set (or telephone stock) nobody uses any more is forgotten (clients may send a new set with
      // every stream).
      const unused = !kept.length && !stock.held && !stock.channels && !stock.waiters.length && !stock.building;
      if (!stock.plain && unused) this.stocks.delete(key);
    }
    if (!freed) return;
    releaseFreedMemory();
    this.onChange(this.counts());
  }

  private stock(model: InstalledModel, keyterms: readonly Keyterm[], narrowband: boolean): Stock {
    const plain = !keyterms.length && !narrowband;
    const key = plain ? model.name : `${model.name}\n${JSON.stringify(keyterms)}\n${narrowband}`;
    let stock = this.stocks.get(key);
    if (!stock) {
      stock = {
        model,
        keyterms,
        narrowband,
        plain,
        warm: plain ? this.keep.warm : 0,
        idle: [],
        held: 0,
        waiters: [],
        opening: [],
        channels: 0,
        building: false,
        loads: false,
      };
      this.stocks.set(key, stock);
    }
    return stock;
  }
}
