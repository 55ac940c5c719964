/**
 * Speakers in a listen response (`diarize`): the words already carry `speaker` and `speaker_confidence` from the
 * engine; utterances are split where the speaker changes and paragraphs are grouped by speaker.
 */
import { buildParagraphs, buildSpeakerParagraphs, type SentenceRange, splitUtterancesBySpeaker } from "@earshot/engine";
import { type ListenOptions, type Paragraphs, type Utterance, type Word, wantsDiarization } from "@earshot/protocol";

/** Whether the response is diarized: asked for, and the words carry speakers (from the engine or the model). */
export const diarized = (options: ListenOptions, channels: Word[][]): boolean =>
  wantsDiarization(options) && channels.some((words) => words.some((w) => w.speaker !== undefined));

/**
 * A channel's paragraphs from the text stage's sentences (pauses when nothing was punctuated): grouped by
 * speaker, "Speaker N:" in their transcript, when diarized.
 */
export const paragraphsOf = (words: Word[], sentences: readonly SentenceRange[], bySpeaker: boolean): Paragraphs =>
  bySpeaker ? buildSpeakerParagraphs(words, sentences) : buildParagraphs(words, sentences);

/** Utterances, also split where the speaker changes and carrying `speaker` when diarized. */
export const utterancesBySpeaker = (utterances: Utterance[], bySpeaker: boolean): Utterance[] =>
  bySpeaker ? splitUtterancesBySpeaker(utterances) : utterances;
