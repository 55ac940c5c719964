/**
 * Text intelligence at Deepgram's v5 path, `client.read.v1.text.analyze` (`POST /v1/read`): summary, topics,
 * intents and sentiment of a text or of the plain-text document at a URL.
 */
import type { ReadOptions, ReadRequest, ReadResponse } from "@earshot/protocol";
import { toQuery } from "@earshot/protocol/core";
import type { APIPromise } from "../core/api-promise.js";
import type { RequestOptions, Transport } from "../core/request.js";

/** `analyze`'s argument: the body (`{text}` or `{url}`) and the query options, as Deepgram's SDK takes them. */
export type ReadAnalyzeParams = Partial<Omit<ReadOptions, "summarize">> & {
  /** `v2` is accepted as `true`, as Deepgram's SDK types allow it. */
  summarize?: boolean | "v2";
  body: ReadRequest;
};

export class ReadText {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Analyse a text.
   *
   * @example
   * const { results } = await client.read.v1.text.analyze({ body: { text }, summarize: true, sentiment: true });
   * console.log(results.summary?.text, results.sentiments?.average);
   */
  analyze({ body, ...options }: ReadAnalyzeParams, requestOptions?: RequestOptions): APIPromise<ReadResponse> {
    return this.#transport.json(
      {
        method: "POST",
        path: "/v1/read",
        query: toQuery(options),
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      },
      requestOptions,
    );
  }
}

export class Read {
  readonly v1: { readonly text: ReadText };

  constructor(transport: Transport) {
    this.v1 = { text: new ReadText(transport) };
  }
}
