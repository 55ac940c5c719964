/**
 * A pool worker: decodes, finds speech and recognises, off the event loop. Each worker loads a model the
 * first time a task names it and keeps it, so models cost their load time once per worker.
 */
import { createHash } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import { EarshotError } from "@earshot/protocol";
import type { Vad } from "sherpa-onnx-node";
import { decodeAudio } from "../audio/decode.js";
import { downmix, durationOf, toInt16 } from "../audio/pcm.js";
import { createRecognizer } from "../engines.js";
import type { Recognizer } from "../recognizer.js";
import { RECOGNIZER_SAMPLE_RATE } from "../recognizer.js";
import { planPieces } from "../segment.js";
import { WorkerSessions } from "../stream/worker-sessions.js";
import { createVad, detectSpeech } from "../vad/silero.js";
import type {
  PreparedPiece,
  PrepareResult,
  PrepareTask,
  RecognizeTask,
  Task,
  WorkerInit,
  WorkerReply,
} from "./messages.js";

const init = workerData as WorkerInit;
const recognizers = new Map<string, Recognizer>();
let vad: Vad | undefined;
const sessions = new WorkerSessions(init.live);

function piecesOf(samples: Float32Array, task: PrepareTask): PreparedPiece[] {
  const duration = samples.length / RECOGNIZER_SAMPLE_RATE;
  // Without a VAD model the whole channel is one piece; with one, only the speech is decoded.
  if (!init.vadModel) return [{ start: 0, end: duration, pcm: toInt16(samples) }];
  vad ??= createVad(init.vadModel, { maxSpeech: task.maxPiece });
  return planPieces(detectSpeech(vad, samples), duration, { maxPiece: task.maxPiece }).map((piece) => ({
    ...piece,
    pcm: toInt16(
      samples.subarray(
        Math.round(piece.start * RECOGNIZER_SAMPLE_RATE),
        Math.round(piece.end * RECOGNIZER_SAMPLE_RATE),
      ),
    ),
  }));
}

async function prepare(task: PrepareTask): Promise<PrepareResult> {
  const sha256 = createHash("sha256").update(task.bytes).digest("hex");
  const audio = await decodeAudio(task.bytes, {
    sampleRate: RECOGNIZER_SAMPLE_RATE,
    raw: task.raw,
    ffmpegBinary: init.ffmpegBinary,
  });
  const sources = task.multichannel ? audio.channels : [downmix(audio)];
  return {
    sha256,
    duration: durationOf(audio),
    channelCount: audio.channels.length,
    channels: sources.map((samples) => piecesOf(samples, task)),
  };
}

/** The model load the current task caused, reported with its reply (for the server's metrics). */
let loaded: { model: string; seconds: number } | undefined;

function recognize(task: RecognizeTask) {
  let recognizer = recognizers.get(task.model.name);
  if (!recognizer) {
    const started = performance.now();
    recognizer = createRecognizer(task.model);
    loaded = { model: task.model.name, seconds: (performance.now() - started) / 1000 };
    recognizers.set(task.model.name, recognizer);
  }
  return recognizer.recognize(task.pcm);
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
      reply = { id, ok: true, result: recognize(task), ...(loaded ? { loaded } : {}) };
    } else {
      reply = { id, ok: true, result: await sessions.run(task) };
    }
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply = {
      id,
      ok: false,
      error: {
        name: e.name,
        message: e.message,
        status: e instanceof EarshotError ? e.status : 500,
        code: e instanceof EarshotError ? e.code : "INTERNAL_SERVER_ERROR",
      },
    };
  }
  parentPort!.postMessage(reply, transfer);
});
