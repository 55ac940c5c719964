/** The whisper.cpp {@link Recognizer}: one model per worker, one VAD piece per `full()` call. */
import { toFloat32 } from "../audio/pcm.js";
import { RECOGNIZER_SAMPLE_RATE, type Recognizer } from "../recognizer.js";
import type { WhisperModel } from "./binding.js";
import { whisperLanguage } from "./language.js";
import type { ResolvedWhisperOptions } from "./options.js";
import { wordsOfSegments } from "./words.js";

export function createWhisperRecognizer(whisper: WhisperModel, options: ResolvedWhisperOptions): Recognizer {
  return {
    async recognize(pcm, recognize) {
      const language = whisperLanguage(whisper.multilingual, recognize);
      const decoding = await whisper.decode(toFloat32(pcm), {
        language,
        threads: options.threads,
        audioCtxMargin: options.audioCtxMargin,
      });
      const words = wordsOfSegments(decoding.segments, pcm.length / RECOGNIZER_SAMPLE_RATE);
      return {
        words,
        // The binding reports the language whisper chose but not its probability: no confidence is made up.
        ...(language === "auto" && decoding.language ? { language: { language: decoding.language } } : {}),
      };
    },
    // The model is the architecture module's to free (see architecture.ts).
    dispose() {},
  };
}
