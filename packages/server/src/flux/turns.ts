/**
 * Flux's turns over a Deepgram v1 live stream: a state machine fed the stream's `SpeechStarted` (voice activity)
 * and `Results` (interim and final words) messages and the audio clock, which reports `StartOfTurn`, `Update`,
 * `EagerEndOfTurn`, `TurnResumed` and `EndOfTurn`. Built on the v1 messages so that whatever they carry
 * (punctuated words, speakers) reaches Flux as well.
 *
 * A turn starts with its first recognised word. It can end only once the voice activity detector has heard the
 * speech stop (the recogniser's final for it has then arrived); from there the end-of-turn confidence rises
 * with the pause since the last word: `1 − e^(−pause/τ)`, τ = 0.4 s, so 0.5 after 0.28 s of silence and 0.7 (the
 * default threshold) after 0.48 s; it rises half as fast after a word a sentence rarely ends on ("and", "the",
 * "to", …). With τ = 0.25 s, read speech (LJ Speech) was cut into turns at its commas. A pause alone never makes
 * the confidence 1, so `eot_threshold=1` leaves turn ends to `ForceEndTurn` and `eot_timeout_ms`. Speech that
 * comes back after an `EagerEndOfTurn` is a `TurnResumed`, and the turn goes on.
 */
import type { FluxTurnEvent, LiveResults, SpeechStarted, Word } from "@earshot/protocol";

export interface TurnThresholds {
  /** Confidence that ends a turn. */
  eot: number;
  /** Confidence that reports an `EagerEndOfTurn`; undefined, none are. */
  eager: number | undefined;
  /** Silence after the last word that ends a turn whatever the confidence, ms. */
  timeoutMs: number;
}

export interface TurnReport {
  event: FluxTurnEvent;
  turnIndex: number;
  /** Stream seconds the turn covers so far. */
  windowStart: number;
  windowEnd: number;
  words: Word[];
  confidence: number;
  trigger?: "model" | "timeout" | "manual";
}

