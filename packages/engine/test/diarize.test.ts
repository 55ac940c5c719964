import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { computeFrames, MfccExtractor } from "../src/diarize/features.js";
import { StatisticalOnlineDiarizer } from "../src/diarize/online.js";
import { StatisticalDiarizer } from "../src/diarize/statistical.js";
import type { SpeakerTurn } from "../src/diarize/types.js";
import { labelWords } from "../src/diarize/words.js";

const RATE = 16_000;

/** A synthetic voice: a glottal pulse train at `f0` through formant resonators, in syllable-like bursts. */
interface Voice {
  f0: number;
  formants: number[];
}

const LOW: Voice = { f0: 110, formants: [500, 1400, 2400] };
const HIGH: Voice = { f0: 220, formants: [900, 2100, 3300] };

function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a * 1103515245 + 12345) % 2147483648;
    return a / 2147483648;
  };
}

function speak(voice: Voice, seconds: number, random: () => number): Float32Array {
  const n = Math.round(seconds * RATE);
  const source = new Float32Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    // Vibrato and syllables (4 per second) so the voice is not a stationary tone.
    const f0 = voice.f0 * (1 + 0.05 * Math.sin((2 * Math.PI * 5 * i) / RATE));
    phase += f0 / RATE;
    const envelope = 0.3 + 0.7 * Math.abs(Math.sin((Math.PI * 4 * i) / RATE));
    source[i] = (phase % 1 < 0.1 ? 1 : 0) * envelope + 0.02 * (random() - 0.5);
  }
  let out = source;
  for (const f of voice.formants) {
    // Two-pole resonator at f with 100 Hz bandwidth.
    const r = Math.exp((-Math.PI * 100) / RATE);
    const a1 = 2 * r * Math.cos((2 * Math.PI * f) / RATE);
    const a2 = -r * r;
    const next = new Float32Array(n);
    for (let i = 0; i < n; i++) next[i] = out[i]! + a1 * (next[i - 1] ?? 0) + a2 * (next[i - 2] ?? 0);
    out = next;
  }
  let peak = 0;
  for (const s of out) peak = Math.max(peak, Math.abs(s));
  return out.map((s) => (0.3 * s) / peak);
}

interface Scene {
  samples: Float32Array;
  turns: { voice: number; start: number; end: number }[];
}

/** Turns of the given voices (index, seconds), 0.6 s of faint noise between them. */
function scene(voices: Voice[], plan: [number, number][], seed = 1): Scene {
  const random = seeded(seed);
  const gap = 0.6;
  const total = plan.reduce((s, [, seconds]) => s + seconds + gap, gap);
  const samples = new Float32Array(Math.round(total * RATE));
  for (let i = 0; i < samples.length; i++) samples[i] = 1e-4 * (random() - 0.5);
  const turns: Scene["turns"] = [];
  let t = gap;
  for (const [voice, seconds] of plan) {
    samples.set(speak(voices[voice]!, seconds, random), Math.round(t * RATE));
    turns.push({ voice, start: t, end: t + seconds });
    t += seconds + gap;
  }
  return { samples, turns };
}

/** The speaker the diarizer gave most of each true turn. */
function majorities(turns: SpeakerTurn[], truth: Scene["turns"]): number[] {
  return truth.map((t) => {
    const time = new Map<number, number>();
    for (const h of turns) {
      const overlap = Math.min(h.end, t.end) - Math.max(h.start, t.start);
      if (overlap > 0) time.set(h.speaker, (time.get(h.speaker) ?? 0) + overlap);
    }
    return [...time].sort((a, b) => b[1] - a[1])[0]?.[0] ?? -1;
  });
}

const plan: [number, number][] = [
  [0, 4],
  [1, 3],
  [0, 2.5],
  [1, 5],
  [0, 3],
  [1, 2],
];

describe("MfccExtractor", () => {
  it("describes the spectral envelope, not the loudness", () => {
    const voice = speak(LOW, 0.5, seeded(3));
    const louder = voice.map((s) => s * 3);
    const extractor = new MfccExtractor();
    const a = computeFrames(extractor, voice);
    const b = computeFrames(extractor, louder);
    expect(a.count).toBe(48);
    expect(a.dims).toBe(19);
    for (let i = 0; i < a.data.length; i++) expect(b.data[i]).toBeCloseTo(a.data[i]!, 2);
    expect(b.energy[10]! - a.energy[10]!).toBeCloseTo(Math.log(9), 2);
  });
});

