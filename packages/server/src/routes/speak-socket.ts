/**
 * `GET /v1/speak` as a WebSocket. `Speak` appends text to a buffer; `Flush` queues the
 * buffer for synthesis, and its audio goes out as binary frames, sentence by sentence, followed by
 * `Flushed`; `Clear` drops queued text and stops audio in progress (`Cleared`); `Close` speaks what is left,
 * then closes 1000. `Metadata` is the first message. A malformed message gets a `Warning` and the session
 * carries on, since Deepgram's SDKs reconnect on any close other than 1000. Options, voice and capacity are
 * settled before the upgrade, so a refusal is a plain HTTP response. As Deepgram does, more than 20 Flushes a
 * minute get a Warning (the text stays for a later Flush), and a socket with nothing sent and nothing being
 * spoken for the idle timeout is closed like an idle listen socket (1011, NET-0001): it holds a synthesiser.
 */
import type { InstalledModel, SpeechSession, SpeechSynthesis } from "@earshot/engine";
import {
  type AudioFormat,
  LiveCloseCode,
  LiveCloseReason,
  parseSpeakOptions,
  SPEAK_FLUSH_LIMIT,
  SPEAK_FLUSH_WINDOW_MS,
  SPEAK_TEXT_LIMIT,
  SpeakClearedSchema,
  SpeakClientMessageSchema,
  SpeakFlushedSchema,
  SpeakMetadataSchema,
  SpeakOptionsSchema,
  type SpeakServerMessage,
  SpeakWarningCode,
  SpeakWarningSchema,
} from "@earshot/protocol";
import type { FastifyBaseLogger } from "fastify";
import type { RawData, WebSocket } from "ws";
import { toEarshotError } from "../errors.js";
import type { StreamLimits } from "../live/limits.js";
import type { UsageNote } from "../usage/telemetry.js";
import type { WebSocketRoute } from "../ws/upgrade.js";

interface SpeakContext {
  voice: InstalledModel;
  format: AudioFormat;
  speed: number | undefined;
}

interface FlushJob {
  text: string;
  sequenceId: number;
}

