/**
 * Deepgram's speaker-aware `utterances` and `paragraphs`, built on the pause-based ones of `text/words.ts`:
 * with `diarize`, an utterance also ends where the speaker changes and carries `speaker`, and paragraphs are
 * grouped by speaker, their transcript in "Speaker 0: …" lines as Deepgram prints them.
 */
import { randomUUID } from "node:crypto";
import type { Paragraphs, Utterance, Word } from "@earshot/protocol";
import type { SentenceRange } from "../text/format.js";
import { buildParagraphs, confidenceOf, transcriptOf } from "../text/words.js";

/** [start, end) indices of the runs of consecutive words with the same speaker. */
function speakerRuns(words: Word[]): { start: number; end: number; speaker: number }[] {
  const runs: { start: number; end: number; speaker: number }[] = [];
  for (const [i, word] of words.entries()) {
    const speaker = word.speaker ?? 0;
    const run = runs[runs.length - 1];
    if (run && run.speaker === speaker) run.end = i + 1;
    else runs.push({ start: i, end: i + 1, speaker });
  }
  return runs;
}

/** Utterances split where the speaker changes, each with its `speaker`. */
export function splitUtterancesBySpeaker(utterances: Utterance[]): Utterance[] {
  return utterances.flatMap((utterance) => {
    const runs = speakerRuns(utterance.words);
    if (runs.length <= 1) return [{ ...utterance, speaker: runs[0]?.speaker ?? 0 }];
    return runs.map(({ start, end, speaker }) => {
      const words = utterance.words.slice(start, end);
      return {
        start: words[0]!.start,
        end: words[words.length - 1]!.end,
        confidence: confidenceOf(words),
        channel: utterance.channel,
        transcript: transcriptOf(words),
        words,
        speaker,
        id: randomUUID(),
      };
    });
  });
}

/**
 * Paragraphs that never mix speakers: each run of one speaker's words is cut into paragraphs as usual (at the
 * punctuated sentences when `sentenceRanges` are given, clipped to the run). Each paragraph has its `speaker`.
 */
export function buildSpeakerParagraphs(words: Word[], sentenceRanges?: readonly SentenceRange[]): Paragraphs {
  const paragraphs: Paragraphs["paragraphs"] = [];
  for (const run of speakerRuns(words)) {
    const ranges = sentenceRanges
      ?.filter((r) => r.end > run.start && r.start < run.end)
      .map((r) => ({
        ...r,
        start: Math.max(r.start, run.start) - run.start,
        end: Math.min(r.end, run.end) - run.start,
      }));
    const built = buildParagraphs(words.slice(run.start, run.end), ranges);
    for (const paragraph of built.paragraphs) paragraphs.push({ ...paragraph, speaker: run.speaker });
  }
  const transcript = paragraphs
    .map((p) => `\nSpeaker ${p.speaker}: ${p.sentences.map((s) => s.text).join(" ")}`)
    .join("\n");
  return { transcript, paragraphs };
}
