/**
 * bench/diarize `--server`: conversations through `POST /v1/listen` on a real Earshot server, as is and with
 * `diarize=true`, scored by the speakers the response's words carry.
 */
import type { ListenResponse } from "@earshot/protocol";
import { startServer } from "@earshot/server";
import type { Conversation } from "./conversations.js";
import { toWav } from "./corpus.js";
import { wordSpeakerAccuracy } from "./der.js";

export interface ServedDiarization {
  /** Speakers the words name. */
  speakers: number;
  words: number;
  correctWords: number;
  /** Wall time of the request without and with `diarize=true`. */
  plainSeconds: number;
  diarizedSeconds: number;
}

export async function startDiarizeServer() {
  const server = await startServer({ host: "127.0.0.1", port: 0, logLevel: "warn", engine: { workers: 1 } });
  const post = async (wav: Uint8Array, query: string): Promise<{ response: ListenResponse; seconds: number }> => {
    const started = performance.now();
    const res = await fetch(`${server.url}/v1/listen?${query}`, {
      method: "POST",
      headers: { "content-type": "audio/wav" },
      body: new Uint8Array(wav),
    });
    if (!res.ok) throw new Error(`POST /v1/listen: ${res.status} ${await res.text()}`);
    const response = (await res.json()) as ListenResponse;
    return { response, seconds: (performance.now() - started) / 1000 };
  };
  return {
    async transcribe(conversation: Conversation): Promise<ServedDiarization> {
      const wav = toWav(conversation.samples);
      const plain = await post(wav, "");
      const diarized = await post(wav, "diarize=true");
      const words = diarized.response.results.channels[0]?.alternatives[0]?.words ?? [];
      const labelled = words.map((w) => ({ ...w, speaker: w.speaker ?? 0 }));
      const accuracy = wordSpeakerAccuracy(conversation.reference, labelled);
      return {
        speakers: new Set(labelled.map((w) => w.speaker)).size,
        words: accuracy.words,
        correctWords: accuracy.correct,
        plainSeconds: plain.seconds,
        diarizedSeconds: diarized.seconds,
      };
    },
    close: () => server.close(),
  };
}
