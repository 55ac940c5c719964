/**
 * Live streams as the live benchmarks play them: shared LJ Speech clips with silences between them, sent in
 * 100 ms chunks at real-time pace, with the wall time each chunk went out, so a reply can be timed from the end
 * of the utterance it answers. `bench/live` and `bench/flux` both measure through here.
 */
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { EarshotClient, LiveResults } from "@earshot/sdk";
import type { Clip } from "./corpus.js";

export const BYTES_PER_SECOND = 32_000;
const CHUNK = BYTES_PER_SECOND / 10;
/** Silence between two clips, seconds. */
export const GAP = 1.5;

/** 16-bit PCM of a shared clip (16 kHz mono WAV: the data chunk after the header). */
function pcmOf(clip: Clip): Buffer {
  const bytes = readFileSync(clip.path);
  const data = bytes.indexOf("data", 12);
  return bytes.subarray(data + 8);
}

export interface Utterance {
  clip: Clip;
  /** Stream seconds. */
  start: number;
  end: number;
}

/** Half a second of silence, then each clip followed by {@link GAP} seconds of silence. */
export function streamAudio(clips: Clip[]): { audio: Buffer; utterances: Utterance[] } {
  const parts: Buffer[] = [Buffer.alloc(BYTES_PER_SECOND / 2)];
  const utterances: Utterance[] = [];
  let position = 0.5;
  for (const clip of clips) {
    const pcm = pcmOf(clip);
    utterances.push({ clip, start: position, end: position + pcm.byteLength / BYTES_PER_SECOND });
    position += pcm.byteLength / BYTES_PER_SECOND + GAP;
    parts.push(pcm, Buffer.alloc(GAP * BYTES_PER_SECOND));
  }
  return { audio: Buffer.concat(parts), utterances };
}

/**
 * Sends `audio` through `send` in 100 ms chunks at real-time pace. Returns when each second of the stream went
 * out: `sentAt(seconds)` is the wall time (performance.now) of the chunk carrying that moment.
 */
export async function sendPaced(audio: Buffer, send: (chunk: Buffer) => void): Promise<(seconds: number) => number> {
  /** Chunk i carries audio up to (i + 1) / 10 s. */
  const sentAt: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i * CHUNK < audio.byteLength; i++) {
    const wait = t0 + (i + 1) * 100 - performance.now();
    if (wait > 0) await sleep(wait);
    send(audio.subarray(i * CHUNK, (i + 1) * CHUNK));
    sentAt.push(performance.now());
  }
  return (seconds) => sentAt[Math.min(sentAt.length - 1, Math.ceil(seconds * 10) - 1)]!;
}

export interface StreamRun {
  finalDelays: number[];
  interimDelays: number[];
  dropped: number;
  audioSeconds: number;
  /** Per clip: its reference, the finals' transcript and the finals' words (with their confidences). */
  pairs: Array<{ reference: string; hypothesis: string; words: Array<{ word: string; confidence: number }> }>;
}

/**
 * One v1 live stream (`listen.v1.connect`) of `clips`, measured per utterance: final delay (the clip's last
 * chunk sent → the last final `Results` that starts inside it) and first-interim delay (first chunk sent → the
 * first non-empty interim).
 */
export async function runV1Stream(
  client: EarshotClient,
  clips: Clip[],
  stagger: number,
  endpointing?: number,
): Promise<StreamRun> {
  const { audio, utterances } = streamAudio(clips);
  const conn = client.listen.v1.connect({
    encoding: "linear16",
    sample_rate: 16_000,
    interim_results: true,
    ...(endpointing !== undefined ? { endpointing } : {}),
  });
  const received: Array<{ at: number; results: LiveResults }> = [];
  conn.on("Results", (results) => received.push({ at: performance.now(), results }));
  await conn.opened;
  await sleep(stagger);
  const sentAt = await sendPaced(audio, (chunk) => conn.send(chunk));
  const metadata = await conn.finish();

  const run: StreamRun = {
    finalDelays: [],
    interimDelays: [],
    // Metadata.duration is rounded to the millisecond.
    dropped: Math.max(0, audio.byteLength / BYTES_PER_SECOND - metadata.duration - 0.0005),
    audioSeconds: audio.byteLength / BYTES_PER_SECOND,
    pairs: [],
  };
  for (const [k, u] of utterances.entries()) {
    const next = utterances[k + 1]?.start ?? Number.POSITIVE_INFINITY;
    // Results belong to the utterance their first word falls in (speech plus the silence after it).
    const own = received.filter(({ results }) => {
      const first = results.channel.alternatives[0]?.words[0];
      return first !== undefined && first.start >= u.start - 0.3 && first.start < Math.min(next - 0.3, u.end + GAP);
    });
    const finals = own.filter(({ results }) => results.is_final);
    const last = finals[finals.length - 1];
    if (last) run.finalDelays.push(last.at - sentAt(u.end));
    const interim = own.find(({ results }) => !results.is_final);
    if (interim) run.interimDelays.push(interim.at - sentAt(u.start));
    run.pairs.push({
      reference: u.clip.reference,
      hypothesis: finals.map(({ results }) => results.channel.alternatives[0]!.transcript).join(" "),
      words: finals.flatMap(({ results }) => results.channel.alternatives[0]!.words),
    });
  }
  return run;
}
