/**
 * Text-to-speech at the same paths in the client tree as Deepgram's v5 SDK: `client.speak.v1.audio.generate`
 * (`POST /v1/speak`, speech-apis.md §1.5) and `client.speak.v1.connect` (the WebSocket, §1.6).
 */
import type { SpeakOptionsInput } from "@earshot/protocol";
import { toQuery } from "@earshot/protocol/core";
import type { APIPromise } from "../core/api-promise.js";
import { requestIdOf } from "../core/errors.js";
import type { RequestOptions, Transport } from "../core/request.js";
import type { SocketTarget } from "../core/websocket.js";
import { type SpeakConnectOptions, SpeakSocket } from "../speak/socket.js";

export interface SpeakGenerateParams extends SpeakOptionsInput {
  /** What to say; at most 2000 characters per request. */
  text: string;
}

/**
 * The audio of one `generate` call, streamed as the server synthesises it. Read it once, in one of the ways
 * below (like a fetch Response, whose body it is).
 */
export class SpeakResponse implements AsyncIterable<Uint8Array> {
  readonly headers: Headers;
  /** e.g. `audio/mpeg`, `audio/wav`, `application/octet-stream` for raw PCM. */
  readonly contentType: string;
  readonly requestId: string | undefined;
  /** The voice that spoke (`dg-model-name`). */
  readonly modelName: string | undefined;
  /** Characters the server counted (`dg-char-count`). */
  readonly charCount: number | undefined;
  readonly #response: Response;

  constructor(response: Response) {
    this.#response = response;
    this.headers = response.headers;
    this.contentType = response.headers.get("content-type") ?? "application/octet-stream";
    this.requestId = requestIdOf(response.headers);
    this.modelName = response.headers.get("dg-model-name") ?? undefined;
    const chars = response.headers.get("dg-char-count");
    this.charCount = chars === null ? undefined : Number(chars);
  }

  /** The audio as a Web stream; the first chunk arrives after the first sentence is synthesised. */
  stream(): ReadableStream<Uint8Array> {
    return this.#response.body ?? new Blob([]).stream();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    const reader = this.stream().getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }

  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.#response.arrayBuffer());
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#response.arrayBuffer();
  }

  blob(): Promise<Blob> {
    return this.#response.blob();
  }
}

export class SpeakAudio {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Synthesise `text`. Resolves when the audio starts arriving (errors such as a 400 for a bad encoding come
   * before that and reject); the returned response streams the rest.
   *
   * @example
   * const audio = await client.speak.v1.audio.generate({ text: "Hello!", model: "aura-2-thalia-en", encoding: "linear16", container: "wav" });
   * await writeFile("hello.wav", await audio.bytes());
   */
  generate({ text, ...options }: SpeakGenerateParams, requestOptions: RequestOptions = {}): APIPromise<SpeakResponse> {
    return this.#transport.request(
      {
        method: "POST",
        path: "/v1/speak",
        query: toQuery(options),
        body: JSON.stringify({ text }),
        headers: { "content-type": "application/json", accept: "audio/*, application/octet-stream" },
      },
      requestOptions,
      async (response) => new SpeakResponse(response),
    );
  }
}

export class SpeakV1 {
  readonly audio: SpeakAudio;
  readonly #target: SocketTarget;

  constructor(transport: Transport, target: SocketTarget) {
    this.audio = new SpeakAudio(transport);
    this.#target = target;
  }

  /**
   * Open a live text-to-speech connection. It connects at once; attach listeners right away.
   *
   * @example
   * const socket = client.speak.v1.connect({ model: "aura-2-thalia-en", encoding: "linear16", sample_rate: 16000 });
   * socket.sendText("Hello there. How are you?");
   * socket.flush();
   * void socket.close();
   * for await (const chunk of socket) player.write(chunk);
   */
  connect(options: SpeakConnectOptions = {}): SpeakSocket {
    return new SpeakSocket(this.#target, options);
  }
}

export class Speak {
  readonly v1: SpeakV1;

  constructor(transport: Transport, target: SocketTarget) {
    this.v1 = new SpeakV1(transport, target);
  }
}
