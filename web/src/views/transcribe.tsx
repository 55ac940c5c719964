/** Transcribe one file with `listen.v1.media.transcribeFile`, its progress shown as the server decodes. */
import type { ListenResponse } from "@earshot/sdk";
import { useEffect, useRef, useState } from "preact/hooks";
import { useConsole } from "../app.js";
import { DropZone } from "../components/drop-zone.js";
import { ErrorMessage, wasCancelled } from "../components/error-message.js";
import { DEFAULT_CHOICES, ListenOptionsForm, toListenOptions } from "../components/listen-options.js";
import { Transcript } from "../components/transcript.js";
import { bytes, percent } from "../lib/format.js";

interface Outcome {
  response: ListenResponse;
  /** Wall-clock seconds from upload to answer. */
  elapsed: number;
}

export function TranscribeView() {
  const { client, models, unauthorised } = useConsole();
  const [choices, setChoices] = useState(DEFAULT_CHOICES);
  const [file, setFile] = useState<File>();
  const [audioUrl, setAudioUrl] = useState<string>();
  /** undefined: idle; null: uploading (no fraction yet); a number: decoding. */
  const [progress, setProgress] = useState<number | null>();
  const [outcome, setOutcome] = useState<Outcome>();
  const [error, setError] = useState<unknown>();
  const abort = useRef<AbortController | undefined>(undefined);

  useEffect(() => () => abort.current?.abort(), []);
  useEffect(() => () => audioUrl && URL.revokeObjectURL(audioUrl), [audioUrl]);

  const pick = ([picked]: File[]) => {
    if (!picked) return;
    abort.current?.abort();
    setFile(picked);
    setAudioUrl(URL.createObjectURL(picked));
    setOutcome(undefined);
    setError(undefined);
    setProgress(undefined);
  };

  const transcribe = async () => {
    if (!file) return;
    const controller = new AbortController();
    abort.current = controller;
    setOutcome(undefined);
    setError(undefined);
    setProgress(null);
    const started = performance.now();
    try {
      const response = await client.listen.v1.media.transcribeFile(file, toListenOptions(choices), {
        signal: controller.signal,
        onProgress: (fraction) => setProgress(fraction),
      });
      setOutcome({ response, elapsed: (performance.now() - started) / 1000 });
    } catch (failure) {
      if (!wasCancelled(failure) && !unauthorised(failure)) setError(failure);
    } finally {
      if (abort.current === controller) setProgress(undefined);
    }
  };

  const running = progress !== undefined;
  return (
    <div class="view transcribe">
      <p class="lede">
        Drop a recording in any container the server decodes (WAV, MP3, FLAC, Ogg, WebM, M4A, …) and read it back with
        the audio.
      </p>
      <div class="two-columns">
        <div class="stack">
          <DropZone onFiles={pick} disabled={running}>
            <strong>{file ? file.name : "Choose an audio file"}</strong>
            <span>{file ? bytes(file.size) : "or drop it here"}</span>
          </DropZone>
          <ListenOptionsForm choices={choices} onChange={setChoices} models={models} disabled={running} />
          <div class="actions">
            <button type="button" class="primary" disabled={!file || running} onClick={transcribe}>
              Transcribe
            </button>
            {running && (
              <button type="button" onClick={() => abort.current?.abort()}>
                Cancel
              </button>
            )}
          </div>
          {running && (
            <div class="progress" aria-live="polite">
              <label for="transcribe-progress">
                {progress === null ? "Uploading…" : `Transcribing… ${percent(progress)}`}
              </label>
              <progress id="transcribe-progress" max={1} value={progress ?? undefined} />
            </div>
          )}
          <ErrorMessage error={error} />
        </div>
        <div class="stack result">
          {outcome && file ? (
            <>
              <p class="muted" aria-live="polite">
                Transcribed in {outcome.elapsed.toFixed(1)} s (
                {(outcome.response.metadata.duration / Math.max(outcome.elapsed, 0.001)).toFixed(1)}× real time).
              </p>
              <Transcript response={outcome.response} audioUrl={audioUrl} name={file.name} />
            </>
          ) : (
            <div class="placeholder">
              <p>
                The transcript appears here, with the audio: the word being spoken is highlighted, a click on a word
                plays from it.
              </p>
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