/** Seconds of silence over which the end-of-turn confidence rises. */
const PAUSE_SCALE = 0.4;
/** A pause alone never makes the end of a turn certain. */
const MAX_CONFIDENCE = 0.99;
/** `Update`s go out for about every quarter second of audio while a turn is open. */
const UPDATE_EVERY = 0.25;
/** Words a turn rarely ends on: conjunctions, articles, prepositions, hesitations. */
const CONTINUATIONS = new Set(
  (
    "and but or so because if then than that which who whose when while although though the a an to of in on at " +
    "for with from by as into about like my your our their his her its this these those is are was were be " +
    "been i we you they he she it um uh er erm hmm mm"
  ).split(" "),
);

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/** How sure the end of the turn is after `pause` seconds of silence following `lastWord`. */
export function endOfTurnConfidence(pause: number, lastWord: string | undefined): number {
  const continues = lastWord !== undefined && CONTINUATIONS.has(lastWord.toLowerCase().replace(/[^a-z']/g, ""));
  const scale = continues ? 2 * PAUSE_SCALE : PAUSE_SCALE;
  return round3(Math.min(MAX_CONFIDENCE, 1 - Math.exp(-Math.max(0, pause) / scale)));
}

export class TurnTracker {
  turnIndex = 0;
  private phase: "idle" | "ongoing" | "awaiting" = "idle";
  /** Words of the turn the recogniser has finalised, and the interim words of the utterance still open. */
  private finals: Word[] = [];
  private interim: Word[] = [];
  /** The detector hears speech that no final has closed yet. */
  private speaking = false;
  /** Where the detector heard the speech that starts the next turn. */
  private onset: number | undefined;
  private windowStart = 0;
  /** Stream seconds processed. */
  private clock = 0;
  private lastReport = 0;
  /** `ForceEndTurn` asked for the end of the turn; it ends with the recogniser's `Finalize` answer. */
  private forced = false;

  constructor(private thresholds: TurnThresholds) {}

  get active(): boolean {
    return this.phase !== "idle";
  }

  configure(thresholds: Partial<TurnThresholds>): void {
    this.thresholds = { ...this.thresholds, ...thresholds };
  }

  speechStarted(message: SpeechStarted): TurnReport[] {
    // A loaded decoder answers in larger steps, so no progress may have fallen inside the pause: judge the pause
    // this speech ends, at the moment it ended, before the turn resumes.
    this.clock = Math.max(this.clock, message.timestamp);
    const pause = this.judgePause();
    this.speaking = true;
    if (this.phase === "idle") {
      this.onset ??= message.timestamp;
      return pause;
    }
    if (this.phase !== "awaiting") return pause;
    this.phase = "ongoing";
    return [...pause, this.report("TurnResumed")];
  }

  results(message: LiveResults): TurnReport[] {
    const words = message.channel.alternatives[0]?.words ?? [];
    this.clock = Math.max(this.clock, message.start + message.duration);
    if (message.is_final) {
      this.finals.push(...words);
      this.interim = [];
      if (message.speech_final) this.speaking = false;
    } else {
      this.interim = words;
    }
    if (this.forced && message.from_finalize) return [this.end("manual")];
    if (this.phase !== "idle") return [];
    if (words.length === 0) {
      // Speech that ended without a word (a cough, noise) starts no turn.
      if (message.speech_final) this.onset = undefined;
      return [];
    }
    this.phase = "ongoing";
    this.windowStart = Math.min(this.onset ?? words[0]!.start, words[0]!.start);
    return [this.report("StartOfTurn")];
  }

  /** The audio clock moved to `seconds`: the turn may end, or is due an `Update`. */
  advance(seconds: number): TurnReport[] {
    this.clock = Math.max(this.clock, seconds);
    if (this.phase === "idle" || this.forced) return [];
    const ending = this.judgePause();
    if (ending.length) return ending;
    return this.clock - this.lastReport >= UPDATE_EVERY ? [this.report("Update", this.confidence())] : [];
  }

  /** The pause since the last final word, now: the `EagerEndOfTurn` and/or the `EndOfTurn` it has earned. */
  private judgePause(): TurnReport[] {
    if (this.speaking || this.phase === "idle" || this.forced) return [];
    const confidence = this.confidence();
    const last = this.finals.at(-1);
    const pause = this.clock - (last?.end ?? this.windowStart);
    const { eager, eot } = this.thresholds;
    // In eager mode every end of turn is announced by an EagerEndOfTurn, even one crossed in the same step.
    const eagerReport =
      this.phase === "ongoing" && eager !== undefined && last && confidence >= eager
        ? [this.report("EagerEndOfTurn", confidence)]
        : [];
    if (eagerReport.length) this.phase = "awaiting";
    if (pause * 1000 >= this.thresholds.timeoutMs) return [...eagerReport, this.end("timeout", confidence)];
    if (confidence >= eot) return [...eagerReport, this.end("model", confidence)];
    return eagerReport;
  }

  /** `ForceEndTurn`: whether there is a turn to end (the caller then asks the recogniser for its final). */
  forceEnd(): boolean {
    if (this.phase === "idle" || this.forced) return false;
    this.forced = true;
    return true;
  }

  /** The stream is closing: the open turn's last words, as an `Update` (a closing stream ends no turn). */
  flush(): TurnReport[] {
    return this.phase === "idle" ? [] : [this.report("Update", this.confidence())];
  }

  private confidence(): number {
    if (this.speaking || this.finals.length === 0) return 0;
    const last = this.finals.at(-1)!;
    return endOfTurnConfidence(this.clock - last.end, last.punctuated_word ?? last.word);
  }

  private report(event: FluxTurnEvent, confidence = 0, trigger?: TurnReport["trigger"]): TurnReport {
    this.lastReport = this.clock;
    return {
      event,
      turnIndex: this.turnIndex,
      windowStart: this.windowStart,
      windowEnd: round3(this.clock),
      words: [...this.finals, ...this.interim],
      confidence,
      ...(trigger ? { trigger } : {}),
    };
  }

  private end(trigger: NonNullable<TurnReport["trigger"]>, confidence = this.confidence()): TurnReport {
    const report = this.report("EndOfTurn", confidence, trigger);
    this.turnIndex++;
    this.phase = "idle";
    this.finals = [];
    this.interim = [];
    this.onset = undefined;
    this.forced = false;
    return report;
  }
}
