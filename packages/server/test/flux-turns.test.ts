/**
 * Flux's turn state machine on small synthetic streams of v1 live messages (the end-to-end test runs it on real
 * speech through the official SDK): when turns start and end, eager ends and resumptions, the timeout, the
 * manual end, `Update` cadence, and the confidence curve.
 */
import type { LiveResults, SpeechStarted, Word } from "@earshot/protocol";
import { describe, expect, it } from "vitest";
import { endOfTurnConfidence, type TurnReport, TurnTracker } from "../src/flux/turns.js";

const word = (text: string, start: number, end: number): Word => ({ word: text, start, end, confidence: 0.9 });

function results(words: Word[], flags: Partial<LiveResults> = {}): LiveResults {
  const start = words[0]?.start ?? 0;
  const end = words.at(-1)?.end ?? start;
  return {
    type: "Results",
    channel_index: [0, 1],
    start,
    duration: end - start,
    is_final: false,
    speech_final: false,
    from_finalize: false,
    channel: { alternatives: [{ transcript: words.map((w) => w.word).join(" "), confidence: 0.9, words }] },
    metadata: { request_id: "r", model_info: { name: "m", version: "1", arch: "a" }, model_uuid: "u" },
    ...flags,
  };
}

const speech = (timestamp: number): SpeechStarted => ({ type: "SpeechStarted", channel: [0, 1], timestamp });
const events = (reports: TurnReport[]): string[] => reports.map((r) => r.event);
const transcript = (report: TurnReport | undefined): string => report?.words.map((w) => w.word).join(" ") ?? "";

/** Advances the clock in 20 ms steps from `from` to `to`, collecting every report. */
function run(tracker: TurnTracker, from: number, to: number): TurnReport[] {
  const reports: TurnReport[] = [];
  for (let t = from; t <= to + 1e-9; t += 0.02) reports.push(...tracker.advance(Math.round(t * 1000) / 1000));
  return reports;
}

/** One spoken utterance "hello there friend" from 0.5 s to 1.4 s, ended by the detector. */
function utterance(tracker: TurnTracker, offset = 0): TurnReport[] {
  const hello = word("hello", 0.5 + offset, 0.8 + offset);
  const there = word("there", 0.8 + offset, 1.1 + offset);
  const friend = word("friend", 1.1 + offset, 1.4 + offset);
  return [
    ...tracker.speechStarted(speech(0.45 + offset)),
    ...tracker.results(results([hello])),
    ...run(tracker, 0.9 + offset, 1.3 + offset),
    ...tracker.results(results([hello, there])),
    ...tracker.results(results([hello, there, friend], { is_final: true, speech_final: true })),
  ];
}

describe("the end-of-turn confidence", () => {
  it("rises with the pause, more slowly after a word a turn rarely ends on, and never reaches 1", () => {
    expect(endOfTurnConfidence(0, "friend")).toBe(0);
    expect(endOfTurnConfidence(0.48, "friend")).toBeCloseTo(0.7, 2);
    expect(endOfTurnConfidence(0.48, "and")).toBeLessThan(0.5);
    expect(endOfTurnConfidence(0.96, "and")).toBeCloseTo(0.7, 2);
    expect(endOfTurnConfidence(60, "friend")).toBe(0.99);
  });
});

