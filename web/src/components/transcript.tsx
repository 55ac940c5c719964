/**
 * A pre-recorded transcript with its audio: the word being spoken is highlighted as the audio plays, a click on
 * a word plays from there, and each segment's time is a button (the keyboard's way to seek). Segments are the
 * response's paragraphs when it has them, else its utterances, else the words split at long pauses and speaker
 * changes; `punctuated_word` and `speaker` are shown whenever the server returns them.
 */
import { type ListenResponse, toSRT, toWebVTT, type Word } from "@earshot/sdk";
import { Fragment } from "preact";
import { useEffect, useMemo, useRef } from "preact/hooks";
import { clock, ms } from "../lib/format.js";

interface Segment {
  start: number;
  end: number;
  speaker: number | undefined;
  /** Index of the segment's first word in the channel's words. */
  first: number;
  words: Word[];
}

type Bounds = { start: number; end: number; speaker?: number | undefined };

/** A pause this long starts a new segment when the response brings no paragraphs or utterances. */
const PAUSE_SECONDS = 1.5;
export const SPEAKER_COLOURS = 8;

function segmentsOf(response: ListenResponse): Segment[] {
  const alternative = response.results.channels[0]?.alternatives[0];
  const words = alternative?.words ?? [];
  const paragraphs = alternative?.paragraphs?.paragraphs;
  if (paragraphs && paragraphs.length > 0) {
    let first = 0;
    return paragraphs.map((p) => {
      const segment = {
        start: p.start,
        end: p.end,
        speaker: p.speaker,
        first,
        words: words.slice(first, first + p.num_words),
      };
      first += p.num_words;
      return segment;
    });
  }
  const bounds: Bounds[] = response.results.utterances?.filter((u) => u.channel === 0) ?? [];
  if (bounds.length > 0) return byBounds(words, bounds);
  const segments: Segment[] = [];
  words.forEach((word, index) => {
    const last = segments.at(-1);
    const lastWord = last?.words.at(-1);
    if (!last || !lastWord || word.start - lastWord.end >= PAUSE_SECONDS || word.speaker !== last.speaker) {
      segments.push({ start: word.start, end: word.end, speaker: word.speaker, first: index, words: [word] });
    } else {
      last.words.push(word);
      last.end = word.end;
    }
  });
  return segments;
}

/** Words grouped by the segment their start falls in. */
function byBounds(words: Word[], bounds: Bounds[]): Segment[] {
  const segments: Segment[] = bounds.map((b) => ({
    start: b.start,
    end: b.end,
    speaker: b.speaker,
    first: -1,
    words: [],
  }));
  let s = 0;
  words.forEach((word, index) => {
    while (s < segments.length - 1 && word.start >= segments[s + 1]!.start) s++;
    const segment = segments[s]!;
    if (segment.first < 0) segment.first = index;
    segment.words.push(word);
  });
  return segments.filter((segment) => segment.words.length > 0);
}

/** Scrolls the transcript box (never the page) so that `word` is visible. */
function keepInView(container: HTMLElement, word: HTMLElement): void {
  const top = word.offsetTop - container.offsetTop;
  if (top < container.scrollTop || top + word.offsetHeight > container.scrollTop + container.clientHeight) {
    container.scrollTop = top - container.clientHeight / 3;
  }
}

/** The index of the word being spoken at `time`, or -1 between words. */
function wordAt(words: Word[], time: number): number {
  let low = 0;
  let high = words.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const word = words[mid]!;
    if (time < word.start) high = mid - 1;
    else if (time >= word.end) low = mid + 1;
    else return mid;
  }
  return -1;
}

export function plainText(response: ListenResponse): string {
  const alternative = response.results.channels[0]?.alternatives[0];
  return alternative?.paragraphs?.transcript.trim() ?? alternative?.transcript ?? "";
}

function download(name: string, type: string, text: string): { href: string; download: string } {
  return { href: URL.createObjectURL(new Blob([text], { type })), download: name };
}

