/**
 * Diarization scoring as NIST's md-eval does it: diarization error rate = (missed speech + false alarm +
 * speaker confusion) / reference speech, with the hypothesis speakers mapped one-to-one onto the reference ones so
 * that their common time is largest, and a collar (0.25 s) either side of every reference boundary left unscored.
 * Overlapped speech counts once per speaker. Time is scored in 10 ms steps.
 */

export interface Segment {
  speaker: string | number;
  /** Seconds. */
  start: number;
  end: number;
}

export interface DiarizationError {
  /** Scored reference speech, seconds (per speaker, so overlaps count twice). */
  speech: number;
  missed: number;
  falseAlarm: number;
  confusion: number;
  /** (missed + falseAlarm + confusion) / speech. */
  der: number;
  referenceSpeakers: number;
  hypothesisSpeakers: number;
}

const STEP = 0.01;

/**
 * Best one-to-one assignment of rows to columns maximising the summed weight (Hungarian method, O(n²m)).
 * Returns, per row, its column or -1 when there are more rows than columns.
 */
export function bestAssignment(weights: number[][]): number[] {
  const rows = weights.length;
  const cols = weights[0]?.length ?? 0;
  if (rows === 0 || cols === 0) return new Array(rows).fill(-1);
  // The method needs rows ≤ columns; transpose otherwise.
  if (rows > cols) {
    const byColumn = bestAssignment(weights[0]!.map((_, c) => weights.map((row) => row[c]!)));
    const out = new Array(rows).fill(-1);
    byColumn.forEach((row, c) => {
      if (row >= 0) out[row] = c;
    });
    return out;
  }
  const max = Math.max(...weights.flat());
  const cost = (r: number, c: number): number => max - weights[r - 1]![c - 1]!;
  const u = new Float64Array(rows + 1);
  const v = new Float64Array(cols + 1);
  const match = new Int32Array(cols + 1);
  const way = new Int32Array(cols + 1);
  for (let r = 1; r <= rows; r++) {
    match[0] = r;
    let c0 = 0;
    const minv = new Float64Array(cols + 1).fill(Number.POSITIVE_INFINITY);
    const used = new Uint8Array(cols + 1);
    do {
      used[c0] = 1;
      const r0 = match[c0]!;
      let delta = Number.POSITIVE_INFINITY;
      let c1 = 0;
      for (let c = 1; c <= cols; c++) {
        if (used[c]) continue;
        const reduced = cost(r0, c) - u[r0]! - v[c]!;
        if (reduced < minv[c]!) {
          minv[c] = reduced;
          way[c] = c0;
        }
        if (minv[c]! < delta) {
          delta = minv[c]!;
          c1 = c;
        }
      }
      for (let c = 0; c <= cols; c++) {
        if (used[c]) {
          u[match[c]!]! += delta;
          v[c]! -= delta;
        } else {
          minv[c]! -= delta;
        }
      }
      c0 = c1;
    } while (match[c0] !== 0);
    do {
      const c1 = way[c0]!;
      match[c0] = match[c1]!;
      c0 = c1;
    } while (c0 !== 0);
  }
  const out = new Array(rows).fill(-1);
  for (let c = 1; c <= cols; c++) if (match[c]! > 0) out[match[c]! - 1] = c - 1;
  return out;
}

/** Activity of each speaker in 10 ms steps. */
function activity(segments: Segment[], frames: number): { speakers: (string | number)[]; active: Uint8Array[] } {
  const speakers = [...new Set(segments.map((s) => s.speaker))];
  const active = speakers.map(() => new Uint8Array(frames));
  for (const s of segments) {
    const row = active[speakers.indexOf(s.speaker)]!;
    row.fill(1, Math.max(0, Math.round(s.start / STEP)), Math.min(frames, Math.round(s.end / STEP)));
  }
  return { speakers, active };
}

