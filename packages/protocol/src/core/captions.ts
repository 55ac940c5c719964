/**
 * Subtitles from a transcript: SubRip (`.srt`) and WebVTT (`.vtt`).
 *
 * Cues follow the usual broadcast limits (two lines of 42 characters, 7 seconds on screen) and never span a
 * pause longer than 0.8 s or a change of speaker. Utterances (`utterances=true`) are used when the response has
 * them, because the server already split those at pauses and speakers; otherwise the channel's words are grouped.
 */
import type { ListenResponse, Word } from "../listen/response.js";

export interface CaptionOptions {
  /** The audio channel to caption, for `multichannel` responses. Default 0. */
  channel?: number;
  /** Most characters on one line. Default 42. A single longer word gets a line of its own. */
  lineLength?: number;
  /** Most lines in one cue. Default 2. */
  maxLines?: number;
  /** Most seconds one cue covers. Default 7. */
  maxDuration?: number;
}

interface Cue {
  start: number;
  end: number;
  lines: string[];
  speaker: number | undefined;
}

type Limits = Required<Omit<CaptionOptions, "channel">>;

/** Reading needs a visible break after a pause this long, whatever room the cue still has. */
const PAUSE_SECONDS = 0.8;

/**
 * SubRip text: numbered cues, `00:00:01,234` timestamps. SubRip has no voice tag, so when words carry speakers a
 * `[Speaker N]` line opens each cue where the speaker changes, as Deepgram's caption library writes it. Empty when
 * there is nothing to caption.
 */
export function toSRT(response: ListenResponse, options: CaptionOptions = {}): string {
  return buildCues(response, options)
    .map((cue, index, cues) => {
      const label = cue.speaker !== undefined && cue.speaker !== cues[index - 1]?.speaker;
      const lines = label ? [`[Speaker ${cue.speaker}]`, ...cue.lines] : cue.lines;
      return `${index + 1}\n${timestamp(cue.start, ",")} --> ${timestamp(cue.end, ",")}\n${lines.join("\n")}\n`;
    })
    .join("\n");
}

/** WebVTT text: `WEBVTT` header, `00:00:01.234` timestamps, and `<v Speaker N>` when words carry speakers. */
export function toWebVTT(response: ListenResponse, options: CaptionOptions = {}): string {
  const cues = buildCues(response, options).map((cue) => {
    const text = cue.lines.map(escapeVtt).join("\n");
    const voice = cue.speaker === undefined ? "" : `<v Speaker ${cue.speaker}>`;
    return `${timestamp(cue.start, ".")} --> ${timestamp(cue.end, ".")}\n${voice}${text}\n`;
  });
  return ["WEBVTT\n", ...cues].join("\n");
}

function buildCues(response: ListenResponse, options: CaptionOptions): Cue[] {
  const channel = options.channel ?? 0;
  const limits: Limits = {
    lineLength: options.lineLength ?? 42,
    maxLines: options.maxLines ?? 2,
    maxDuration: options.maxDuration ?? 7,
  };
  const utterances = response.results.utterances?.filter((utterance) => utterance.channel === channel) ?? [];
  if (utterances.length > 0) {
    return utterances.flatMap((utterance) => groupWords(utterance.words, utterance.speaker, limits));
  }
  const words = response.results.channels[channel]?.alternatives[0]?.words ?? [];
  return groupWords(words, undefined, limits);
}

/** Greedy fill: a word joins the current line, else a new line, else a new cue. */
function groupWords(words: Word[], defaultSpeaker: number | undefined, limits: Limits): Cue[] {
  const cues: Cue[] = [];
  let cue: Cue | undefined;
  for (const word of words) {
    const text = (word.punctuated_word ?? word.word).trim();
    if (text === "") continue;
    const speaker = word.speaker ?? defaultSpeaker;
    if (cue !== undefined) {
      const line = cue.lines[cue.lines.length - 1]!;
      const fitsLine = line.length + 1 + text.length <= limits.lineLength;
      const startsNewCue =
        word.start - cue.end > PAUSE_SECONDS ||
        word.end - cue.start > limits.maxDuration ||
        speaker !== cue.speaker ||
        (!fitsLine && cue.lines.length >= limits.maxLines);
      if (!startsNewCue) {
        if (fitsLine) cue.lines[cue.lines.length - 1] = `${line} ${text}`;
        else cue.lines.push(text);
        cue.end = word.end;
        continue;
      }
      cues.push(cue);
    }
    cue = { start: word.start, end: word.end, lines: [text], speaker };
  }
  if (cue !== undefined) cues.push(cue);
  return cues;
}

function timestamp(seconds: number, decimalSeparator: "," | "."): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor(ms / 60_000) % 60;
  const secs = Math.floor(ms / 1000) % 60;
  const pad = (value: number, width = 2) => String(value).padStart(width, "0");
  return `${pad(hours)}:${pad(minutes)}:${pad(secs)}${decimalSeparator}${pad(ms % 1000, 3)}`;
}

/** Cue text is markup in WebVTT; a stray `<` or `&` would start a tag or an entity. */
function escapeVtt(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
