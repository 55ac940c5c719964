/**
 * What the server has installed, `GET /v1/models` and `GET /v1/models/{id}` (Deepgram's paths): recognisers
 * under `stt`, voices under `tts` — e.g. to fill a model or voice picker.
 */
import type { ModelList, SttModel, TtsModel } from "@earshot/protocol";
import type { APIPromise } from "../core/api-promise.js";
import type { RequestOptions, Transport } from "../core/request.js";

export class Models {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Every installed model and voice.
   *
   * @example
   * const { stt, tts } = await client.models.list();
   * console.log(stt.map((m) => m.name), tts.map((v) => v.name));
   */
  list(requestOptions?: RequestOptions): APIPromise<ModelList> {
    return this.#transport.json({ method: "GET", path: "/v1/models" }, requestOptions);
  }

  /** One model or voice, by name or uuid; a `NotFoundError` when it is not installed. */
  get(id: string, requestOptions?: RequestOptions): APIPromise<SttModel | TtsModel> {
    return this.#transport.json({ method: "GET", path: `/v1/models/${encodeURIComponent(id)}` }, requestOptions);
  }
}
