/**
 * Text to speech with `speak.v1.audio.generate`: the voices come from `/v1/models`, the audio plays while it
 * streams in, and the round trip sends what was just spoken back through `transcribeFile` to compare the words.
 */
import type { ListenResponse, SpeakOptionsInput } from "@earshot/sdk";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { useConsole } from "../app.js";
import { ErrorMessage } from "../components/error-message.js";
import { plainText } from "../components/transcript.js";
import { bytes, ms, percent } from "../lib/format.js";
import { play } from "../lib/stream-player.js";
import { wordErrorRate } from "../lib/wer.js";

const FORMATS: { label: string; options: SpeakOptionsInput; mimeType: string; extension: string }[] = [
  { label: "MP3", options: { encoding: "mp3" }, mimeType: "audio/mpeg", extension: "mp3" },
  {
    label: "WAV (linear16, 24 kHz)",
    options: { encoding: "linear16", container: "wav" },
    mimeType: "audio/wav",
    extension: "wav",
  },
  { label: "Opus (Ogg)", options: { encoding: "opus", container: "ogg" }, mimeType: "audio/ogg", extension: "ogg" },
  { label: "FLAC", options: { encoding: "flac" }, mimeType: "audio/flac", extension: "flac" },
];
const LIMIT = 2000;
const SAMPLE =
  "Earshot runs speech recognition and synthesis on your own machine. Nothing you say here leaves this server.";

interface Spoken {
  text: string;
  blob: Blob;
  url: string;
  name: string;
  voice: string | undefined;
  firstAudio: number;
  total: number;
  streamed: boolean;
  requestId: string | undefined;
}

export function SpeakView() {
  const { client, models, unauthorised } = useConsole();
  const id = useId();
  const [text, setText] = useState(SAMPLE);
  const [voice, setVoice] = useState("");
  const [format, setFormat] = useState(0);
  const [speed, setSpeed] = useState(1);
  const [busy, setBusy] = useState(false);
  const [spoken, setSpoken] = useState<Spoken>();
  const [heard, setHeard] = useState<ListenResponse>();
  const [hearing, setHearing] = useState(false);
  const [error, setError] = useState<unknown>();
  const audio = useRef<HTMLAudioElement>(null);

  useEffect(() => () => spoken && URL.revokeObjectURL(spoken.url), [spoken]);

  const speak = async () => {
    const element = audio.current;
    const chosen = FORMATS[format]!;
    if (!element) return;
    setBusy(true);
    setError(undefined);
    setHeard(undefined);
    const started = performance.now();
    try {
      const response = await client.speak.v1.audio.generate({
        text,
        ...chosen.options,
        ...(voice ? { model: voice } : {}),
        ...(speed !== 1 ? { speed } : {}),
      });
      const firstAudio = (performance.now() - started) / 1000;
      element.hidden = false;
      const playback = play(element, response.stream(), chosen.mimeType);
      const blob = await playback.done;
      setSpoken({
        text,
        blob,
        url: URL.createObjectURL(blob),
        name: `speech.${chosen.extension}`,
        voice: response.modelName,
        firstAudio,
        total: (performance.now() - started) / 1000,
        streamed: playback.streamed,
        requestId: response.requestId,
      });
    } catch (failure) {
      if (!unauthorised(failure)) setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const roundTrip = async () => {
    if (!spoken) return;
    setHearing(true);
    setError(undefined);
    try {
      setHeard(await client.listen.v1.media.transcribeFile(spoken.blob));
    } catch (failure) {
      if (!unauthorised(failure)) setError(failure);
    } finally {
      setHearing(false);
    }
  };

  const voices = models?.tts ?? [];
  return (
    <div class="view speak">
      <p class="lede">Type something and hear it in one of the server's voices, then have it transcribed back.</p>
      <div class="two-columns">
        <div class="stack">
          <div class="field">
            <label for={`${id}-text`}>Text</label>
            <textarea
              id={`${id}-text`}
              rows={6}
              maxLength={LIMIT}
              value={text}
              onInput={(e) => setText(e.currentTarget.value)}
              aria-describedby={`${id}-count`}
            />
            <small id={`${id}-count`} class="muted">
              {[...text].length} / {LIMIT} characters
            </small>
          </div>
          <div class="options-row">
            <div class="field field-wide">
              <label for={`${id}-voice`}>Voice</label>
              <select id={`${id}-voice`} value={voice} onChange={(e) => setVoice(e.currentTarget.value)}>
                <option value="">Server default</option>
                {voices.map((v) => (
                  <option key={v.uuid} value={v.name}>
                    {v.name}
                    {v.metadata.tags.length > 0 && ` (${v.metadata.tags.filter(Boolean).slice(0, 2).join(", ")})`}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for={`${id}-format`}>Format</label>
              <select id={`${id}-format`} value={format} onChange={(e) => setFormat(Number(e.currentTarget.value))}>
                {FORMATS.map((f, i) => (
                  <option key={f.label} value={i}>
                    {f.label}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for={`${id}-speed`}>Speed ({speed.toFixed(2)}×)</label>
              <input
                id={`${id}-speed`}
                type="range"
                min={0.5}
                max={2}
                step={0.05}
                value={speed}
                onInput={(e) => setSpeed(Number(e.currentTarget.value))}
              />
            </div>
          </div>
          <div class="actions">
            <button type="button" class="primary" disabled={busy || !text.trim()} onClick={speak}>
              {busy ? "Speaking…" : "Speak"}
            </button>
            <button type="button" disabled={!spoken || busy || hearing} onClick={roundTrip}>
              {hearing ? "Transcribing…" : "Transcribe what was spoken"}
            </button>
          </div>
          <ErrorMessage error={error} />
        </div>
        <div class="stack result">
          {/* biome-ignore lint/a11y/useMediaCaption: the text it speaks is on the page */}
          <audio ref={audio} class="player" controls hidden />
          {spoken ? (
            <dl class="facts" aria-live="polite">
              <div>
                <dt>Voice</dt>
                <dd>{spoken.voice ?? "—"}</dd>
              </div>
              <div>
                <dt>First audio after</dt>
                <dd>{ms(spoken.firstAudio)}</dd>
              </div>
              <div>
                <dt>All audio after</dt>
                <dd>{ms(spoken.total)}</dd>
              </div>
              <div>
                <dt>Playback</dt>
                <dd>{spoken.streamed ? "while streaming" : "after the last byte"}</dd>
              </div>
              <div>
                <dt>Size</dt>
                <dd>
                  {bytes(spoken.blob.size)} ·{" "}
                  <a href={spoken.url} download={spoken.name}>
                    download
                  </a>
                </dd>
              </div>
            </dl>
          ) : (
            <div class="placeholder">
              <p>The audio plays here as soon as its first sentence arrives.</p>
            </div>
          )}
          {heard && spoken && (
            <section class="round-trip" aria-label="Round trip">
              <h2 class="small-heading">Heard back</h2>
              <blockquote>{plainText(heard) || "(nothing recognised)"}</blockquote>
              <p class="muted">
                Word error rate against the text: {percent(wordErrorRate(spoken.text, plainText(heard)))}
              </p>
            </section>
          )}
        </div>
      </div>
    </div>
  );
}
