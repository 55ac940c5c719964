/**
 * The live decoder pool's lending rules, with decoders that are plain objects and builds the test finishes by
 * hand: what is built, when, for whom. Real decoders on real speech are in the live end-to-end tests.
 */
import { describe, expect, it } from "vitest";
import type { InstalledModel } from "../src/models/registry.js";
import type { Keyterm } from "../src/recognizer.js";
import { DecoderPool } from "../src/stream/decoder-pool.js";
import type { LiveDecoder } from "../src/stream/live-decoder.js";

const model = { name: "m" } as InstalledModel;

/** A pool whose builds wait until the test calls `finish` (in build order), or `fail`. */
function harness() {
  const pending: Array<{ resolve(d: LiveDecoder): void; reject(err: Error): void; keyterms: readonly Keyterm[] }> = [];
  let made = 0;
  const disposed: number[] = [];
  const pool = new DecoderPool(
    (_, keyterms) =>
      new Promise<LiveDecoder>((resolve, reject) => {
        pending.push({ resolve, reject, keyterms });
      }),
    { warm: 1, spareIdleMs: 30_000 },
  );
  const decoder = (id: number): LiveDecoder => ({ id, dispose: () => disposed.push(id) }) as unknown as LiveDecoder;
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return {
    pool,
    disposed,
    /** Builds started and not yet finished. */
    building: () => pending.length,
    /** The keyterms of the next build to finish. */
    buildingFor: () => pending[0]?.keyterms,
    async finish() {
      pending.shift()!.resolve(decoder(++made));
      await settle();
    },
    async fail(message: string) {
      pending.shift()!.reject(new Error(message));
      await settle();
    },
    settle,
  };
}