class SpeakConnection {
  private buffer = "";
  private readonly queue: FlushJob[] = [];
  private nextSequence = 0;
  /** Bumped by Clear: audio of an older generation is never sent. */
  private generation = 0;
  private current: AbortController | undefined;
  private running = false;
  private closing = false;
  /** When the recent Flushes arrived, for the rate limit. */
  private flushes: number[] = [];
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly session: SpeechSession,
    private readonly log: FastifyBaseLogger,
    /** Characters synthesised are counted here, for the request log. */
    private readonly usage: UsageNote,
    private readonly idleTimeoutMs: number,
  ) {
    socket.on("message", (data, isBinary) => this.onMessage(data, isBinary));
    socket.on("close", () => this.shutdown());
    socket.on("error", () => this.shutdown());
    this.touch();
  }

  /** Restarts the idle clock; while audio is being spoken the server, not the client, is the one busy. */
  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.running) return this.touch();
      this.log.info("speak socket idle: closing with NET-0001");
      this.socket.close(LiveCloseCode.ServerError, LiveCloseReason.IdleTimeout);
    }, this.idleTimeoutMs);
  }

  /** Whether one more Flush fits in Deepgram's limit of 20 a minute. */
  private flushAllowed(): boolean {
    const now = Date.now();
    this.flushes = this.flushes.filter((at) => now - at < SPEAK_FLUSH_WINDOW_MS);
    if (this.flushes.length >= SPEAK_FLUSH_LIMIT) return false;
    this.flushes.push(now);
    return true;
  }

  send(message: SpeakServerMessage): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private warn(code: string, description: string): void {
    this.send({ type: "Warning", description, code });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closing) return;
    this.touch();
    if (isBinary) {
      this.warn(SpeakWarningCode.InvalidMessage, "Binary frames are not accepted here: send JSON text messages.");
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data.toString());
    } catch {
      this.warn(SpeakWarningCode.InvalidMessage, "The message is not valid JSON.");
      return;
    }
    const parsed = SpeakClientMessageSchema.safeParse(json);
    if (!parsed.success) {
      const type = (json as { type?: unknown } | null)?.type;
      this.warn(
        SpeakWarningCode.InvalidMessage,
        typeof type === "string" && !["Speak", "Flush", "Clear", "Close"].includes(type)
          ? `Unknown message type '${type}': expected Speak, Flush, Clear or Close.`
          : 'Malformed message: expected {"type":"Speak","text":"…"}, {"type":"Flush"}, {"type":"Clear"} or {"type":"Close"}.',
      );
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case "Speak":
        if ([...this.buffer].length + [...message.text].length > SPEAK_TEXT_LIMIT) {
          this.warn(
            SpeakWarningCode.TextLimit,
            `Text dropped: more than ${SPEAK_TEXT_LIMIT} characters would be waiting for one Flush. Send Flush more often.`,
          );
          return;
        }
        this.buffer += message.text;
        return;
      case "Flush":
        if (!this.flushAllowed()) {
          this.warn(
            SpeakWarningCode.FlushLimit,
            `Flush ignored: more than ${SPEAK_FLUSH_LIMIT} Flush messages in ${SPEAK_FLUSH_WINDOW_MS / 1000} s. The text waits for a later Flush.`,
          );
          return;
        }
        this.flush();
        return;
      case "Clear":
        this.generation++;
        this.buffer = "";
        this.queue.length = 0;
        this.current?.abort();
        this.send({ type: "Cleared", sequence_id: Math.max(0, this.nextSequence - 1) });
        return;
      case "Close":
        if (this.buffer.trim() !== "") this.flush();
        this.closing = true;
        if (!this.running) this.socket.close(1000);
        return;
    }
  }

  private flush(): void {
    this.queue.push({ text: this.buffer, sequenceId: this.nextSequence++ });
    this.buffer = "";
    void this.drain();
  }

  /** Speaks queued flushes in order, one at a time. */
  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    for (let job = this.queue.shift(); job; job = this.queue.shift()) {
      const generation = this.generation;
      const controller = new AbortController();
      this.current = controller;
      try {
        if (job.text.trim() !== "") {
          this.usage.characters = (this.usage.characters ?? 0) + [...job.text].length;
          for await (const chunk of this.session.speak(job.text, controller.signal)) {
            if (generation !== this.generation || this.socket.readyState !== this.socket.OPEN) break;
            this.socket.send(chunk);
          }
        }
        if (generation === this.generation) this.send({ type: "Flushed", sequence_id: job.sequenceId });
      } catch (err) {
        if (!controller.signal.aborted) {
          const error = toEarshotError(err);
          this.log.error({ err }, "speech synthesis failed");
          this.warn(SpeakWarningCode.SynthesisFailed, error.message);
        }
      } finally {
        this.current = undefined;
      }
    }
    this.running = false;
    if (this.closing && this.socket.readyState === this.socket.OPEN) this.socket.close(1000);
  }

  private shutdown(): void {
    clearTimeout(this.idleTimer);
    this.closing = true;
    this.queue.length = 0;
    this.current?.abort();
    this.session.close();
  }
}

export function speakSocketRoute(
  speech: SpeechSynthesis,
  options: { log: FastifyBaseLogger; limits: StreamLimits; idleTimeoutMs?: number },
): WebSocketRoute<SpeakContext> {
  const idleTimeoutMs = options.idleTimeoutMs ?? 10_000;
  return {
    path: "/v1/speak",
    docs: {
      summary: "Live text-to-speech",
      description:
        "Speak appends text, Flush synthesises it (binary audio frames, then Flushed), Clear drops what is queued, Close speaks the rest and closes with 1000. Metadata comes first.",
      query: SpeakOptionsSchema,
      send: Object.fromEntries(SpeakClientMessageSchema.options.map((m) => [m.shape.type.value, m])),
      receive: {
        Audio: "binary",
        Metadata: SpeakMetadataSchema,
        Flushed: SpeakFlushedSchema,
        Cleared: SpeakClearedSchema,
        Warning: SpeakWarningSchema,
      },
    },
    prepare(request) {
      const { options: speakOptions, format } = parseSpeakOptions(request.query, "websocket");
      const { voice } = speech.registry.resolveVoice(speakOptions.model);
      options.limits.hold("speak", request.principal, request.raw, 1);
      speech.checkCapacity();
      request.usage.models = [voice.name];
      return { voice, format, speed: speakOptions.speed };
    },
    onConnection(socket: WebSocket, context, request) {
      let session: SpeechSession;
      try {
        session = speech.open(context);
      } catch (err) {
        // Capacity ran out between the check and the upgrade: 1013 is "try again later".
        socket.close(1013, toEarshotError(err).message.slice(0, 120));
        return;
      }
      const connection = new SpeakConnection(socket, session, options.log, request.usage, idleTimeoutMs);
      connection.send({
        type: "Metadata",
        request_id: request.requestId,
        model_name: context.voice.name,
        model_version: context.voice.version,
        model_uuid: context.voice.uuid,
        additional_model_uuids: [],
      });
    },
  };
}
