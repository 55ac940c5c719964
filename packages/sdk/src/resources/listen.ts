/**
 * Speech-to-text at the same paths in the client tree as Deepgram's v5 SDK: pre-recorded `POST /v1/listen`
 * (`client.listen.v1.media`), live `client.listen.v1.connect` and Flux `client.listen.v2.connect`.
 */
import type {
  ListenAcceptedResponse,
  ListenOptionsInput,
  ListenProgressEvent,
  ListenResponse,
} from "@earshot/protocol";
import { PROGRESS_MEDIA_TYPE, toQuery } from "@earshot/protocol/core";
import type { APIPromise } from "../core/api-promise.js";
import { APIError } from "../core/errors.js";
import type { APIRequest, ReplayableBody, RequestOptions, Transport } from "../core/request.js";
import type { SocketTarget } from "../core/websocket.js";
import type { LiveConnection, LiveConnectOptions } from "../live/connection.js";
import { FluxConnection, type FluxConnectOptions } from "../live/flux.js";
import { connectLive } from "./listen-live.js";

/** Audio to transcribe. Node's `Buffer` is a `Uint8Array`, and a `File` is a `Blob`. */
export type AudioSource = Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array>;

/** `transcribeUrl`'s argument: the media URL the server fetches, plus the usual query options. */
export interface TranscribeUrlParams extends ListenOptionsInput {
  url: string;
}

export interface ListenRequestOptions extends RequestOptions {
  /**
   * Called with the fraction of the speech decoded (0 → 1) while the server works — an Earshot extension
   * (`Accept: application/x-ndjson`) for progress bars on long files. Deepgram's servers do not offer it.
   */
  onProgress?: (fraction: number) => void;
}

/** With `callback`, the server answers at once and posts the transcript to the callback URL later. */
type WithCallback = { callback: string };
type WithoutCallback = { callback?: undefined };

export class ListenMedia {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Transcribe audio bytes, sent as `application/octet-stream`; the server detects the container.
   *
   * A `ReadableStream` is read to the end before the upload starts. That costs memory equal to its size, but
   * the body can then be resent on retry, and it works in browsers, which refuse streaming request bodies over
   * HTTP/1.1. An error the stream itself raises is rethrown unchanged.
   *
   * @example
   * const result = await client.listen.v1.media.transcribeFile(await readFile("call.wav"), { utterances: true });
   */
  transcribeFile(
    source: AudioSource,
    options: ListenOptionsInput & WithCallback,
    requestOptions?: ListenRequestOptions,
  ): APIPromise<ListenAcceptedResponse>;
  transcribeFile(
    source: AudioSource,
    options?: ListenOptionsInput & WithoutCallback,
    requestOptions?: ListenRequestOptions,
  ): APIPromise<ListenResponse>;
  transcribeFile(
    source: AudioSource,
    options?: ListenOptionsInput,
    requestOptions?: ListenRequestOptions,
  ): APIPromise<ListenResponse | ListenAcceptedResponse>;
  transcribeFile(
    source: AudioSource,
    options: ListenOptionsInput = {},
    requestOptions?: ListenRequestOptions,
  ): APIPromise<ListenResponse | ListenAcceptedResponse> {
    return this.#send(
      {
        method: "POST",
        path: "/v1/listen",
        query: toQuery(options),
        body: replayable(source),
        headers: { "content-type": "application/octet-stream" },
      },
      requestOptions,
    );
  }

  /**
   * Have the server download and transcribe the media at `url`.
   *
   * @example
   * const result = await client.listen.v1.media.transcribeUrl({ url: "https://example.com/talk.mp3", model: "base" });
   */
  transcribeUrl(
    params: TranscribeUrlParams & WithCallback,
    requestOptions?: ListenRequestOptions,
  ): APIPromise<ListenAcceptedResponse>;
  transcribeUrl(
    params: TranscribeUrlParams & WithoutCallback,
    requestOptions?: ListenRequestOptions,
  ): APIPromise<ListenResponse>;
  transcribeUrl(
    params: TranscribeUrlParams,
    requestOptions?: ListenRequestOptions,
  ): APIPromise<ListenResponse | ListenAcceptedResponse>;
  transcribeUrl(
    { url, ...options }: TranscribeUrlParams,
    requestOptions?: ListenRequestOptions,
  ): APIPromise<ListenResponse | ListenAcceptedResponse> {
    return this.#send(
      {
        method: "POST",
        path: "/v1/listen",
        query: toQuery(options),
        body: JSON.stringify({ url }),
        headers: { "content-type": "application/json" },
      },
      requestOptions,
    );
  }

  #send(request: APIRequest, options: ListenRequestOptions = {}): APIPromise<ListenResponse | ListenAcceptedResponse> {
    const { onProgress, ...requestOptions } = options;
    if (!onProgress) return this.#transport.json(request, requestOptions);
    return this.#transport.request(
      { ...request, headers: { ...request.headers, accept: `${PROGRESS_MEDIA_TYPE}, application/json` } },
      requestOptions,
      (response) => readProgress(response, onProgress),
    );
  }
}

