/**
 * A pool worker: decodes, finds speech and recognises, off the event loop. Each worker loads a model the
 * first time a task names it and keeps it, so models cost their load time once per worker.
 */
import { createHash } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import { serializeError } from "@earshot/protocol";
import type { Vad } from "sherpa-onnx-node";
import { Architectures } from "../architectures.js";
import { decodeAudio } from "../audio/decode.js";
import { downmix, durationOf, toInt16 } from "../audio/pcm.js";
import { diarizationMethod } from "../diarize/diarizers.js";
import type { Diarizer, SpeakerTurn } from "../diarize/types.js";
import { RECOGNIZER_SAMPLE_RATE, type Recognizer } from "../recognizer.js";
import { pieceVad, planPieces } from "../segment.js";
import { WorkerSessions } from "../stream/worker-sessions.js";
import { createVad, detectSpeech, type SpeechSpan } from "../vad/silero.js";
import type {
  ModelLoad,
  PreparedPiece,
  PrepareResult,
  PrepareTask,
  RecognizeResult,
  RecognizeTask,
  Task,
  WorkerInit,
  WorkerLiveDecoders,
  WorkerReply,
  WorkerUnloaded,
} from "./messages.js";

const init = workerData as WorkerInit;
const architectures = new Architectures(init.architectures);
/**
 * Recognisers by model name, built on first use (a failed build is tried again by the next task) and unloaded
 * after `idleUnloadMs` without a task.
 */
const recognizers = new Map<string, { recognizer: Promise<Recognizer>; lastUsed: number; busy: number }>();
let vad: Vad | undefined;
/** The default diarization method's batch diarizer, built on the first `diarize` request. */
let diarizer: Diarizer | undefined;
const sessions = new WorkerSessions(init.live, architectures, (liveDecoders) =>
  parentPort!.postMessage({ liveDecoders } satisfies WorkerLiveDecoders),
);
setInterval(() => sessions.freeSpareDecoders(), Math.max(100, init.live.spareIdleMs / 3)).unref();

/** Where the channel has speech: the VAD's spans, or the whole channel without a VAD model. */
function speechOf(samples: Float32Array, task: PrepareTask): SpeechSpan[] {
  const duration = samples.length / RECOGNIZER_SAMPLE_RATE;
  if (!init.vadModel) return duration > 0 ? [{ start: 0, end: duration }] : [];
  vad ??= createVad(init.vadModel, pieceVad(task.maxPiece));
  return detectSpeech(vad, samples);
}

function piecesOf(
  samples: Float32Array,
  speech: SpeechSpan[],
  task: PrepareTask,
  turns: SpeakerTurn[] | undefined,
): PreparedPiece[] {
  const duration = samples.length / RECOGNIZER_SAMPLE_RATE;
  // Without a VAD model the whole channel is one piece; with one, only the speech is decoded.
  if (!init.vadModel) return [{ start: 0, end: duration, pcm: toInt16(samples) }];
  return planPieces(speech, duration, { maxPiece: task.maxPiece, ...(turns ? { turns } : {}) }).map((piece) => ({
    ...piece,
    pcm: toInt16(
      samples.subarray(
        Math.round(piece.start * RECOGNIZER_SAMPLE_RATE),
        Math.round(piece.end * RECOGNIZER_SAMPLE_RATE),
      ),
    ),
  }));
}

/**
 * Who speaks when over the whole channel, before it is cut into pieces: one clustering sees every piece, so a
 * speaker keeps their number from one piece to the next.
 */
async function speakersOf(samples: Float32Array, speech: SpeechSpan[], task: PrepareTask): Promise<SpeakerTurn[]> {
  diarizer ??= diarizationMethod().createDiarizer();
  return (await diarizer.diarize(samples, speech, task.diarize)).turns;
}

