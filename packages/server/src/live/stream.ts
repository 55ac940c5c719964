/**
 * A live stream opened for a WebSocket before its upgrade: the options parsed, the model and capacity settled
 * and the stream's recognisers built, so every refusal is a plain HTTP response (429 at capacity). Deepgram's v1
 * live protocol and Flux both run over this.
 */
import type { LiveEvent, LiveSettings, LiveStream } from "@earshot/engine";
import { isStreamableEncoding } from "@earshot/engine";
import {
  type EarshotError,
  ErrorCode,
  InvalidRequestError,
  type LiveListenOptions,
  wantsDiarization,
} from "@earshot/protocol";
import type { ServerEngine } from "../engine.js";
import { keytermsOf, rawFormatOf, recognitionLanguage } from "../listen/request.js";
import type { UpgradeRequest } from "../ws/upgrade.js";
import type { StreamLimits } from "./limits.js";
import type { StreamInfo } from "./messages.js";

/**
 * Silence that ends an utterance when the client does not set `endpointing`, ms. Deepgram's default is 10 ms,
 * which a 32 ms-window VAD cannot honour without cutting utterances at every pause between words. With 150 ms,
 * end-of-speech → final stays within the 300 ms budget at 8 streams (bench/live: p95 216 ms, against 313 ms with
 * 200 ms) at no WER cost measured over 123 utterances.
 */
export const DEFAULT_ENDPOINTING_MS = 150;

/** Where the stream's callbacks go once the socket exists (nothing is emitted before audio arrives). */
export interface LiveSink {
  event(event: LiveEvent): void;
  error(error: EarshotError): void;
  drain(): void;
  /** Seconds of audio processed so far. */
  progress(seconds: number): void;
}

export interface LiveContext {
  info: StreamInfo;
  stream: LiveStream;
  sink: LiveSink;
  created: Date;
  /** Set once the socket has taken the stream over; before that, a dropped handshake frees it. */
  attached: boolean;
  /** Seconds of audio the stream has decoded so far: what tells a live client from one trickling bytes. */
  decodedSeconds: number;
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
    diarize: wantsDiarization(options) ? { maxSpeakers: options.num_speakers ?? options.max_speakers } : undefined,
    keyterms: keytermsOf(options),
  };
}

export async function openLiveStream(
  engine: ServerEngine,
  limits: StreamLimits,
  options: LiveListenOptions,
  request: UpgradeRequest,
): Promise<LiveContext> {
  const raw = liveRawFormat(options);
  const sink: LiveSink = { event() {}, error() {}, drain() {}, progress() {} };
  let audioChannels = 0;
  // The caller's share first: a key over it is refused even while the server has room.
  const channels = options.multichannel ? (options.channels ?? raw?.channels ?? 1) : 1;
  const release = limits.hold("listen", request.principal, request.raw, channels);
  const stream = await engine
    .openStream(
      {
        model: options.model,
        language: recognitionLanguage(options.language),
        raw,
        multichannel: options.multichannel,
        channels: options.channels,
        settings: settingsOf(options),
      },
      {
        onEvent: (event) => {
          audioChannels = Math.max(audioChannels, event.channel + 1);
          // Until the closing summary, the audio reached so far is what a stream cut short has used.
          if ("end" in event) request.usage.audioSeconds = Math.max(request.usage.audioSeconds ?? 0, event.end);
          sink.event(event);
        },
        onError: (error) => sink.error(error),
        onDrain: () => sink.drain(),
        onProgress: (seconds) => {
          context.decodedSeconds = seconds;
          sink.progress(seconds);
        },
      },
    )
    .catch((err: unknown) => {
      release();
      throw err;
    });
  request.usage.models = [stream.model.name];
  const info: StreamInfo = {
    requestId: request.requestId,
    options,
    model: stream.model,
    aliasOf: stream.aliasOf,
    keyterms: stream.keyterms,
    channels: () => (options.multichannel ? Math.max(1, audioChannels, options.channels ?? 1) : 1),
  };
  // Reserved before the upgrade: if the handshake never completes, the stream must not stay reserved.
  const context: LiveContext = { info, stream, sink, created: new Date(), attached: false, decodedSeconds: 0 };
  const socket = request.raw.socket;
  const onEarlyClose = (): void => {
    if (!context.attached) stream.abort();
  };
  socket.once("close", onEarlyClose);
  if (socket.destroyed) onEarlyClose();
  return context;
}