export function diarizationError(reference: Segment[], hypothesis: Segment[], collar = 0.25): DiarizationError {
  const end = Math.max(0, ...reference.map((s) => s.end), ...hypothesis.map((s) => s.end));
  const frames = Math.ceil(end / STEP) + 1;
  const ref = activity(reference, frames);
  const hyp = activity(hypothesis, frames);
  const scored = new Uint8Array(frames).fill(1);
  const margin = Math.round(collar / STEP);
  for (const s of reference) {
    for (const edge of [Math.round(s.start / STEP), Math.round(s.end / STEP)]) {
      scored.fill(0, Math.max(0, edge - margin), Math.min(frames, edge + margin));
    }
  }
  const common = ref.active.map((r) =>
    hyp.active.map((h) => {
      let n = 0;
      for (let t = 0; t < frames; t++) if (scored[t] && r[t] && h[t]) n++;
      return n;
    }),
  );
  const mapped = bestAssignment(common);
  let speech = 0;
  let missed = 0;
  let falseAlarm = 0;
  let confusion = 0;
  for (let t = 0; t < frames; t++) {
    if (!scored[t]) continue;
    let nRef = 0;
    let nHyp = 0;
    let correct = 0;
    for (let r = 0; r < ref.active.length; r++) {
      if (!ref.active[r]![t]) continue;
      nRef++;
      const h = mapped[r]!;
      if (h >= 0 && hyp.active[h]![t]) correct++;
    }
    for (const h of hyp.active) nHyp += h[t]!;
    speech += nRef;
    missed += Math.max(0, nRef - nHyp);
    falseAlarm += Math.max(0, nHyp - nRef);
    confusion += Math.min(nRef, nHyp) - correct;
  }
  return {
    speech: speech * STEP,
    missed: missed * STEP,
    falseAlarm: falseAlarm * STEP,
    confusion: confusion * STEP,
    der: speech > 0 ? (missed + falseAlarm + confusion) / speech : 0,
    referenceSpeakers: ref.speakers.length,
    hypothesisSpeakers: hyp.speakers.length,
  };
}

export interface LabelledWord {
  start: number;
  end: number;
  speaker: number;
}

export interface WordAccuracy {
  /** Words that fall in someone's speech and were scored. */
  words: number;
  correct: number;
  accuracy: number;
}

/**
 * Word-level speaker accuracy after the best one-to-one mapping of hypothesis speakers onto reference speakers.
 * A word's true speaker is the one whose reference speech covers most of it (within 0.25 s either side); in an
 * overlap, any speaker talking at the word counts as right. Words in no one's speech are not scored.
 */
export function wordSpeakerAccuracy(reference: Segment[], words: LabelledWord[], collar = 0.25): WordAccuracy {
  const speakers = [...new Set(reference.map((s) => s.speaker))];
  const scored = words.flatMap((word) => {
    const cover = speakers.map((speaker) =>
      reference
        .filter((s) => s.speaker === speaker)
        .reduce(
          (sum, s) => sum + Math.max(0, Math.min(s.end, word.end + collar) - Math.max(s.start, word.start - collar)),
          0,
        ),
    );
    const best = Math.max(...cover);
    if (best <= 0) return [];
    return [{ word, primary: cover.indexOf(best), talking: cover.map((c) => c > 0) }];
  });
  const hypSpeakers = [...new Set(scored.map((s) => s.word.speaker))];
  const counts = speakers.map((_, r) =>
    hypSpeakers.map((h) => scored.filter((s) => s.primary === r && s.word.speaker === h).length),
  );
  const mapped = bestAssignment(counts);
  const correct = scored.filter((s) => {
    const r = mapped.findIndex((h) => h >= 0 && hypSpeakers[h] === s.word.speaker);
    return r >= 0 && s.talking[r];
  }).length;
  return { words: scored.length, correct, accuracy: scored.length > 0 ? correct / scored.length : 0 };
}
