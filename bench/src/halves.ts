/**
 * The tuning and held-out halves of the shared dev sets, so nothing is reported on the data it was tuned on: the
 * clips of `multi-dev` and `ljspeech-dev` sorted by id and numbered from 1; the odd-numbered ones are the tuning
 * half (`tune`), the even-numbered ones the held-out half (`held-out`). `misc` is never tuned on: it is in the
 * held-out half whole.
 */
import { wordErrorRate } from "@earshot/engine";
import type { Clip } from "./corpus.js";

const TUNED_SETS = new Set(["multi-dev", "ljspeech-dev"]);

/** The clips of one set in `half` (`tune`, `held-out` or `all`): every other clip by sorted id. */
export function splitClips(clips: Clip[], half: string): Clip[] {
  const sorted = [...clips].sort((a, b) => a.id.localeCompare(b.id));
  if (half === "all") return sorted;
  const odd = half === "tune";
  if (!odd && half !== "held-out") throw new Error(`--half must be tune, held-out or all, not ${half}`);
  if (!TUNED_SETS.has(sorted[0]?.set ?? "")) return odd ? [] : sorted;
  return sorted.filter((_, i) => (i % 2 === 0) === odd);
}

/** At most `limit` of `clips`, evenly spaced, so a subset still holds every speaker group. */
export function spread(clips: Clip[], limit: number): Clip[] {
  if (clips.length <= limit) return clips;
  return Array.from({ length: limit }, (_, i) => clips[Math.floor((i * clips.length) / limit)]!);
}

/** multi-dev's speaker groups, from the clip id: LibriSpeech test-other and dev-clean speakers, VCTK readers. */
const TEST_OTHER = new Set(["1688", "1998", "2033", "2414", "2609"]);
export function groupOf(clip: Clip): string | undefined {
  if (clip.set !== "multi-dev") return undefined;
  if (clip.id.startsWith("vctk_")) return "vctk";
  return TEST_OTHER.has(clip.id.split("-")[0]!) ? "test-other" : "dev-clean";
}

/** Who speaks in a clip, from its id: LJ Speech's one reader, a LibriSpeech or VCTK speaker, else the clip itself. */
export function speakerOf(clip: Clip): string {
  if (clip.set === "ljspeech-dev") return "LJ";
  if (clip.id.startsWith("vctk_")) return clip.id.split("_").slice(0, 2).join("_");
  return /^\d+-\d+-\d+$/.test(clip.id) ? clip.id.split("-")[0]! : clip.id;
}

/** The groups a table of `clips` reports on: each set, then multi-dev's speaker groups. */
export function groupsOf(clips: Clip[]): string[] {
  return [...new Set(clips.map((c) => c.set)), ...new Set(clips.map(groupOf).filter((g) => g !== undefined))];
}

/** WER % (two decimals) of each of `groups` over `clips`, the words of clip `i` given by `hypothesisOf`. */
export function werByGroup(clips: Clip[], groups: string[], hypothesisOf: (clip: Clip, i: number) => string): string[] {
  return groups.map((group) => {
    const pairs = clips.flatMap((c, i) =>
      c.set === group || groupOf(c) === group ? [{ reference: c.reference, hypothesis: hypothesisOf(c, i) }] : [],
    );
    return (wordErrorRate(pairs) * 100).toFixed(2);
  });
}
