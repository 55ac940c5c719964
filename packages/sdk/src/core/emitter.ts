/** A small typed event emitter with several listeners per event; Web-only (no `node:events`), for browsers. */
// biome-ignore lint/suspicious/noExplicitAny: listener argument lists differ per event
export type EventMap = Record<string, any[]>;
type Listener<A extends unknown[]> = (...args: A) => void;
/** Listeners are stored untyped; `on` and `emit` keep each event's types consistent. */
type AnyListener = (...args: unknown[]) => void;

export class Emitter<E extends EventMap> {
  readonly #listeners = new Map<keyof E, Set<AnyListener>>();

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const set = this.#listeners.get(event) ?? new Set();
    set.add(listener as AnyListener);
    this.#listeners.set(event, set);
    return this;
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    this.#listeners.get(event)?.delete(listener as AnyListener);
    return this;
  }

  once<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const wrapper: Listener<E[K]> = (...args) => {
      this.off(event, wrapper);
      listener(...args);
    };
    return this.on(event, wrapper);
  }

  /** Calls every listener; one that throws does not stop the others (its error is rethrown asynchronously). */
  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        listener(...args);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  protected listenerCount(event: keyof E): number {
    return this.#listeners.get(event)?.size ?? 0;
  }
}
