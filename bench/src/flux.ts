/**
 * bench/flux: Flux end-of-turn latency at N concurrent real-time streams (default 1 and 8), next to v1 final
 * latency on the same streams' audio, against an in-process server.
 *
 * Each stream plays shared LJ Speech clips with silences between them (as bench/live does), in 100 ms chunks at
 * real-time pace, through `client.listen.v2.connect` with `eager_eot_threshold` 0.5 and the default
 * `eot_threshold` 0.7. Per utterance (= clip): the end-of-turn delay, from the moment the clip's last chunk was
 * sent (the true end of speech) to the arrival of the `EndOfTurn` of the turn the clip ends in; the eager delay,
 * to its `EagerEndOfTurn`. Also counted: turns that ended inside a clip (at a pause within a sentence), and WER of
 * the turns' transcripts. The v1 column runs the same clips through `listen.v1.connect` (final delay as
 * bench/live measures it), one configuration after the other, never both at once.
 *
 * Usage: node bench/dist/flux.js [--streams 1,8] [--clips 3]
 */
import { loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { wordErrorRate } from "@earshot/engine";
import { EarshotClient, type FluxTurnInfo } from "@earshot/sdk";
import { startServer } from "@earshot/server";
import { type Clip, loadClips } from "./corpus.js";
import { GAP, runV1Stream, sendPaced, streamAudio } from "./live-streams.js";
import { percentile } from "./table.js";

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const counts = arg("streams", "1,8").split(",").map(Number);
const clipsPerStream = Number(arg("clips", "3"));

interface FluxRun {
  endDelays: number[];
  eagerDelays: number[];
  /** Turns that ended before the clip they were in was over. */
  earlyEnds: number;
  pairs: Array<{ reference: string; hypothesis: string }>;
}

async function runFluxStream(client: EarshotClient, clips: Clip[], stagger: number): Promise<FluxRun> {
  const { audio, utterances } = streamAudio(clips);
  const conn = client.listen.v2.connect({ encoding: "linear16", sample_rate: 16_000, eager_eot_threshold: 0.5 });
  const received: Array<{ at: number; turn: FluxTurnInfo }> = [];
  conn.on("TurnInfo", (turn) => received.push({ at: performance.now(), turn }));
  await conn.opened;
  await sleep(stagger);
  const sentAt = await sendPaced(audio, (chunk) => conn.send(chunk));
  await conn.finish();

  const run: FluxRun = { endDelays: [], eagerDelays: [], earlyEnds: 0, pairs: [] };
  for (const u of utterances) {
    // The turn the clip ends in: the first end after the clip's last word, before the next clip starts.
    const after = (event: string) =>
      received.find(
        ({ turn }) => turn.event === event && turn.audio_window_end >= u.end && turn.audio_window_start < u.end + GAP,
      );
    const end = after("EndOfTurn");
    const eager = after("EagerEndOfTurn");
    if (end) run.endDelays.push(end.at - sentAt(u.end));
    if (eager) run.eagerDelays.push(eager.at - sentAt(u.end));
    const inside = received.filter(
      ({ turn }) => turn.event === "EndOfTurn" && turn.audio_window_end > u.start && turn.audio_window_end < u.end,
    );
    run.earlyEnds += inside.length;
    run.pairs.push({
      reference: u.clip.reference,
      hypothesis: [...inside, ...(end ? [end] : [])].map(({ turn }) => turn.transcript).join(" "),
    });
  }
  return run;
}

async function main(): Promise<void> {
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    logLevel: "warn",
    engine: { live: { streamsPerWorker: Math.max(...counts) } },
  });
  const client = new EarshotClient({ baseUrl: server.url, apiKey: server.config.apiKeys[0] ?? "" });
  const clips = loadClips("ljspeech-dev").filter((c) => c.duration >= 3);
  console.log(
    `bench/flux: ${server.engine.status().workers} workers, ${clipsPerStream} clips per stream, ${GAP}s gaps, ` +
      `100 ms chunks at real-time pace, eager_eot_threshold 0.5, eot_threshold 0.7; load before: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
  );
  console.log(
    "| streams | utterances | EndOfTurn p50 | EndOfTurn p95 | Eager p50 | Eager p95 | ends inside a clip | Flux WER | v1 final p50 | v1 final p95 | load 1m |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|");
  let next = 0;
  for (const n of counts) {
    const sets = Array.from({ length: n }, () =>
      Array.from({ length: clipsPerStream }, () => clips[next++ % clips.length]!),
    );
    const flux = await Promise.all(sets.map((mine, s) => runFluxStream(client, mine, (s * 1000) / n)));
    const v1 = await Promise.all(sets.map((mine, s) => runV1Stream(client, mine, (s * 1000) / n)));
    const ends = flux.flatMap((r) => r.endDelays);
    const eager = flux.flatMap((r) => r.eagerDelays);
    const finals = v1.flatMap((r) => r.finalDelays);
    const ms = (v: number): string => v.toFixed(0);
    console.log(
      `| ${n} | ${ends.length}/${n * clipsPerStream} | ${ms(percentile(ends, 50))} | ${ms(percentile(ends, 95))} | ` +
        `${ms(percentile(eager, 50))} | ${ms(percentile(eager, 95))} | ${flux.reduce((a, r) => a + r.earlyEnds, 0)} | ` +
        `${(wordErrorRate(flux.flatMap((r) => r.pairs)) * 100).toFixed(1)}% | ` +
        `${ms(percentile(finals, 50))} | ${ms(percentile(finals, 95))} | ${loadavg()[0]!.toFixed(2)} |`,
    );
  }
  await server.close();
}

await main();