export function Transcript(props: { response: ListenResponse; audioUrl?: string | undefined; name: string }) {
  const { response, audioUrl } = props;
  const words = response.results.channels[0]?.alternatives[0]?.words ?? [];
  const segments = useMemo(() => segmentsOf(response), [response]);
  const audio = useRef<HTMLAudioElement>(null);
  const text = useRef<HTMLDivElement>(null);
  const stem = props.name.replace(/\.[^.]+$/, "") || "transcript";
  const files = useMemo(
    () => [
      { label: "JSON", ...download(`${stem}.json`, "application/json", JSON.stringify(response, null, 2)) },
      { label: "TXT", ...download(`${stem}.txt`, "text/plain", `${plainText(response)}\n`) },
      { label: "SRT", ...download(`${stem}.srt`, "application/x-subrip", toSRT(response)) },
      { label: "WebVTT", ...download(`${stem}.vtt`, "text/vtt", toWebVTT(response)) },
    ],
    [response, stem],
  );
  useEffect(
    () => () => {
      for (const f of files) URL.revokeObjectURL(f.href);
    },
    [files],
  );

  // A detached element keeps playing, and keeps reading its blob after the view revoked it: stop it and let go of
  // the source when the transcript goes.
  useEffect(() => {
    const element = audio.current;
    return () => {
      // Only on the way out: when the URL changed, the element already plays the new one.
      if (!element || element.getAttribute("src") !== audioUrl) return;
      element.pause();
      element.removeAttribute("src");
      element.load();
    };
  }, [audioUrl]);

  // Highlighting runs per animation frame while playing and touches two elements, never the whole transcript.
  useEffect(() => {
    const element = audio.current;
    const container = text.current;
    if (!element || !container) return;
    let current = -1;
    let frame = 0;
    const mark = () => {
      const index = wordAt(words, element.currentTime);
      if (index !== current) {
        container.querySelector(`[data-i="${current}"]`)?.classList.remove("current");
        const next = container.querySelector(`[data-i="${index}"]`);
        next?.classList.add("current");
        if (next instanceof HTMLElement && !element.paused) keepInView(container, next);
        current = index;
      }
    };
    const loop = () => {
      mark();
      frame = requestAnimationFrame(loop);
    };
    const start = () => {
      cancelAnimationFrame(frame);
      loop();
    };
    const stop = () => {
      cancelAnimationFrame(frame);
      mark();
    };
    element.addEventListener("play", start);
    element.addEventListener("pause", stop);
    element.addEventListener("seeked", mark);
    return () => {
      cancelAnimationFrame(frame);
      element.removeEventListener("play", start);
      element.removeEventListener("pause", stop);
      element.removeEventListener("seeked", mark);
    };
  }, [words]);

  const seek = (time: number) => {
    const element = audio.current;
    if (!element) return;
    element.currentTime = time;
    void element.play().catch(() => {});
  };

  const { metadata } = response;
  const warnings = metadata.warnings ?? [];
  const speakers = new Set(words.map((w) => w.speaker).filter((s) => s !== undefined));
  return (
    <section class="transcript" aria-label="Transcript">
      {warnings.length > 0 && (
        <ul class="warnings" aria-label="Server warnings">
          {warnings.map((w) => (
            <li key={w.parameter + w.type}>
              <strong>{w.parameter}</strong>: {w.message}
            </li>
          ))}
        </ul>
      )}
      {audioUrl && (
        // biome-ignore lint/a11y/useMediaCaption: the transcript below is the caption, and downloadable as WebVTT
        <audio ref={audio} class="player" controls preload="metadata" src={audioUrl} />
      )}
      <div class="transcript-meta">
        <span>
          {clock(metadata.duration)} of audio · {words.length} words
          {speakers.size > 0 && ` · ${speakers.size} speakers`} · {metadata.models.length > 0 && modelName(response)}
        </span>
        <nav class="downloads" aria-label="Download the transcript">
          {files.map((f) => (
            <a key={f.label} class="button small" href={f.href} download={f.download}>
              {f.label}
            </a>
          ))}
        </nav>
      </div>
      {/* One listener for every word. Words are not tab stops (hundreds would be); the keyboard seeks with each
          segment's time button, and the audio element's own controls. */}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: see above */}
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: see above */}
      <div
        class="transcript-text"
        ref={text}
        onClick={(e) => {
          const index = (e.target as HTMLElement).dataset?.i;
          const word = index === undefined ? undefined : words[Number(index)];
          if (word) seek(word.start);
        }}
      >
        {segments.length === 0 && <p class="muted">No speech was recognised.</p>}
        {segments.map((segment) => (
          <div
            key={segment.first}
            class={`segment${segment.speaker === undefined ? "" : ` speaker-${segment.speaker % SPEAKER_COLOURS}`}`}
          >
            <div class="segment-head">
              <button
                type="button"
                class="time"
                disabled={!audioUrl}
                aria-label={`Play from ${clock(segment.start)}`}
                onClick={() => seek(segment.start)}
              >
                {clock(segment.start)}
              </button>
              {segment.speaker !== undefined && <span class="speaker">Speaker {segment.speaker}</span>}
            </div>
            <p>
              {segment.words.map((word, i) => (
                <Fragment key={segment.first + i}>
                  <span
                    data-i={segment.first + i}
                    class={word.confidence < 0.5 ? "word unsure" : "word"}
                    title={`${clock(word.start)} · ${ms(word.end - word.start)} · confidence ${word.confidence.toFixed(2)}`}
                  >
                    {word.punctuated_word ?? word.word}
                  </span>{" "}
                </Fragment>
              ))}
            </p>
          </div>
        ))}
      </div>
    </section>
  );
}

function modelName(response: ListenResponse): string {
  const info = Object.values(response.metadata.model_info)[0];
  return info ? `${info.name} (${info.arch})` : response.metadata.models[0]!;
}
