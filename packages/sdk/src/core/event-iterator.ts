/**
 * Events as an async iterator: what `for await (const message of conn)` and `for await (const chunk of socket)`
 * run on. Items arriving faster than the loop reads them wait in a buffer; the iteration ends once the source
 * ends and the buffer is read, by finishing or by throwing the source's terminal error (once); `return()` (a
 * `break` out of the loop) detaches the listeners at once and drops what is buffered.
 */
import { EarshotError } from "@earshot/protocol/core";

export interface EventIteratorOptions {
  /**
   * Items held for a loop that reads slower than they arrive. One more ends the iteration (after the buffered
   * items) with an `ITERATOR_OVERFLOW` error rather than dropping any silently. @default Infinity
   */
  maxBuffered?: number;
}

/** What `subscribe` feeds. */
export interface EventSink<T> {
  push(item: T): void;
  /** No more items: the loop finishes after the buffered ones, or throws `error` when one is given. */
  end(error?: unknown): void;
}

/**
 * Attaches listeners through `subscribe` right away (so nothing emitted after this call is missed), which returns
 * the function that detaches them. `subscribe` may call `end` before it returns, for a source already closed.
 */
export function eventIterator<T>(
  subscribe: (sink: EventSink<T>) => () => void,
  options: EventIteratorOptions = {},
): AsyncIterableIterator<T> {
  const maxBuffered = options.maxBuffered ?? Number.POSITIVE_INFINITY;
  const buffer: T[] = [];
  const waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void }[] = [];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let detach: (() => void) | undefined;

  const stop = (): void => {
    const listeners = detach;
    detach = undefined;
    listeners?.();
  };
  /** The next result when there is one now: a buffered item, the error (only once), or the end. */
  const take = (): IteratorResult<T> | { error: unknown } | undefined => {
    if (buffer.length > 0) return { value: buffer.shift()!, done: false };
    if (!ended) return undefined;
    const error = failure;
    failure = undefined;
    return error ?? { value: undefined, done: true };
  };
  const deliver = (): void => {
    while (waiting.length > 0) {
      const result = take();
      if (!result) return;
      const waiter = waiting.shift()!;
      if ("error" in result) waiter.reject(result.error);
      else waiter.resolve(result);
    }
  };
  const sink: EventSink<T> = {
    push(item) {
      if (ended) return;
      buffer.push(item);
      if (buffer.length > maxBuffered) {
        buffer.pop();
        sink.end(new EarshotError(500, "ITERATOR_OVERFLOW", `More than ${maxBuffered} items arrived unread.`));
      } else deliver();
    },
    end(error) {
      if (ended) return;
      ended = true;
      if (error !== undefined) failure = { error };
      stop();
      deliver();
    },
  };

  const unsubscribe = subscribe(sink);
  if (ended) unsubscribe();
  else detach = unsubscribe;

  return {
    next() {
      const result = take();
      if (!result) return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
      return "error" in result ? Promise.reject(result.error) : Promise.resolve(result);
    },
    return() {
      ended = true;
      failure = undefined;
      buffer.length = 0;
      stop();
      deliver();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
