/**
 * Progress of one transcription, reported at least every {@link TICK_MS} of wall time. Pieces that are done count
 * whole. A piece being decoded counts by an estimate: PocketSphinx's whole-utterance search says nothing until it
 * ends (a 20 s piece is one call of several seconds), so its position is the time since a worker took it times
 * how fast this model has been decoding here. Past {@link LINEAR} of its expected time the estimate slows and only
 * approaches the piece's end — a loaded machine decodes slower than measured, and progress must keep moving
 * without claiming what is not done. Reports never go backwards.
 */

const TICK_MS = 500;
/** Share of a running piece's expected time during which the estimate moves at the measured speed. */
const LINEAR = 0.8;
/** Seconds of decoding per second of audio before anything was measured (PocketSphinx on one core, ~0.2–0.3). */
const INITIAL_COST = 0.3;
/** Weight of the newest measurement in the running mean. */
const SMOOTHING = 0.3;

/** How fast each model decodes on this machine: wall seconds per audio second, per worker, smoothed. */
export class DecodeSpeed {
  private readonly costs = new Map<string, number>();

  cost(model: string): number {
    return this.costs.get(model) ?? INITIAL_COST;
  }

  observe(model: string, audioSeconds: number, wallSeconds: number): void {
    if (audioSeconds <= 0) return;
    const measured = wallSeconds / audioSeconds;
    const previous = this.costs.get(model);
    this.costs.set(model, previous === undefined ? measured : previous + SMOOTHING * (measured - previous));
  }
}

/**
 * The share of a piece done after `t` of its expected decoding time: `t` itself up to {@link LINEAR}, then an
 * exponential approach to 1 with the same slope where the two meet, so it never reaches the end on its own.
 */
function share(t: number): number {
  if (t <= LINEAR) return t;
  const rest = 1 - LINEAR;
  return LINEAR + rest * (1 - Math.exp(-(t - LINEAR) / rest));
}

export class TranscriptionProgress {
  private done = 0;
  private reported = 0;
  private readonly running = new Map<number, { duration: number; since: number }>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly total: number,
    private readonly cost: number,
    private readonly report: (fraction: number) => void,
  ) {
    this.timer = setInterval(() => this.emit(), TICK_MS);
    this.timer.unref();
  }

  started(piece: number, duration: number): void {
    this.running.set(piece, { duration, since: performance.now() });
  }

  finished(piece: number, duration: number): void {
    this.running.delete(piece);
    this.done += duration;
    this.emit();
  }

  /** No more reports (the transcription failed, or {@link end} said it is done). */
  stop(): void {
    clearInterval(this.timer);
  }

  /** The last report: all of it. */
  end(): void {
    this.stop();
    this.send(1);
  }

  private emit(): void {
    if (this.total <= 0) return;
    const now = performance.now();
    let position = this.done;
    for (const { duration, since } of this.running.values()) {
      position += duration * share((now - since) / 1000 / (this.cost * duration));
    }
    this.send(Math.min(1, position / this.total));
  }

  private send(fraction: number): void {
    if (fraction < this.reported || (fraction === this.reported && fraction !== 0)) return;
    this.reported = fraction;
    this.report(fraction);
  }
}
