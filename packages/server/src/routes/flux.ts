/**
 * Deepgram's Flux, `GET /v2/listen` as a WebSocket: turn-based live transcription for voice agents. The query
 * maps onto a v1 live stream (interim results, voice activity events, the default endpointing), whose messages
 * feed the {@link TurnTracker}; its reports go out as `TurnInfo`. Every message the server sends is numbered
 * (`sequence_id`, from 0, `Connected` first). Client messages: `Configure` (thresholds and keyterms, answered
 * with `ConfigureSuccess` or `ConfigureFailure`), `ForceEndTurn` (and v1's `Finalize`, taken the same way),
 * `KeepAlive`, `CloseStream` (the audio sent is decoded, its `Update`s sent, and the socket closes without a
 * status, as Flux does). A fatal problem is an `Error` message, then the close.
 */
import {
  type EarshotError,
  ErrorCode,
  FluxClientMessageSchema,
  FluxConfigureFailureSchema,
  FluxConfigureSchema,
  FluxConfigureSuccessSchema,
  FluxConnectedSchema,
  FluxErrorSchema,
  type FluxListenOptions,
  FluxListenOptionsSchema,
  type FluxServerMessage,
  type FluxTurnInfo,
  FluxTurnInfoSchema,
  InvalidRequestError,
  LiveCloseCode,
  LiveCloseReason,
  parseFluxClientMessage,
  parseFluxListenOptions,
  parseLiveListenOptions,
} from "@earshot/protocol";
import type { FastifyBaseLogger } from "fastify";
import type { WebSocket } from "ws";
import type { ServerEngine } from "../engine.js";
import { type TurnReport, type TurnThresholds, TurnTracker } from "../flux/turns.js";
import { keytermsOf } from "../listen/request.js";
import { vendorModel } from "../listen/vendor-model.js";
import type { StreamLimits } from "../live/limits.js";
import { eventMessage } from "../live/messages.js";
import { LiveSocket } from "../live/socket.js";
import { type LiveContext, openLiveStream } from "../live/stream.js";
import type { UpgradeRequest, WebSocketRoute } from "../ws/upgrade.js";

export interface FluxRouteOptions {
  /** Close after this long without audio or text from the client, ms. */
  idleTimeoutMs?: number;
  log: FastifyBaseLogger;
  limits: StreamLimits;
}

interface FluxContext extends LiveContext {
  flux: FluxListenOptions;
}

/** Flux's options as the v1 live stream underneath takes them. */
function liveQueryOf(flux: FluxListenOptions, engine: ServerEngine): Record<string, unknown> {
  const model = vendorModel(engine, flux.model);
  if (flux.model === "flux-general-multi") {
    const { model: served } = engine.registry.resolve(model);
    if (new Set(served.languages.map((l) => l.split("-")[0])).size < 2) {
      throw new InvalidRequestError(
        `flux-general-multi needs a multilingual model; the installed ${served.name} speaks ${served.languages.join(", ")}. Use flux-general-en.`,
        ErrorCode.InvalidQuery,
      );
    }
  }
  return {
    ...(model ? { model } : {}),
    ...(flux.encoding ? { encoding: flux.encoding, sample_rate: String(flux.sample_rate) } : {}),
    interim_results: "true",
    vad_events: "true",
    ...(flux.keyterm ? { keyterm: flux.keyterm } : {}),
    ...(flux.numerals !== undefined ? { numerals: String(flux.numerals) } : {}),
    ...(flux.profanity_filter !== undefined ? { profanity_filter: String(flux.profanity_filter) } : {}),
    ...(flux.redact ? { redact: flux.redact } : {}),
    ...(flux.tag ? { tag: flux.tag } : {}),
  };
}

const thresholdsOf = (flux: FluxListenOptions): TurnThresholds => ({
  eot: flux.eot_threshold,
  eager: flux.eager_eot_threshold,
  timeoutMs: flux.eot_timeout_ms,
});