describe("live decoder pool", () => {
  /** Opens a stream of one channel and finishes the builds it waits for. */
  async function open(h: ReturnType<typeof harness>) {
    const lender = h.pool.lender(model);
    const ready = h.pool.ready(model);
    while (h.building() > 0) await h.finish();
    await ready;
    return lender;
  }

  it("builds a decoder per open channel, one at a time; only a model's first stream waits", async () => {
    const h = harness();
    h.pool.lender(model);
    h.pool.lender(model);
    let opened = false;
    const ready = h.pool.ready(model).then(() => {
      opened = true;
    });
    expect(h.building()).toBe(1);
    await h.finish();
    expect(h.building()).toBe(1);
    expect(opened).toBe(false);
    await h.finish();
    await ready;
    expect(h.pool.counts()).toEqual({ held: 0, idle: 2, built: 2 });
    // The model loads: the next stream opening is not held up while its decoder is built.
    h.pool.lender(model);
    await h.pool.ready(model);
    expect(h.building()).toBe(1);
    await h.finish();
    expect(h.pool.counts()).toEqual({ held: 0, idle: 3, built: 3 });
  });

  it("builds one spare ahead while channels without a decoder remain, never more than channels", async () => {
    const h = harness();
    const a = await open(h);
    // Channels added without waiting (a multichannel stream learns its channels from its audio).
    const [b, c] = [h.pool.lender(model), h.pool.lender(model)];
    expect(a.tryTake()).toBeDefined();
    // Two channels could still speak: one spare is built, not two.
    expect(h.building()).toBe(1);
    await h.finish();
    expect(h.pool.counts()).toEqual({ held: 1, idle: 1, built: 2 });
    expect(b.tryTake()).toBeDefined();
    expect(h.building()).toBe(1);
    await h.finish();
    expect(c.tryTake()).toBeDefined();
    // Three channels, three decoders: nothing more is built.
    expect(h.building()).toBe(0);
    expect(h.pool.counts()).toEqual({ held: 3, idle: 0, built: 3 });
  });

  it("serves waiting channels in order, with a given-back decoder before a built one", async () => {
    const h = harness();
    const a = await open(h);
    const [b, c] = [h.pool.lender(model), h.pool.lender(model)];
    const first = a.tryTake()!;
    // The spare is still building when b and c start speaking.
    expect(b.tryTake()).toBeUndefined();
    const forB = b.take();
    const forC = c.take();
    a.give(first);
    expect(await forB).toBe(first);
    await h.finish();
    const built = await forC;
    expect(built).not.toBe(first);
    expect(h.pool.counts()).toEqual({ held: 2, idle: 0, built: 2 });
  });

  it("tells the waiting stream why a build failed, and tries again for the next", async () => {
    const h = harness();
    const a = h.pool.lender(model);
    const opened = h.pool.ready(model).catch((err: Error) => err.message);
    await h.fail("no model");
    expect(await opened).toBe("no model");
    const taken = a.take();
    await h.finish();
    expect(await taken).toBeDefined();
  });

  it("builds nothing ahead for channels that are closed, and frees spares beyond the warm set", async () => {
    const h = harness();
    const a = await open(h);
    h.pool.lender(model).close();
    const first = a.tryTake()!;
    expect(h.building()).toBe(0);
    const extra = await open(h);
    const second = extra.tryTake()!;
    a.give(first);
    extra.give(second);
    expect(h.pool.counts()).toEqual({ held: 0, idle: 2, built: 2 });
    h.pool.dispose(Number.NEGATIVE_INFINITY, Date.now() + 60_000);
    // The warm set (1 here) stays; the other goes.
    expect(h.pool.counts()).toEqual({ held: 0, idle: 1, built: 2 });
    expect(h.disposed).toHaveLength(1);
  });

  it("keeps the decoders built for streams still opening, however slowly each is built", async () => {
    const h = harness();
    for (let i = 0; i < 3; i++) h.pool.lender(model);
    const ready = h.pool.ready(model);
    // Each build takes longer than the spares' idle limit: the sweeps between builds must not undo them.
    for (let i = 1; i < 3; i++) {
      await h.finish();
      h.pool.dispose(Number.NEGATIVE_INFINITY, Date.now() + 60_000 * i);
    }
    await h.finish();
    await ready;
    expect(h.building()).toBe(0);
    expect(h.pool.counts()).toEqual({ held: 0, idle: 3, built: 3 });
    // Opened: from now on they are spares like any other.
    h.pool.dispose(Number.NEGATIVE_INFINITY, Date.now() + 60_000);
    expect(h.pool.counts()).toEqual({ held: 0, idle: 1, built: 3 });
  });
  it("gives keyterm streams decoders of their own, takes each decoder back where it came from, forgets unused sets", async () => {
    const h = harness();
    const plain = await open(h);
    const keyterms: Keyterm[] = [{ text: "printing", boost: 1 }];
    const boosted = h.pool.lender(model, keyterms);
    const ready = h.pool.ready(model, keyterms);
    // The default model loads, but a keyterm set's first stream waits for its first decoder all the same.
    expect(h.buildingFor()).toEqual(keyterms);
    await h.finish();
    await ready;
    const kept = boosted.tryTake()!;
    expect(plain.tryTake()).not.toBe(kept);
    // The channel's keyterms change mid-utterance: the next utterance borrows from the default decoders, and the
    // one in progress goes back to the keyterm set's.
    const switched = h.pool.lender(model);
    boosted.close();
    switched.give(kept);
    expect(h.pool.counts()).toMatchObject({ held: 1, idle: 1 });
    expect(switched.tryTake()).toBeUndefined();
    // A keyterm set keeps no warm decoder: once idle past spareIdleMs it is freed, and the set forgotten.
    h.pool.dispose(Number.NEGATIVE_INFINITY, Date.now() + 31_000);
    expect(h.disposed).toEqual([2]);
    // A stream asking for it again is its first stream: it waits for its decoder.
    h.pool.lender(model, keyterms);
    let waiting = true;
    void h.pool.ready(model, keyterms).then(() => {
      waiting = false;
    });
    await h.settle();
    expect(waiting).toBe(true);
    expect(h.buildingFor()).toEqual(keyterms);
    expect(h.pool.counts()).toMatchObject({ held: 1, idle: 0, built: 2 });
  });

  it("frees the spares of keyterm sets no stream has open before it builds for another", async () => {
    const h = harness();
    const plain = await open(h);
    plain.close();
    /** Opens a stream of one channel with its own keyterm set, lets it speak once, closes it. */
    const speakOnce = async (word: string) => {
      const keyterms: Keyterm[] = [{ text: word, boost: 1 }];
      const lender = h.pool.lender(model, keyterms);
      const ready = h.pool.ready(model, keyterms);
      await h.finish();
      await ready;
      lender.give(lender.tryTake()!);
      lender.close();
    };
    await speakOnce("printing");
    await speakOnce("gutenberg");
    // The first set's decoder went when the second set's was built, not 30 s later; the default model keeps its
    // warm decoder, and the second set its own until the next build or spareIdleMs.
    expect(h.disposed).toEqual([2]);
    expect(h.pool.counts()).toEqual({ held: 0, idle: 2, built: 3 });
    await speakOnce("caxton");
    expect(h.disposed).toEqual([2, 3]);
  });
});
