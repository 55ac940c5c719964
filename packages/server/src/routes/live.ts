/**
 * `GET /v1/listen` as a WebSocket: binary frames are audio, text frames are JSON control messages (`KeepAlive`,
 * `Finalize`, `CloseStream`), and the engine's events go back as Deepgram `Results` / `SpeechStarted` /
 * `UtteranceEnd`, then `Metadata` before a 1000 close. Options, model, capacity and the stream's recognisers are
 * all settled in `prepare`, before the upgrade, so every refusal is a plain HTTP response (429 at capacity).
 *
 * Close codes are protocol's `LiveCloseCode` table. A client that sends faster than the engine decodes is
 * paused at the socket (TCP backpressure) rather than buffered without bound or dropped.
 */
import type { LiveEvent, LiveSettings, LiveStream } from "@earshot/engine";
import { isStreamableEncoding } from "@earshot/engine";
import {
  type EarshotError,
  ErrorCode,
  InvalidRequestError,
  LiveClientMessageSchema,
  LiveCloseCode,
  LiveCloseReason,
  type LiveListenOptions,
  LiveListenOptionsSchema,
  LiveMetadataSchema,
  LiveResultsSchema,
  parseLiveClientMessage,
  parseLiveListenOptions,
  SpeechStartedSchema,
  UtteranceEndSchema,
} from "@earshot/protocol";
import type { FastifyBaseLogger } from "fastify";
import type { RawData, WebSocket } from "ws";
import type { ServerEngine } from "../engine.js";
import { rawFormatOf } from "../listen/request.js";
import { eventMessage, metadataMessage, type StreamInfo } from "../live/messages.js";
import { noteUsage } from "../usage/telemetry.js";
import type { UpgradeRequest, WebSocketRoute } from "../ws/upgrade.js";

export interface LiveRouteOptions {
  /** Close with 1011 NET-0001 after this long without audio or text from the client, ms. */
  idleTimeoutMs?: number;
  log: FastifyBaseLogger;
}

/**
 * Silence that ends an utterance when the client does not set `endpointing`, ms. Deepgram's default is 10 ms,
 * which a 32 ms-window VAD cannot honour without cutting utterances at every pause between words. With 150 ms,
 * end-of-speech → final stays within the 300 ms budget at 8 streams (bench/live: p95 216 ms, against 313 ms with
 * 200 ms) at no WER cost measured over 123 utterances.
 */
const DEFAULT_ENDPOINTING_MS = 150;

interface LiveContext {
  info: StreamInfo;
  stream: LiveStream;
  /** Where the stream's callbacks go once the socket exists (nothing is emitted before audio arrives). */
  sink: { event(event: LiveEvent): void; error(error: EarshotError): void; drain(): void };
  created: Date;
}

/** The pre-recorded raw format, limited to the encodings a live stream can decode as it arrives. */
function liveRawFormat(options: LiveListenOptions) {
  if (options.encoding && !isStreamableEncoding(options.encoding)) {
    throw new InvalidRequestError(
      `encoding=${options.encoding} is not supported for live audio.`,
      ErrorCode.InvalidQuery,
    );
  }
  return rawFormatOf(options);
}

function settingsOf(options: LiveListenOptions): LiveSettings {
  const { endpointing } = options;
  return {
    interimResults: options.interim_results ?? false,
    endpointingMs:
      endpointing === false ? false : typeof endpointing === "number" ? endpointing : DEFAULT_ENDPOINTING_MS,
    utteranceEndMs: options.utterance_end_ms,
    vadEvents: options.vad_events ?? false,
  };
}