export function fluxListenRoute(engine: ServerEngine, routeOptions: FluxRouteOptions): WebSocketRoute<FluxContext> {
  const idleTimeoutMs = routeOptions.idleTimeoutMs ?? 10_000;
  return {
    path: "/v2/listen",
    docs: {
      summary: "Flux: turn-based live transcription",
      description:
        "Binary frames are audio; Configure, ForceEndTurn, Finalize, KeepAlive and CloseStream are the text frames. Connected first, then TurnInfo events (StartOfTurn, Update, EagerEndOfTurn, TurnResumed, EndOfTurn).",
      query: FluxListenOptionsSchema,
      send: {
        Audio: "binary",
        ...Object.fromEntries(FluxClientMessageSchema.options.map((m) => [m.shape.type.value, m])),
      },
      receive: {
        Connected: FluxConnectedSchema,
        TurnInfo: FluxTurnInfoSchema,
        ConfigureSuccess: FluxConfigureSuccessSchema,
        ConfigureFailure: FluxConfigureFailureSchema,
        Error: FluxErrorSchema,
      },
    },

    async prepare(request: UpgradeRequest): Promise<FluxContext> {
      const flux = parseFluxListenOptions(request.query);
      const live = parseLiveListenOptions(liveQueryOf(flux, engine));
      return { ...(await openLiveStream(engine, routeOptions.limits, live, request)), flux };
    },

    onConnection(ws: WebSocket, context: FluxContext): void {
      const { stream, info, flux } = context;
      const requestId = info.requestId;
      const log = routeOptions.log.child({ requestId });
      const tracker = new TurnTracker(thresholdsOf(flux));
      let sequence = 0;
      const send = (message: FluxServerMessage): void => socket.send(message);
      const next = (): number => sequence++;
      const turnInfo = (report: TurnReport): FluxTurnInfo => ({
        type: "TurnInfo",
        request_id: requestId,
        sequence_id: next(),
        event: report.event,
        turn_index: report.turnIndex,
        audio_window_start: report.windowStart,
        audio_window_end: report.windowEnd,
        transcript: report.words.map((w) => w.punctuated_word ?? w.word).join(" "),
        words: report.words.map((w) => ({
          word: w.punctuated_word ?? w.word,
          confidence: w.confidence,
          start: w.start,
          end: w.end,
        })),
        end_of_turn_confidence: report.confidence,
        ...(report.trigger ? { trigger: report.trigger } : {}),
      });
      const emit = (reports: TurnReport[]): void => {
        for (const report of reports) send(turnInfo(report));
      };
      const fail = (code: string, description: string, close: number, reason: string): void => {
        if (socket.state === "closed") return;
        send({ type: "Error", sequence_id: next(), code, description });
        socket.close(close, reason);
      };
      /** A `Configure` applies whole or not at all; either way it gets exactly one answer. */
      const configure = (message: unknown): FluxServerMessage => {
        const failure = (description: string): FluxServerMessage => ({
          type: "ConfigureFailure",
          request_id: requestId,
          sequence_id: next(),
          description,
        });
        const parsed = FluxConfigureSchema.safeParse(message);
        if (!parsed.success) {
          return failure(parsed.error.issues.map((i) => `${i.path.join(".") || "message"}: ${i.message}`).join("; "));
        }
        const { thresholds, keyterms: replaced, language_hints: hints } = parsed.data;
        if (hints?.length && flux.model !== "flux-general-multi") {
          return failure("language_hints apply to flux-general-multi only.");
        }
        const updated = { ...flux, ...thresholds };
        if (updated.eager_eot_threshold !== undefined && updated.eager_eot_threshold > updated.eot_threshold) {
          return failure(
            `eager_eot_threshold (${updated.eager_eot_threshold}) must not be above eot_threshold (${updated.eot_threshold}).`,
          );
        }
        Object.assign(flux, thresholds);
        tracker.configure(thresholdsOf(flux));
        if (replaced) {
          flux.keyterm = info.options.keyterm = replaced;
          stream.configure(keytermsOf(info.options));
        }
        return {
          type: "ConfigureSuccess",
          request_id: requestId,
          sequence_id: next(),
          thresholds: {
            eot_threshold: flux.eot_threshold,
            eot_timeout_ms: flux.eot_timeout_ms,
            ...(flux.eager_eot_threshold === undefined ? {} : { eager_eot_threshold: flux.eager_eot_threshold }),
          },
          keyterms: flux.keyterm ?? [],
        };
      };
      const finish = (): void =>
        socket.finish(() => {
          emit(tracker.flush());
          socket.close();
        });

      const socket: LiveSocket = new LiveSocket(
        ws,
        context,
        { idleTimeoutMs, log },
        {
          control(text) {
            const message = parseFluxClientMessage(text);
            if (!message) {
              fail(
                "UNPARSABLE_CLIENT_MESSAGE",
                `Not a Flux control message: ${text.slice(0, 200)}`,
                LiveCloseCode.UndecodableAudio,
                "UNPARSABLE_CLIENT_MESSAGE",
              );
            } else if (message.type === "CloseStream") finish();
            else if (message.type === "ForceEndTurn" || message.type === "Finalize") {
              if (tracker.forceEnd()) stream.finalize();
            } else if (message.type === "Configure") send(configure(message));
          },
          closeStream: finish,
          idle() {
            log.info("flux stream idle: closing with NET-0001");
            fail(
              LiveCloseReason.IdleTimeout,
              `No audio or message for ${idleTimeoutMs / 1000} s.`,
              LiveCloseCode.ServerError,
              LiveCloseReason.IdleTimeout,
            );
          },
        },
      );
      context.sink.event = (event) => {
        const message = eventMessage(info, event);
        if (message.type === "Results") emit(tracker.results(message));
        else if (message.type === "SpeechStarted") emit(tracker.speechStarted(message));
      };
      context.sink.progress = (seconds) => emit(tracker.advance(seconds));
      context.sink.error = (error: EarshotError) => {
        const undecodable = error.status < 500;
        if (!undecodable) log.error({ err: error }, "flux stream failed");
        fail(
          undecodable ? LiveCloseReason.UndecodableAudio : LiveCloseReason.ServerError,
          error.message,
          undecodable ? LiveCloseCode.UndecodableAudio : LiveCloseCode.ServerError,
          undecodable ? LiveCloseReason.UndecodableAudio : LiveCloseReason.ServerError,
        );
      };
      send({ type: "Connected", request_id: requestId, sequence_id: next() });
    },
  };
}
