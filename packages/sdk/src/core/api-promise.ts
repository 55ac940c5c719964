/**
 * What every REST call returns, as in openai-node: a promise of the parsed body, so `await` works as on any
 * promise, plus `withResponse()` for the HTTP response it came from — `dg-request-id` and the other headers
 * are otherwise only on errors.
 *
 * There is no `asResponse()` (openai-node's unread response): here the body is read inside the attempt, under
 * its timeout and retries, so by the time a response is known good its body has been read.
 */
import { requestIdOf } from "./errors.js";

export interface WithResponse<T> {
  data: T;
  /** The successful attempt's response. Its body has been read into `data`, except for streamed audio. */
  response: Response;
  /** The server's id for the request (`dg-request-id`): how its logs find it. */
  requestId: string | undefined;
}

/** A call's outcome as the transport produces it. */
export interface Answered<T> {
  data: T;
  response: Response;
}

export class APIPromise<T> extends Promise<T> {
  readonly #answered: Promise<Answered<T>>;
  #data: Promise<T> | undefined;

  constructor(answered: Promise<Answered<T>>) {
    // The base promise is never observed: `then`, `catch` and `finally` read `answered` instead.
    super((resolve) => resolve(undefined as T));
    this.#answered = answered;
  }

  /** The parsed body, the response and its request id. */
  withResponse(): Promise<WithResponse<T>> {
    return this.#answered.then(({ data, response }) => ({ data, response, requestId: requestIdOf(response.headers) }));
  }

  // biome-ignore lint/suspicious/noThenProperty: this is a promise; `then` is what makes `await` give the body
  override then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#parsed().then(onfulfilled, onrejected);
  }

  override catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#parsed().catch(onrejected);
  }

  override finally(onfinally?: (() => void) | null): Promise<T> {
    return this.#parsed().finally(onfinally);
  }

  /** Created on first use only, so a caller who reads just `withResponse()` has no second promise left unhandled. */
  #parsed(): Promise<T> {
    this.#data ??= this.#answered.then(({ data }) => data);
    return this.#data;
  }
}

/** A call whose result is made from another's (a `Job` from the accepted response), keeping that response. */
export function mapResult<T, U>(promise: APIPromise<T>, map: (data: T) => U): APIPromise<U> {
  return new APIPromise(promise.withResponse().then(({ data, response }) => ({ data: map(data), response })));
}