async function prepare(task: PrepareTask): Promise<PrepareResult> {
  const sha256 = createHash("sha256").update(task.bytes).digest("hex");
  const audio = await decodeAudio(task.bytes, {
    sampleRate: RECOGNIZER_SAMPLE_RATE,
    raw: task.raw,
    ffmpegBinary: init.ffmpegBinary,
  });
  const sources = task.multichannel ? audio.channels : [downmix(audio)];
  const speech = sources.map((samples) => speechOf(samples, task));
  // One diarization serves both: the speaker labels `diarize` asks for, and pieces cut at changes of speaker.
  // A channel with a single stretch of speech (the whole channel, without a VAD) cannot be cut, so it is
  // diarized only when asked.
  const speakers = await Promise.all(
    sources.map((samples, c) =>
      task.diarize || (task.speakerPieces && speech[c]!.length > 1) ? speakersOf(samples, speech[c]!, task) : undefined,
    ),
  );
  return {
    sha256,
    duration: durationOf(audio),
    channelCount: audio.channels.length,
    channels: sources.map((samples, c) =>
      piecesOf(samples, speech[c]!, task, task.speakerPieces ? speakers[c] : undefined),
    ),
    ...(task.diarize ? { speakers: speakers.map((turns) => turns ?? []) } : {}),
  };
}

/** The model load the current task caused, reported with its reply (for the server's metrics and status). */
let loaded: ModelLoad | undefined;

const MB = 1024 * 1024;

async function recognize(task: RecognizeTask): Promise<RecognizeResult> {
  const name = task.model.name;
  let entry = recognizers.get(name);
  if (!entry) {
    const started = performance.now();
    // Resident memory is the process's, shared by every worker: its growth over the load is the model's
    // footprint as long as nothing else loads at the same moment.
    const rss = process.memoryUsage.rss();
    const recognizer = architectures.createRecognizer(task.model);
    void recognizer.then(
      () => {
        const memoryMb = Math.max(0, Math.round((process.memoryUsage.rss() - rss) / MB));
        loaded = { model: name, seconds: (performance.now() - started) / 1000, memoryMb };
      },
      () => {},
    );
    entry = { recognizer, lastUsed: Date.now(), busy: 0 };
    recognizers.set(name, entry);
    recognizer.catch(() => recognizers.delete(name));
  }
  entry.busy++;
  try {
    return await (await entry.recognizer).recognize(task.pcm, task.options);
  } finally {
    entry.busy--;
    entry.lastUsed = Date.now();
  }
}

/** Frees what has not been used for `idleUnloadMs`: recognisers (telling the pool) and idle live decoders. */
function unloadIdle(idleMs: number): void {
  const before = Date.now() - idleMs;
  for (const [name, entry] of recognizers) {
    if (entry.busy > 0 || entry.lastUsed > before) continue;
    recognizers.delete(name);
    void entry.recognizer.then((r) => r.dispose());
    parentPort!.postMessage({ unloaded: name } satisfies WorkerUnloaded);
  }
  sessions.disposeIdle(before);
}

if (init.idleUnloadMs !== false) {
  const idleMs = init.idleUnloadMs;
  setInterval(() => unloadIdle(idleMs), Math.min(60_000, Math.max(100, idleMs / 4))).unref();
}

parentPort!.on("message", async ({ id, task }: { id: number; task: Task }) => {
  let reply: WorkerReply;
  const transfer: ArrayBuffer[] = [];
  loaded = undefined;
  try {
    if (task.type === "prepare") {
      const result = await prepare(task);
      for (const channel of result.channels)
        for (const piece of channel) transfer.push(piece.pcm.buffer as ArrayBuffer);
      reply = { id, ok: true, result };
    } else if (task.type === "recognize") {
      reply = { id, ok: true, result: await recognize(task), ...(loaded ? { loaded } : {}) };
    } else {
      reply = { id, ok: true, result: await sessions.run(task) };
    }
  } catch (err) {
    reply = { id, ok: false, error: serializeError(err) };
  }
  parentPort!.postMessage(reply, transfer);
});
