/**
 * `GET /v1/listen` as a WebSocket: binary frames are audio, text frames are JSON control messages (`KeepAlive`,
 * `Finalize`, `CloseStream`, `Configure`), and the engine's events go back as Deepgram `Results` /
 * `SpeechStarted` / `UtteranceEnd`, then `Metadata` before a 1000 close. Options, model, capacity and the
 * stream's recognisers are all settled in `prepare`, before the upgrade, so every refusal is a plain HTTP
 * response (429 at capacity).
 *
 * Close codes are protocol's `LiveCloseCode` table.
 */
import {
  LIVE_CONFIGURABLE_FEATURES,
  LiveClientMessageSchema,
  LiveCloseCode,
  LiveCloseReason,
  type LiveConfigurableFeature,
  LiveConfigureSchema,
  type LiveConfigureSuccess,
  LiveListenOptionsSchema,
  LiveMetadataSchema,
  LiveResultsSchema,
  parseLiveClientMessage,
  parseLiveListenOptions,
  SpeechStartedSchema,
  UtteranceEndSchema,
} from "@earshot/protocol";
import type { FastifyBaseLogger } from "fastify";
import type { WebSocket } from "ws";
import type { ServerEngine } from "../engine.js";
import { checkTextOptions, keytermsOf } from "../listen/request.js";
import type { StreamLimits } from "../live/limits.js";
import { eventMessage, metadataMessage } from "../live/messages.js";
import { LiveSocket } from "../live/socket.js";
import { type LiveContext, openLiveStream } from "../live/stream.js";
import { noteUsage } from "../usage/telemetry.js";
import type { UpgradeRequest, WebSocketRoute } from "../ws/upgrade.js";

export interface LiveRouteOptions {
  /** Close with 1011 NET-0001 after this long without audio or text from the client, ms. */
  idleTimeoutMs?: number;
  log: FastifyBaseLogger;
  limits: StreamLimits;
}

/**
 * `Configure` (sent by Deepgram's 2026 SDKs): the new keyterms and features replace the stream's, so the
 * results and the closing `Metadata` (which lists what is not implemented) follow them from here on — new
 * keyterms from each channel's next utterance, since the one in progress is being decoded with the old ones.
 * Answered with one `ConfigureSuccess` saying what is in effect, or a `ConfigureFailure` leaving the stream as
 * it was.
 */
function configure({ info, stream }: LiveContext, message: unknown): object {
  const parsed = LiveConfigureSchema.safeParse(message);
  if (!parsed.success) {
    return {
      type: "ConfigureFailure",
      request_id: info.requestId,
      description: parsed.error.issues.map((i) => `${i.path.join(".") || "message"}: ${i.message}`).join("; "),
    };
  }
  const { keyterms, features } = parsed.data;
  const options = info.options;
  if (keyterms !== undefined && keyterms !== null) {
    options.keyterm = keyterms;
    stream.configure(keytermsOf(options));
  }
  for (const [feature, on] of Object.entries(features ?? {})) options[feature as LiveConfigurableFeature] = on;
  const success: LiveConfigureSuccess = {
    type: "ConfigureSuccess",
    request_id: info.requestId,
    keyterms: options.keyterm ?? [],
    features: Object.fromEntries(LIVE_CONFIGURABLE_FEATURES.map((feature) => [feature, options[feature] ?? false])),
  };
  return success;
}

export function liveListenRoute(engine: ServerEngine, routeOptions: LiveRouteOptions): WebSocketRoute<LiveContext> {
  const idleTimeoutMs = routeOptions.idleTimeoutMs ?? 10_000;
  return {
    path: "/v1/listen",
    docs: {
      summary: "Live transcription",
      description:
        "Binary frames are audio; KeepAlive, Finalize, CloseStream and Configure are the text frames. Results, SpeechStarted and UtteranceEnd come back as they happen, Metadata before the closing 1000.",
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

    prepare: (request: UpgradeRequest) =>
      openLiveStream(engine, routeOptions.limits, checkTextOptions(parseLiveListenOptions(request.query)), request),

    onConnection(ws: WebSocket, context: LiveContext, request: UpgradeRequest): void {
      const { stream, info } = context;
      const log = routeOptions.log.child({ requestId: info.requestId });
      const finish = (): void =>
        socket.finish((summary) => {
          noteUsage(request, { audioSeconds: summary.duration, channels: summary.channelCount });
          socket.send(metadataMessage(info, summary, context.created));
          socket.close(LiveCloseCode.Normal);
        });
      const socket: LiveSocket = new LiveSocket(
        ws,
        context,
        { idleTimeoutMs, log },
        {
          control(text) {
            const message = parseLiveClientMessage(text);
            if (message?.type === "Finalize") stream.finalize();
            else if (message?.type === "CloseStream") finish();
            else if (message?.type === "Configure") socket.send(configure(context, message));
            else if (!message) log.debug("ignored an unknown text frame");
          },
          closeStream: finish,
          idle() {
            log.info("live stream idle: closing with NET-0001");
            socket.close(LiveCloseCode.ServerError, LiveCloseReason.IdleTimeout);
          },
        },
      );
      context.sink.event = (event) => socket.send(eventMessage(info, event));
      context.sink.error = (error) => {
        if (socket.state === "closed") return;
        const undecodable = error.status < 500;
        if (!undecodable) log.error({ err: error }, "live stream failed");
        socket.close(
          undecodable ? LiveCloseCode.UndecodableAudio : LiveCloseCode.ServerError,
          undecodable ? LiveCloseReason.UndecodableAudio : LiveCloseReason.ServerError,
        );
      };
    },
  };
}