describe("TurnTracker", () => {
  it("starts a turn with its first word, sends Updates while it lasts, and ends it on a pause", () => {
    const tracker = new TurnTracker({ eot: 0.7, eager: undefined, timeoutMs: 5000 });
    const start = utterance(tracker);
    expect(events(start)[0]).toBe("StartOfTurn");
    expect(start[0]).toMatchObject({ turnIndex: 0, windowStart: 0.45, confidence: 0 });
    expect(start.filter((r) => r.event === "Update").length).toBeGreaterThanOrEqual(1);
    const after = run(tracker, 1.42, 2.5);
    const end = after.find((r) => r.event === "EndOfTurn");
    expect(end).toMatchObject({ trigger: "model", turnIndex: 0, windowStart: 0.45 });
    expect(transcript(end)).toBe("hello there friend");
    // The threshold is crossed about 0.48 s after the last word.
    expect(end!.windowEnd).toBeGreaterThanOrEqual(1.4 + 0.46);
    expect(end!.windowEnd).toBeLessThanOrEqual(1.4 + 0.52);
    expect(end!.confidence).toBeGreaterThanOrEqual(0.7);
    // Nothing after the end until someone speaks again; the next turn has the next index.
    expect(after.filter((r) => r.windowEnd > end!.windowEnd)).toEqual([]);
    expect(utterance(tracker, 3)[0]).toMatchObject({ event: "StartOfTurn", turnIndex: 1 });
  });

  it("no end of turn while the detector hears speech, however long the words pause", () => {
    const tracker = new TurnTracker({ eot: 0.7, eager: undefined, timeoutMs: 5000 });
    tracker.speechStarted(speech(0.4));
    tracker.results(results([word("well", 0.5, 0.8)]));
    expect(events(run(tracker, 0.8, 3))).not.toContain("EndOfTurn");
  });

  it("eager mode: EagerEndOfTurn, TurnResumed when speech comes back, and EndOfTurn with the eager transcript", () => {
    const tracker = new TurnTracker({ eot: 0.9, eager: 0.5, timeoutMs: 5000 });
    utterance(tracker);
    const pause = run(tracker, 1.42, 1.9);
    const eager = pause.find((r) => r.event === "EagerEndOfTurn");
    expect(transcript(eager)).toBe("hello there friend");
    expect(eager!.confidence).toBeGreaterThanOrEqual(0.5);
    expect(events(pause)).not.toContain("EndOfTurn");
    expect(events(tracker.speechStarted(speech(1.95)))).toEqual(["TurnResumed"]);
    tracker.results(results([word("again", 2.0, 2.3)], { is_final: true, speech_final: true }));
    const end = run(tracker, 2.32, 4).filter((r) => r.event !== "Update");
    expect(events(end)).toEqual(["EagerEndOfTurn", "EndOfTurn"]);
    expect(transcript(end[1])).toBe(transcript(end[0]));
    expect(transcript(end[1])).toBe("hello there friend again");
  });

  it("judges a pause no progress fell inside (a loaded decoder answers in large steps) when speech resumes", () => {
    const tracker = new TurnTracker({ eot: 0.9, eager: 0.5, timeoutMs: 5000 });
    utterance(tracker);
    // The final and the next speech arrive in one step: the clock never visits the pause.
    expect(events(tracker.speechStarted(speech(1.95)))).toEqual(["EagerEndOfTurn", "TurnResumed"]);
  });

  it("eot_threshold 1: only the timeout ends the turn", () => {
    const tracker = new TurnTracker({ eot: 1, eager: undefined, timeoutMs: 2000 });
    utterance(tracker);
    const end = run(tracker, 1.42, 4).find((r) => r.event === "EndOfTurn");
    expect(end).toMatchObject({ trigger: "timeout" });
    expect(end!.windowEnd).toBeCloseTo(3.4, 1);
  });

  it("ForceEndTurn ends the turn with the recogniser's Finalize answer", () => {
    const tracker = new TurnTracker({ eot: 1, eager: undefined, timeoutMs: 60_000 });
    expect(tracker.forceEnd()).toBe(false);
    tracker.speechStarted(speech(0.4));
    tracker.results(results([word("stop", 0.5, 0.8)]));
    expect(tracker.forceEnd()).toBe(true);
    expect(run(tracker, 0.8, 1)).toEqual([]);
    const end = tracker.results(results([word("stop", 0.5, 0.8)], { is_final: true, from_finalize: true }));
    expect(end).toMatchObject([{ event: "EndOfTurn", trigger: "manual", turnIndex: 0 }]);
    expect(tracker.active).toBe(false);
  });

  it("configure changes the thresholds mid-turn; noise without words starts no turn", () => {
    const tracker = new TurnTracker({ eot: 0.7, eager: undefined, timeoutMs: 5000 });
    tracker.speechStarted(speech(0.1));
    expect(tracker.results(results([], { is_final: true, speech_final: true, start: 0.1, duration: 0.3 }))).toEqual([]);
    expect(tracker.active).toBe(false);
    utterance(tracker);
    expect(tracker.active).toBe(true);
    tracker.configure({ eot: 1, timeoutMs: 1000 });
    const end = run(tracker, 1.42, 3).find((r) => r.event === "EndOfTurn");
    expect(end).toMatchObject({ trigger: "timeout", windowStart: 0.45 });
  });

  it("a closing stream flushes the open turn as an Update, and ends no turn", () => {
    const tracker = new TurnTracker({ eot: 0.7, eager: undefined, timeoutMs: 5000 });
    expect(tracker.flush()).toEqual([]);
    utterance(tracker);
    expect(events(tracker.flush())).toEqual(["Update"]);
    expect(tracker.active).toBe(true);
  });
});
