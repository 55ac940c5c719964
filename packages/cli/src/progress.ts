/**
 * Progress on stderr: bars on a terminal, plain lines (at most one a second per item) when stderr is a file or a
 * pipe, so logs of a long job still show it moving.
 */
import { MultiBar, Presets } from "cli-progress";

export interface ProgressDisplay {
  /** Progress of item `index`, 0 → 1. */
  update(index: number, fraction: number): void;
  /** Item `index` ended; `failed` marks it so. */
  end(index: number, failed?: boolean): void;
  stop(): void;
}

const PLAIN_INTERVAL_MS = 1000;

export function progressDisplay(labels: string[], enabled: boolean): ProgressDisplay {
  if (!enabled) return { update() {}, end() {}, stop() {} };
  const width = Math.max(...labels.map((l) => l.length));
  if (process.stderr.isTTY) {
    const multi = new MultiBar(
      { stream: process.stderr, format: " {bar} {percentage}% | {label}", hideCursor: true, clearOnComplete: false },
      Presets.shades_classic,
    );
    const bars = labels.map((label) => multi.create(100, 0, { label: label.padEnd(width) }));
    return {
      update: (index, fraction) => bars[index]?.update(Math.round(fraction * 100)),
      end: (index, failed) =>
        bars[index]?.update(failed ? 0 : 100, { label: `${labels[index]!.padEnd(width)}${failed ? " (failed)" : ""}` }),
      stop: () => multi.stop(),
    };
  }
  const last = labels.map(() => ({ at: 0, percent: -1 }));
  const line = (index: number, text: string) => process.stderr.write(`${labels[index]}: ${text}\n`);
  return {
    update(index, fraction) {
      const state = last[index];
      const percent = Math.round(fraction * 100);
      const now = Date.now();
      if (!state || percent >= 100 || percent === state.percent || now - state.at < PLAIN_INTERVAL_MS) return;
      last[index] = { at: now, percent };
      line(index, `${percent}%`);
    },
    end: (index, failed) => line(index, failed ? "failed" : "done"),
    stop() {},
  };
}
