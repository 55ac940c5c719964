/**
 * Progress on stderr: bars on a terminal, plain lines (at most one a second per item) when stderr is a file or a
 * pipe, so logs of a long job still show it moving.
 */
import { formatBytes } from "@earshot/engine";
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

export interface TransferDisplay {
  /** Bytes so far and the total when known. */
  update(received: number, total: number | undefined): void;
  /** The transfer ended; `failed` marks it so. */
  end(failed?: boolean): void;
}

const duration = (seconds: number): string =>
  !Number.isFinite(seconds)
    ? "?"
    : seconds >= 3600
      ? `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, "0")}m`
      : seconds >= 60
        ? `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, "0")}s`
        : `${Math.round(seconds)}s`;

/**
 * A download's progress with its rate and time left: a bar on a terminal, a plain line a second otherwise. The
 * rate counts this run's bytes only, so a resumed download does not look faster than it is.
 */
export function transferDisplay(label: string): TransferDisplay {
  const started = Date.now();
  let first: number | undefined;
  const figures = (received: number, total: number | undefined) => {
    first ??= received;
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? (received - first) / seconds : 0;
    const eta = total !== undefined && rate > 0 ? (total - received) / rate : Number.NaN;
    return {
      done: `${formatBytes(received)}${total !== undefined ? ` of ${formatBytes(total)}` : ""}`,
      rate: `${formatBytes(rate)}/s`,
      eta: duration(eta),
      fraction: total ? received / total : 0,
    };
  };
  if (process.stderr.isTTY) {
    const multi = new MultiBar(
      {
        stream: process.stderr,
        format: " {bar} {percentage}% | {label} | {done} | {rate} | ETA {eta}",
        hideCursor: true,
        clearOnComplete: false,
      },
      Presets.shades_classic,
    );
    const bar = multi.create(1000, 0, { label, done: "", rate: "", eta: "?" });
    return {
      update(received, total) {
        const f = figures(received, total);
        bar.update(Math.round(f.fraction * 1000), { label, done: f.done, rate: f.rate, eta: f.eta });
      },
      end(failed) {
        if (failed) bar.update({ label: `${label} (failed)` });
        multi.stop();
      },
    };
  }
  let last = 0;
  return {
    update(received, total) {
      const now = Date.now();
      const f = figures(received, total);
      if (now - last < PLAIN_INTERVAL_MS) return;
      last = now;
      const percent = total ? `${Math.floor(f.fraction * 100)}% ` : "";
      process.stderr.write(`${label}: ${percent}${f.done}, ${f.rate}, ETA ${f.eta}\n`);
    },
    end: (failed) => process.stderr.write(`${label}: ${failed ? "failed" : "done"}\n`),
  };
}