export function liveListenRoute(engine: ServerEngine, routeOptions: LiveRouteOptions): WebSocketRoute<LiveContext> {
  const idleTimeoutMs = routeOptions.idleTimeoutMs ?? 10_000;
  return {
    path: "/v1/listen",
    docs: {
      summary: "Live transcription",
      description:
        "Binary frames are audio; KeepAlive, Finalize and CloseStream are the text frames. Results, SpeechStarted and UtteranceEnd come back as they happen, Metadata before the closing 1000.",
      query: LiveListenOptionsSchema,
      send: {
        Audio: "binary",
        ...Object.fromEntries(LiveClientMessageSchema.options.map((m) => [m.shape.type.value, m])),
      },
      receive: {
        Results: LiveResultsSchema,
        SpeechStarted: SpeechStartedSchema,
        UtteranceEnd: UtteranceEndSchema,
        Metadata: LiveMetadataSchema,
      },
    },

    async prepare(request: UpgradeRequest): Promise<LiveContext> {
      const options = parseLiveListenOptions(request.query);
      const raw = liveRawFormat(options);
      const sink: LiveContext["sink"] = { event() {}, error() {}, drain() {} };
      let audioChannels = 0;
      const stream = await engine.openStream(
        {
          model: options.model,
          language: options.language,
          raw,
          multichannel: options.multichannel,
          channels: options.channels,
          settings: settingsOf(options),
        },
        {
          onEvent: (event) => sink.event(event),
          onError: (error) => sink.error(error),
          onDrain: () => sink.drain(),
        },
      );
      const info: StreamInfo = {
        requestId: request.requestId,
        options,
        model: stream.model,
        aliasOf: stream.aliasOf,
        channels: () => (options.multichannel ? Math.max(1, audioChannels, options.channels ?? 1) : 1),
      };
      request.usage.models = [stream.model.name];
      sink.event = (event) => {
        audioChannels = Math.max(audioChannels, event.channel + 1);
        // Until the closing summary, the audio reached so far is what a stream cut short has used.
        if ("end" in event) request.usage.audioSeconds = Math.max(request.usage.audioSeconds ?? 0, event.end);
      };
      // Reserved before the upgrade: if the handshake never completes, the stream must not stay reserved.
      const context: LiveContext = { info, stream, sink, created: new Date() };
      const socket = request.raw.socket;
      const onEarlyClose = (): void => {
        if (!attached.has(context)) stream.abort();
      };
      socket.once("close", onEarlyClose);
      if (socket.destroyed) onEarlyClose();
      return context;
    },

    onConnection(ws: WebSocket, context: LiveContext, request: UpgradeRequest): void {
      attached.add(context);
      const { stream, info } = context;
      const log = routeOptions.log.child({ requestId: info.requestId });
      let state: "open" | "closing" | "closed" = "open";
      let idle: ReturnType<typeof setTimeout> | undefined;
      let paused = false;

      const send = (message: object): void => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      };
      const close = (code: number, reason = ""): void => {
        state = "closed";
        clearTimeout(idle);
        if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
      };
      const touch = (): void => {
        clearTimeout(idle);
        idle = setTimeout(() => {
          // Audio still queued or a paused socket means the server, not the client, is the slow side.
          if (paused || stream.busy) return touch();
          log.info("live stream idle: closing with NET-0001");
          stream.abort();
          close(LiveCloseCode.ServerError, LiveCloseReason.IdleTimeout);
        }, idleTimeoutMs);
      };
      const finish = (): void => {
        if (state !== "open") return;
        state = "closing";
        clearTimeout(idle);
        stream
          .close()
          .then((summary) => {
            noteUsage(request, { audioSeconds: summary.duration, channels: summary.channelCount });
            send(metadataMessage(info, summary, context.created));
            close(LiveCloseCode.Normal);
          })
          // A failure reaches sink.error, which closes the socket with the matching code.
          .catch(() => {});
      };

      const track = context.sink.event;
      context.sink.event = (event) => {
        track(event);
        send(eventMessage(info, event));
      };
      context.sink.error = (error) => {
        if (state === "closed") return;
        const undecodable = error.status < 500;
        if (!undecodable) log.error({ err: error }, "live stream failed");
        close(
          undecodable ? LiveCloseCode.UndecodableAudio : LiveCloseCode.ServerError,
          undecodable ? LiveCloseReason.UndecodableAudio : LiveCloseReason.ServerError,
        );
      };
      context.sink.drain = () => {
        paused = false;
        ws.resume();
      };

      ws.on("message", (data: RawData, isBinary: boolean) => {
        if (state !== "open") return;
        touch();
        const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        if (!isBinary) {
          const message = parseLiveClientMessage(bytes.toString("utf8"));
          if (message?.type === "Finalize") stream.finalize();
          else if (message?.type === "CloseStream") finish();
          else if (!message) log.debug("ignored an unknown text frame");
          return;
        }
        // A zero-length binary frame is the legacy way to say CloseStream.
        if (bytes.byteLength === 0) finish();
        else if (!stream.write(bytes)) {
          paused = true;
          ws.pause();
        }
      });
      ws.on("close", () => {
        clearTimeout(idle);
        if (state !== "closed") stream.abort();
        state = "closed";
      });
      ws.on("error", (err) => log.warn({ err }, "live socket error"));
      touch();
    },
  };
}

const attached = new WeakSet<LiveContext>();
