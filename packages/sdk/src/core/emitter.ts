/**
 * The typed event emitter behind every SDK object with events (live connections, speak sockets, jobs): several
 * listeners per event, `on` / `off` / `once`. Web-only (no `node:events`), so it runs in browsers.
 *
 * A listener that throws does not stop the others, nor the SDK code that emitted the event (a socket's message
 * handler, a job's poller). Its error is rethrown in a microtask of its own, which is how both browsers and Node
 * report an exception from an `EventTarget` listener: the page's `error` event and console in a browser, an
 * `uncaughtException` in Node. It is not sent to the object's own `error` event, which means the connection or
 * job failed: a bug in a listener is not that, and an `error` listener that threw would feed itself.
 */

// biome-ignore lint/suspicious/noExplicitAny: listener argument lists differ per event
export type EventMap = Record<string, any[]>;
export type Listener<A extends unknown[]> = (...args: A) => void;
/** Listeners are stored untyped; `on` and `emit` keep each event's types consistent. */
type AnyListener = (...args: unknown[]) => void;

export class Emitter<E extends EventMap> {
  /** Per event, each listener once (adding it again keeps its place), with whether it is a `once` listener. */
  readonly #listeners = new Map<keyof E, Map<AnyListener, boolean>>();

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    return this.#add(event, listener as AnyListener, false);
  }

  /** Like `on`, removed before its first call. `off` with the same function removes it before then. */
  once<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    return this.#add(event, listener as AnyListener, true);
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    this.#listeners.get(event)?.delete(listener as AnyListener);
    return this;
  }

  /**
   * Calls the event's listeners in the order they were added. One removed by an earlier listener of the same
   * event is not called (as with `EventTarget`); one added during the call waits for the next event.
   */
  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const listeners = this.#listeners.get(event);
    if (!listeners) return;
    for (const [listener, once] of [...listeners]) {
      if (!listeners.has(listener)) continue;
      if (once) listeners.delete(listener);
      try {
        listener(...args);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }

  protected listenerCount(event: keyof E): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  #add(event: keyof E, listener: AnyListener, once: boolean): this {
    const listeners = this.#listeners.get(event) ?? new Map<AnyListener, boolean>();
    listeners.set(listener, once);
    this.#listeners.set(event, listeners);
    return this;
  }
}

function reportListenerError(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