describe("StatisticalDiarizer", () => {
  const { samples, turns: truth } = scene([LOW, HIGH], plan);
  const speech = truth.map(({ start, end }) => ({ start, end }));

  it("finds two synthetic voices and who spoke when, numbered in order of appearance", () => {
    const result = new StatisticalDiarizer().diarize(samples, speech);
    expect(result.speakers).toBe(2);
    expect(majorities(result.turns, truth)).toEqual([0, 1, 0, 1, 0, 1]);
    for (const turn of result.turns) {
      expect(turn.confidence).toBeGreaterThan(0.5);
      expect(turn.confidence).toBeLessThanOrEqual(1);
    }
    // Turns stay inside the speech it was given.
    for (const turn of result.turns) {
      expect(speech.some((s) => turn.start >= s.start - 1e-3 && turn.end <= s.end + 1e-3)).toBe(true);
    }
  });

  it("finds one speaker when one voice talks throughout", () => {
    const single = scene(
      [LOW],
      [
        [0, 4],
        [0, 3],
        [0, 5],
      ],
    );
    const result = new StatisticalDiarizer().diarize(
      single.samples,
      single.turns.map(({ start, end }) => ({ start, end })),
    );
    expect(result.speakers).toBe(1);
  });

  it("obeys the caller's number of speakers and bounds", () => {
    const diarizer = new StatisticalDiarizer();
    expect(diarizer.diarize(samples, speech, { numSpeakers: 1 }).speakers).toBe(1);
    expect(diarizer.diarize(samples, speech, { maxSpeakers: 1 }).speakers).toBe(1);
    expect(diarizer.diarize(samples, speech, { minSpeakers: 2, maxSpeakers: 4 }).speakers).toBe(2);
  });

  it("returns no turns for no speech", () => {
    expect(new StatisticalDiarizer().diarize(samples, [])).toEqual({ turns: [], speakers: 0 });
    expect(new StatisticalDiarizer().diarize(new Float32Array(0), [{ start: 0, end: 1 }])).toEqual({
      turns: [],
      speakers: 0,
    });
  });

  it("runs inside a worker thread", async () => {
    const worker = new Worker(
      `const { parentPort, workerData } = require("node:worker_threads");
       import(workerData.module).then(({ StatisticalDiarizer }) => {
         parentPort.postMessage(new StatisticalDiarizer().diarize(workerData.samples, workerData.speech));
       });`,
      {
        eval: true,
        workerData: { module: new URL("../dist/index.js", import.meta.url).href, samples, speech },
      },
    );
    const result = await new Promise<{ speakers: number }>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    await worker.terminate();
    expect(result.speakers).toBe(2);
  });
});

describe("labelWords", () => {
  const turns: SpeakerTurn[] = [
    { start: 0, end: 2, speaker: 1, confidence: 0.9 },
    { start: 2.5, end: 4, speaker: 0, confidence: 0.8 },
  ];

  it("gives each word the speaker of the turn it falls in, renumbered by first appearance", () => {
    const words = [
      { word: "hello", start: 0.1, end: 0.5, confidence: 0.9 },
      { word: "there", start: 2.6, end: 3, confidence: 0.8 },
    ];
    expect(labelWords(words, turns)).toEqual([
      { word: "hello", start: 0.1, end: 0.5, confidence: 0.9, speaker: 0, speaker_confidence: 0.9 },
      { word: "there", start: 2.6, end: 3, confidence: 0.8, speaker: 1, speaker_confidence: 0.8 },
    ]);
  });

  it("uses the turn covering most of a word, or the nearest, with lower confidence outside turns", () => {
    const labelled = labelWords(
      [
        { start: 1.8, end: 2.6 },
        { start: 2.2, end: 2.3 },
        { start: 5, end: 5.5 },
      ],
      turns,
    );
    expect(labelled.map((w) => w.speaker)).toEqual([0, 0, 1]);
    expect(labelled[0]!.speaker_confidence).toBeLessThan(0.9);
    expect(labelled[2]!.speaker_confidence).toBe(0.4);
  });

  it("labels everything speaker 0 with no confidence when there are no turns", () => {
    expect(labelWords([{ start: 0, end: 1 }], [])).toEqual([{ start: 0, end: 1, speaker: 0, speaker_confidence: 0 }]);
  });
});

describe("StatisticalOnlineDiarizer", () => {
  /** Pseudo-words of 0.4 s over a turn, as a recogniser would time them. */
  const wordsOf = (turn: { start: number; end: number }) =>
    Array.from({ length: Math.floor((turn.end - turn.start) / 0.4) }, (_, i) => ({
      start: turn.start + i * 0.4,
      end: turn.start + i * 0.4 + 0.35,
    }));

  it("keeps each voice's number across pauses, with bounded models", () => {
    const { samples, turns } = scene([LOW, HIGH], [...plan, ...plan], 7);
    const online = new StatisticalOnlineDiarizer();
    const labels: number[][] = [];
    let fed = 0;
    for (const turn of turns) {
      const until = Math.round((turn.end + 0.3) * RATE);
      // Chunks of 100 ms, as a live client sends them.
      for (; fed < until; fed += 1600) online.feed(samples.subarray(fed, Math.min(until, fed + 1600)));
      fed = until;
      const words = wordsOf(turn);
      // An interim halfway through names a speaker without teaching the models.
      const before = online.speakers;
      online.label(words.slice(0, 3), false);
      expect(online.speakers).toBe(before);
      labels.push(online.label(words, true).map((w) => w.speaker));
    }
    expect(online.speakers).toBe(2);
    const perTurn = labels.map((l) => [...new Set(l)]);
    for (const [i, turn] of turns.entries()) expect(perTurn[i]).toEqual([turn.voice]);
  });

  it("never holds more speakers than maxSpeakers", () => {
    const { samples, turns } = scene([LOW, HIGH], plan, 9);
    const online = new StatisticalOnlineDiarizer({ maxSpeakers: 1 });
    online.feed(samples);
    for (const turn of turns) online.label(wordsOf(turn), true);
    expect(online.speakers).toBe(1);
  });
});
