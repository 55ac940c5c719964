/**
 * The microphone, live, through `listen.v1.connect`: its audio is piped into `conn.audio` as linear16, interim
 * text is rewritten in place, finals are committed, and the stream's events (speech started, endpoints,
 * utterance ends, reconnects) are listed as they come. Reconnecting and replaying unconfirmed audio is the
 * SDK's; the page only shows it happening.
 */
import type { LiveConnection, LiveResults, Warning } from "@earshot/sdk";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { useConsole } from "../app.js";
import { ErrorMessage } from "../components/error-message.js";
import { DEFAULT_CHOICES, ListenOptionsForm, toListenOptions } from "../components/listen-options.js";
import { clock, ms } from "../lib/format.js";
import { type Microphone, openMicrophone } from "../lib/microphone.js";

type Phase = "idle" | "starting" | "listening" | "reconnecting" | "finishing";

interface LiveEvent {
  id: number;
  /** Seconds since the stream started, wall clock. */
  at: number;
  kind: string;
  detail: string;
}

interface Line {
  text: string;
  /** The speaker stopped after this final (endpointing): the next final starts a new paragraph. */
  ended: boolean;
}

interface Lag {
  last: number;
  all: number[];
}

const MAX_EVENTS = 50;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

export function LiveView() {
  const { client, models, unauthorised } = useConsole();
  const id = useId();
  const [choices, setChoices] = useState({ ...DEFAULT_CHOICES, utterances: false, paragraphs: false });
  const [interim, setInterim] = useState(true);
  const [vadEvents, setVadEvents] = useState(true);
  const [endpointing, setEndpointing] = useState("300");
  const [utteranceEnd, setUtteranceEnd] = useState("1000");
  const [phase, setPhase] = useState<Phase>("idle");
  const [lines, setLines] = useState<Line[]>([]);
  const [partial, setPartial] = useState("");
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [speaking, setSpeaking] = useState(false);
  const [finalLag, setFinalLag] = useState<Lag>();
  const [interimLag, setInterimLag] = useState<number>();
  const [warnings, setWarnings] = useState<Warning[]>([]);
  const [error, setError] = useState<unknown>();
  const session = useRef<{ mic: Microphone; conn: LiveConnection; startedAt: number } | undefined>(undefined);
  const meter = useRef<HTMLDivElement>(null);

  useEffect(
    () => () => {
      session.current?.mic.stop();
      session.current?.conn.close();
    },
    [],
  );

  // The level meter follows the microphone per animation frame, outside Preact's rendering.
  useEffect(() => {
    if (phase === "idle") return;
    let frame = 0;
    const draw = () => {
      const level = session.current?.mic.level() ?? -100;
      const bar = meter.current;
      if (bar) {
        bar.style.setProperty("--level", String(Math.max(0, (level + 60) / 60)));
        bar.setAttribute("aria-valuenow", String(Math.round(level)));
        bar.setAttribute("aria-valuetext", `${Math.round(level)} dB`);
      }
      frame = requestAnimationFrame(draw);
    };
    draw();
    return () => cancelAnimationFrame(frame);
  }, [phase]);

  const eventCount = useRef(0);
  const log = (kind: string, detail = "") => {
    const startedAt = session.current?.startedAt ?? performance.now();
    const event = { id: eventCount.current++, at: (performance.now() - startedAt) / 1000, kind, detail };
    setEvents((list) => [event, ...list].slice(0, MAX_EVENTS));
  };

  const onResults = (r: LiveResults) => {
    const text = r.channel.alternatives[0]?.transcript ?? "";
    const captured = session.current?.mic.captured() ?? 0;
    // How far behind the live edge of the microphone this result arrived: network, queueing and decoding.
    const lag = Math.max(0, captured - (r.start + r.duration));
    if (!r.is_final) {
      setPartial(text);
      setInterimLag(lag);
      return;
    }
    setPartial("");
    setFinalLag((previous) => ({ last: lag, all: [...(previous?.all ?? []), lag].slice(-100) }));
    if (text) setLines((list) => [...list, { text, ended: r.speech_final }]);
    else if (r.speech_final)
      setLines((list) => list.map((l, i) => (i === list.length - 1 ? { ...l, ended: true } : l)));
    if (r.speech_final) {
      setSpeaking(false);
      log("Endpoint", `speech_final at ${(r.start + r.duration).toFixed(2)} s${r.from_finalize ? " (Finalize)" : ""}`);
    }
  };

  const start = async () => {
    setError(undefined);
    setWarnings([]);
    setPhase("starting");
    let mic: Microphone;
    try {
      mic = await openMicrophone();
    } catch (failure) {
      setError(failure);
      setPhase("idle");
      return;
    }
    const { utterances: _u, paragraphs: _p, ...listen } = toListenOptions(choices);
    const conn = client.listen.v1.connect({
      ...listen,
      encoding: "linear16",
      sample_rate: mic.sampleRate,
      channels: 1,
      interim_results: interim,
      vad_events: vadEvents,
      ...(endpointing.trim() === ""
        ? {}
        : { endpointing: endpointing.trim() === "false" ? false : Number(endpointing) }),
      ...(utteranceEnd.trim() === "" ? {} : { utterance_end_ms: Number(utteranceEnd) }),
    });
    session.current = { mic, conn, startedAt: performance.now() };
    setLines([]);
    setPartial("");
    setEvents([]);
    setFinalLag(undefined);
    setInterimLag(undefined);
    conn.on("open", () => {
      setPhase("listening");
      log("Connected", `${mic.sampleRate} Hz linear16`);
    });
    conn.on("Results", onResults);
    conn.on("SpeechStarted", (e) => {
      setSpeaking(true);
      log("Speech started", `at ${e.timestamp.toFixed(2)} s`);
    });
    conn.on("UtteranceEnd", (e) => {
      setSpeaking(false);
      log("Utterance end", `last word ended at ${e.last_word_end.toFixed(2)} s`);
    });
    conn.on("Metadata", (m) => {
      setWarnings(m.warnings ?? []);
      log("Metadata", `${m.duration.toFixed(1)} s of audio, request ${m.request_id}`);
    });
    conn.on("reconnecting", ({ attempt, code }) => {
      setPhase("reconnecting");
      log("Reconnecting", `attempt ${attempt} after close ${code}; unconfirmed audio will be sent again`);
    });
    // The first message on a new connection means the reconnect worked.
    conn.on("message", () => setPhase((current) => (current === "reconnecting" ? "listening" : current)));
    conn.on("error", (failure) => {
      if (!unauthorised(failure)) setError(failure);
    });
    conn.on("close", ({ code, reason }) => {
      log("Closed", `${code}${reason ? ` ${reason}` : ""}`);
      mic.stop();
      setSpeaking(false);
      setPartial("");
      setPhase("idle");
      session.current = undefined;
    });
    // Closing the microphone's stream finishes the connection: CloseStream, the last finals, Metadata.
    mic.audio.pipeTo(conn.audio).catch(() => {});
  };

  const stop = () => {
    if (!session.current) return;
    setPhase("finishing");
    session.current.mic.stop();
  };

  const running = phase !== "idle";
  const paragraphs: string[][] = [[]];
  for (const line of lines) {
    paragraphs.at(-1)!.push(line.text);
    if (line.ended) paragraphs.push([]);
  }
  return (
    <div class="view live">
      <p class="lede">Speak into the microphone: interim words are rewritten as you go, finals are kept.</p>
      <div class="two-columns">
        <div class="stack">
          <ListenOptionsForm choices={choices} onChange={setChoices} models={models} live disabled={running} />
          <fieldset class="options" disabled={running}>
            <legend>Streaming</legend>
            <div class="flags">
              <label class="check">
                <input type="checkbox" checked={interim} onChange={(e) => setInterim(e.currentTarget.checked)} />
                <span>
                  Interim results <small>words before they are final</small>
                </span>
              </label>
              <label class="check">
                <input type="checkbox" checked={vadEvents} onChange={(e) => setVadEvents(e.currentTarget.checked)} />
                <span>
                  VAD events <small>SpeechStarted</small>
                </span>
              </label>
            </div>
            <div class="field">
              <label for={`${id}-endpointing`}>Endpointing (ms of silence)</label>
              <input
                id={`${id}-endpointing`}
                inputMode="numeric"
                value={endpointing}
                onInput={(e) => setEndpointing(e.currentTarget.value)}
              />
            </div>
            <div class="field">
              <label for={`${id}-utterance-end`}>Utterance end (ms)</label>
              <input
                id={`${id}-utterance-end`}
                inputMode="numeric"
                value={utteranceEnd}
                onInput={(e) => setUtteranceEnd(e.currentTarget.value)}
              />
            </div>
          </fieldset>
          <div class="actions">
            {running ? (
              <button type="button" class="primary danger" onClick={stop} disabled={phase === "finishing"}>
                {phase === "finishing" ? "Finishing…" : "Stop"}
              </button>
            ) : (
              <button type="button" class="primary" onClick={start}>
                Start microphone
              </button>
            )}
          </div>
          <ErrorMessage error={error} />
        </div>
        <div class="stack result">
          <div class="live-bar">
            <span class={`state ${phase}`} role="status">
              {PHASES[phase]}
            </span>
            <span class={`speaking${speaking ? " on" : ""}`} aria-live="polite">
              {speaking ? "speech" : "silence"}
            </span>
            {/* A styled bar redrawn per frame; <meter> looks different in every browser and animates badly. */}
            {/* biome-ignore lint/a11y/useSemanticElements: see above */}
            <div
              class="meter"
              ref={meter}
              role="meter"
              aria-label="Microphone level"
              aria-valuemin={-60}
              aria-valuemax={0}
              aria-valuenow={-60}
            >
              <div class="meter-fill" />
            </div>
          </div>
          <dl class="latency" aria-label="Latency">
            <div>
              <dt>Final latency</dt>
              <dd>{finalLag ? `${ms(finalLag.last)} (median ${ms(median(finalLag.all))})` : "—"}</dd>
            </div>
            <div>
              <dt>Interim latency</dt>
              <dd>{interimLag === undefined ? "—" : ms(interimLag)}</dd>
            </div>
          </dl>
          {warnings.length > 0 && (
            <ul class="warnings" aria-label="Server warnings">
              {warnings.map((w) => (
                <li key={w.parameter}>
                  <strong>{w.parameter}</strong>: {w.message}
                </li>
              ))}
            </ul>
          )}
          <div class="live-text" role="log" aria-live="polite" aria-label="Live transcript">
            {lines.length === 0 && !partial && <p class="muted">Words appear here as they are recognised.</p>}
            {paragraphs.map((p, i) =>
              p.length > 0 || (i === paragraphs.length - 1 && partial) ? (
                <p key={i}>
                  {p.map((text, j) => (
                    <span key={j} class="final">
                      {text}{" "}
                    </span>
                  ))}
                  {i === paragraphs.length - 1 && partial && <span class="interim">{partial}</span>}
                </p>
              ) : null,
            )}
          </div>
          <section aria-label="Stream events">
            <h2 class="small-heading">Events</h2>
            <ol class="events">
              {events.map((e) => (
                <li key={e.id}>
                  <time>{clock(e.at)}</time> <strong>{e.kind}</strong> {e.detail}
                </li>
              ))}
            </ol>
          </section>
        </div>
      </div>
    </div>
  );
}

const PHASES: Record<Phase, string> = {
  idle: "Stopped",
  starting: "Connecting…",
  listening: "Listening",
  reconnecting: "Reconnecting…",
  finishing: "Finishing…",
};