/** Reads progress lines until the outcome line; a plain JSON answer (callback mode, other servers) passes through. */
async function readProgress(
  response: Response,
  onProgress: (fraction: number) => void,
): Promise<ListenResponse | ListenAcceptedResponse> {
  if (!response.headers.get("content-type")?.includes(PROGRESS_MEDIA_TYPE)) return response.json();
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  for (;;) {
    const { done, value } = await reader.read();
    buffered += value ?? "";
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.trim()) continue;
      const event = JSON.parse(line) as ListenProgressEvent;
      if (event.type === "progress") onProgress(event.fraction);
      else if (event.type === "result") return event.result;
      else throw APIError.generate(event.status, event.error, response.headers);
    }
    if (done)
      throw new APIError(
        response.status,
        "INCOMPLETE_RESPONSE",
        "The server closed the progress stream without a result.",
        { headers: response.headers, body: buffered },
      );
  }
}

export class ListenV1 {
  readonly media: ListenMedia;
  readonly #live: SocketTarget | undefined;

  constructor(transport: Transport, live?: SocketTarget) {
    this.media = new ListenMedia(transport);
    this.#live = live;
  }

  /**
   * Open a live transcription connection (`GET /v1/listen` over WebSocket). It connects at once; use either
   * style on the returned object.
   *
   * @example
   * const conn = client.listen.v1.connect({ encoding: "linear16", sample_rate: 16000, interim_results: true });
   * conn.on("Results", (r) => console.log(r.is_final, r.channel.alternatives[0]?.transcript));
   * await microphone.pipeTo(conn.audio); // finishes the stream when the microphone stops
   */
  connect(options: LiveConnectOptions = {}): LiveConnection {
    if (!this.#live) throw new Error("This client was built without a live target.");
    return connectLive(this.#live, options);
  }
}

export class ListenV2 {
  readonly #live: SocketTarget | undefined;

  constructor(live?: SocketTarget) {
    this.#live = live;
  }

  /**
   * Open a Flux connection (`GET /v2/listen` over WebSocket): turn-based transcription for voice agents. It
   * connects at once.
   *
   * @example
   * const conn = client.listen.v2.connect({ encoding: "linear16", sample_rate: 16000, eager_eot_threshold: 0.5 });
   * conn.on("EagerEndOfTurn", (turn) => draftReply(turn.transcript));
   * conn.on("EndOfTurn", (turn) => sendReply(turn.transcript));
   * await microphone.pipeTo(conn.audio);
   */
  connect(options: FluxConnectOptions = {}): FluxConnection {
    if (!this.#live) throw new Error("This client was built without a live target.");
    return new FluxConnection(this.#live, options);
  }
}

export class Listen {
  readonly v1: ListenV1;
  /** Flux, Deepgram's turn-based live API. */
  readonly v2: ListenV2;

  constructor(transport: Transport, live?: SocketTarget) {
    this.v1 = new ListenV1(transport, live);
    this.v2 = new ListenV2(live);
  }
}

/** A body fetch can send again on retry. */
export async function replayable(source: AudioSource): Promise<ReplayableBody> {
  if (source instanceof Uint8Array) {
    // fetch only takes views of a plain ArrayBuffer; a view of a SharedArrayBuffer has to be copied out.
    return isBackedByArrayBuffer(source) ? source : new Uint8Array(source);
  }
  if (source instanceof ArrayBuffer || source instanceof Blob) return source;
  return new Response(source).blob();
}

function isBackedByArrayBuffer(bytes: Uint8Array): bytes is Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer;
}
