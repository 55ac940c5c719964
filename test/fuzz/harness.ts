/**
 * What every fuzz property shares: its time budget, its seeds, the outcome counts the run prints, the
 * invariants a response must keep, and URLs that can only ever point at this machine.
 *
 * Budget: `EARSHOT_FUZZ_MS` (set by `npm run fuzz -- --minutes N`) is the whole run's time, shared out by each
 * property's weight; the default (30 s) keeps the CI run, servers and sanity checks included, under a minute. Each property runs twice, on a fixed seed
 * (the same cases every run) and on a random one; a failure prints the seed and path that replay it.
 */
import { ErrorBodySchema } from "@earshot/protocol";
import fc from "fast-check";
import { expect } from "vitest";

const TOTAL_MS = Number(process.env.EARSHOT_FUZZ_MS ?? 30_000);
/** The sum of the weights the properties are given; each gets its share of {@link TOTAL_MS}. */
const TOTAL_WEIGHT = 10;
export const FIXED_SEED = 17;
/** A response later than this is a hang. */
export const HANG_MS = 20_000;

export interface Outcomes {
  sent: number;
  ok: number;
  "4xx": number;
  "5xx": number;
  hangs: number;
}

const outcomes = new Map<string, Outcomes>();

export function outcomesOf(kind: string): Outcomes {
  let counts = outcomes.get(kind);
  if (!counts) {
    counts = { sent: 0, ok: 0, "4xx": 0, "5xx": 0, hangs: 0 };
    outcomes.set(kind, counts);
  }
  return counts;
}

/** One line per class of input, for the run's log (and the closing note). */
export function printOutcomes(): void {
  for (const [kind, counts] of outcomes) console.log(`fuzz ${kind}: ${JSON.stringify(counts)}`);
}

/**
 * Runs `property` for its share of the budget, on the fixed seed and then on a random one. A failing case is
 * shrunk and reported with the seed and path that replay it. Running out of time is not a failure, even before
 * the first case ends (a slow machine); a case that never answers is, through {@link HANG_MS}.
 */
export async function fuzz<T>(
  weight: number,
  arbitrary: fc.Arbitrary<T>,
  check: (value: T) => Promise<void>,
): Promise<void> {
  const budget = (TOTAL_MS * weight) / TOTAL_WEIGHT;
  const randomSeed = Math.floor(Math.random() * 2 ** 31);
  for (const seed of [FIXED_SEED, randomSeed]) {
    // The case running when time is up is abandoned by fast-check, not by us: it must still end well.
    const running = new Map<Promise<void>, T>();
    const tracked = (value: T): Promise<void> => {
      const run = check(value);
      running.set(run, value);
      return run.finally(() => running.delete(run));
    };
    const details = await fc.check(fc.asyncProperty(arbitrary, tracked), {
      seed,
      numRuns: Number.MAX_SAFE_INTEGER,
      interruptAfterTimeLimit: budget / 2,
      markInterruptAsFailure: false,
    });
    const outOfTime = details.interrupted && details.counterexample === null;
    if (details.failed && !outOfTime) throw new Error(fc.defaultReportMessage(details));
    for (const [run, value] of running) {
      await run.catch((err: Error) => {
        throw new Error(`seed ${seed}: the case cut by the time limit failed: ${err.message}\n${fc.stringify(value)}`);
      });
    }
  }
}

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** An HTTP call that counts its outcome and fails on a hang. */
export async function send(kind: string, url: string, init: RequestInit): Promise<Answer> {
  const counts = outcomesOf(kind);
  counts.sent++;
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(HANG_MS) });
    text = await res.text();
  } catch (err) {
    if ((err as Error).name === "TimeoutError") {
      counts.hangs++;
      throw new Error(`no answer within ${HANG_MS} ms from ${init.method ?? "GET"} ${url}`);
    }
    throw err;
  }
  counts[res.status >= 500 ? "5xx" : res.status >= 400 ? "4xx" : "ok"]++;
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body };
}

/** Client input never makes a 5xx, and a refusal is Deepgram's error body carrying the response's request id. */
export function expectClientOutcome(answer: Answer, context: string): void {
  expect(answer.status, `${context}: ${JSON.stringify(answer.body).slice(0, 500)}`).toBeLessThan(500);
  if (answer.status >= 400) {
    const body = ErrorBodySchema.parse(answer.body);
    expect(body.request_id).toBe(answer.headers.get("dg-request-id"));
  }
}

/**
 * Spellings of 127.0.0.2 (loopback, outside the test server's allow list of 127.0.0.1/32) and of ::1: every
 * address a URL below can reach is this machine's, so no case can send a packet elsewhere, even with the
 * guard broken. `port` is the trap that counts the connections that should never come.
 */
export function loopbackSpellings(port: number): string[] {
  return [
    `http://127.0.0.2:${port}/a.wav`,
    `http://127.2:${port}/a.wav`,
    `http://127.0.2:${port}/a.wav`,
    `http://0x7f000002:${port}/a.wav`,
    `http://0x7f.0.0.2:${port}/a.wav`,
    `http://2130706434:${port}/a.wav`,
    `http://0177.0.0.2:${port}/a.wav`,
    `http://127.000.000.002:${port}/a.wav`,
    `http://[::ffff:127.0.0.2]:${port}/a.wav`,
    `http://[::ffff:7f00:2]:${port}/a.wav`,
    `http://[::1]:${port}/a.wav`,
    `http://[0:0:0:0:0:0:0:1]:${port}/a.wav`,
    `https://127.0.0.2:${port}/a.wav`,
    `http://user:secret@127.0.0.2:${port}/a.wav`,
    `HTTP://127.0.0.2:${port}/A.WAV?x=1#y`,
  ];
}

/** Schemes and strings no fetch may follow; none of them names a host outside this machine. */
export const REFUSED_SOURCES = [
  "",
  "not a url",
  "file:///etc/passwd",
  "ftp://127.0.0.2/a.wav",
  "gopher://127.0.0.2:70/_",
  "data:audio/wav;base64,UklGRg==",
  "javascript:alert(1)",
  "//127.0.0.2/a.wav",
  "http://",
  "http://[::1",
  "\u0000",
];

/**
 * `value` with every string that parses as a URL with a host replaced by `safe`: fuzzed JSON and queries may
 * carry `url`, `audio_url`, `callback` and the like, and none of them may ever name a host off this machine.
 */
export function confine<T>(value: T, safe: string): T {
  if (typeof value === "string") {
    try {
      return (new URL(value).host ? safe : value) as T;
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value.map((v) => confine(v, safe)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, confine(v, safe)])) as T;
  }
  return value;
}
