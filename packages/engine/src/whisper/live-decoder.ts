/**
 * The whisper.cpp {@link LiveDecoder}: whisper has no streaming mode, so the open utterance (which the stream's
 * VAD delimits) is re-decoded as it grows and words are committed by LocalAgreement-2. Once committed, the audio
 * under them leaves the decoding window, so each pass costs what the uncommitted tail costs, not the whole
 * utterance.
 *
 * Compute budget: a pass is only run when enough new audio has arrived — at least `MIN_STEP`, and at least
 * twice what the previous pass took — so interim decoding takes at most half of real time however slow the
 * machine is, and the stream's lag cannot grow. Skipped passes only mean fewer interims: every sample is still
 * decoded by the final pass at the endpoint.
 */
import { toFloat32 } from "../audio/pcm.js";
import { RECOGNIZER_SAMPLE_RATE, type RecognizedWord } from "../recognizer.js";
import type { LiveDecoder } from "../stream/live-decoder.js";
import { agreedPrefix } from "./agreement.js";
import type { WhisperModel } from "./binding.js";
import { whisperLanguage } from "./language.js";
import type { ResolvedWhisperOptions } from "./options.js";
import { wordsOfSegments } from "./words.js";

const RATE = RECOGNIZER_SAMPLE_RATE;
/** Least new audio, seconds, before another interim pass: shorter steps rarely change the hypothesis. */
const MIN_STEP = 1;
/** Largest share of real time interim passes may use. */
const INTERIM_BUDGET = 0.5;
/** A window shorter than this (seconds) after the last committed word holds no further word. */
const MIN_TAIL = 0.2;

export function createWhisperLiveDecoder(whisper: WhisperModel, options: ResolvedWhisperOptions): LiveDecoder {
  const language = whisperLanguage(whisper.multilingual);
  let audio = new Int16Array(RATE * 4);
  let length = 0;
  /** Words two passes agreed on, in utterance time. */
  let committed: RecognizedWord[] = [];
  /** The last pass's words after the committed ones. */
  let tentative: RecognizedWord[] = [];
  /** Sample where the decoding window starts: the end of the last committed word. */
  let windowStart = 0;
  let decodedUpTo = 0;
  /** Seconds the last pass took. */
  let lastCost = 0;

  const clear = (): void => {
    length = 0;
    committed = [];
    tentative = [];
    windowStart = 0;
    decodedUpTo = 0;
    lastCost = 0;
  };

  const decodeWindow = async (): Promise<RecognizedWord[]> => {
    const pcm = audio.subarray(windowStart, length);
    const started = performance.now();
    const { segments } = await whisper.decode(toFloat32(pcm), {
      language,
      threads: options.threads,
      audioCtxMargin: options.audioCtxMargin,
    });
    lastCost = (performance.now() - started) / 1000;
    decodedUpTo = length;
    const offset = windowStart / RATE;
    return wordsOfSegments(segments, pcm.length / RATE).map((w) => ({
      ...w,
      start: w.start + offset,
      end: w.end + offset,
    }));
  };

  return {
    start: clear,
    feed(pcm) {
      if (length + pcm.length > audio.length) {
        const grown = new Int16Array(Math.max(audio.length * 2, length + pcm.length));
        grown.set(audio.subarray(0, length));
        audio = grown;
      }
      audio.set(pcm, length);
      length += pcm.length;
    },
    async partial() {
      const fresh = (length - decodedUpTo) / RATE;
      if (fresh < Math.max(MIN_STEP, lastCost / INTERIM_BUDGET)) return [...committed, ...tentative];
      const current = await decodeWindow();
      const agreed = agreedPrefix(tentative, current);
      if (agreed > 0) {
        committed = [...committed, ...current.slice(0, agreed)];
        windowStart = Math.min(length, Math.round(current[agreed - 1]!.end * RATE));
      }
      tentative = current.slice(agreed);
      return [...committed, ...tentative];
    },
    async finish() {
      const rest = (length - windowStart) / RATE >= MIN_TAIL ? await decodeWindow() : [];
      const words = [...committed, ...rest];
      clear();
      return words;
    },
    // The model belongs to the worker's architecture module, shared by its decoders.
    dispose() {},
  };
}
