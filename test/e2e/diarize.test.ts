/**
 * Diarization on real speech: a held-out two-speaker conversation built from the shared multi-dev clips
 * (speakers never used to choose the diarizer's settings), through the engine's public diarization API.
 * Fails, with the reason, when the shared speech set is missing.
 */
import { ConversationBuilder, conversationSpecs } from "@earshot/bench/conversations";
import { diarizationError, wordSpeakerAccuracy } from "@earshot/bench/der";
import {
  createVad,
  DEFAULT_DIARIZATION,
  detectSpeech,
  diarizationMethod,
  labelWords,
  ModelRegistry,
  pieceVad,
} from "@earshot/engine";
import { describe, expect, it } from "vitest";

describe("diarization of a real two-speaker conversation", () => {
  // Held-out LibriSpeech 2414 M + 2609 M: same corpus, same gender, the hard case.
  const spec = conversationSpecs("held-out").find((s) => s.name.endsWith("2spk-01-2414-2609"));
  const conversation = new ConversationBuilder().build(spec!);
  const vad = createVad(new ModelRegistry().vad()!.files.model!, pieceVad(20));
  const speech = detectSpeech(vad, conversation.samples);
  const method = diarizationMethod(DEFAULT_DIARIZATION);

  it("finds the two speakers, with a diarization error rate under 20 %", async () => {
    const result = await method.createDiarizer().diarize(conversation.samples, speech);
    expect(result.speakers).toBe(2);
    const error = diarizationError(conversation.reference, result.turns);
    expect(error.der).toBeLessThan(0.2);
    // Speaker numbers follow the order of first appearance.
    expect(result.turns[0]!.speaker).toBe(0);
  });

  it("labels a live stream's words with speaker numbers that hold across pauses", () => {
    const online = method.createOnlineDiarizer();
    // Words stand in for the recogniser's: 0.4 s pieces of the reference speech, one result per VAD span.
    const words = conversation.reference.flatMap((segment) =>
      Array.from({ length: Math.max(1, Math.floor((segment.end - segment.start) / 0.4)) }, (_, i) => ({
        start: segment.start + 0.4 * i,
        end: Math.min(segment.end, segment.start + 0.4 * i + 0.35),
      })),
    );
    const labelled = [];
    let fed = 0;
    for (const span of speech) {
      const until = Math.min(conversation.samples.length, Math.round((span.end + 0.3) * 16_000));
      for (; fed < until; fed += 1600) online.feed(conversation.samples.subarray(fed, Math.min(until, fed + 1600)));
      fed = until;
      labelled.push(
        ...online.label(
          words.filter((w) => w.start >= span.start && w.start < span.end),
          true,
        ),
      );
    }
    expect(online.speakers).toBe(2);
    expect(wordSpeakerAccuracy(conversation.reference, labelled).accuracy).toBeGreaterThan(0.8);
  });

  it("gives the recognised words of a batch transcript their speakers", async () => {
    const result = await method.createDiarizer().diarize(conversation.samples, speech);
    const words = conversation.reference.map((s) => ({ word: "x", start: s.start, end: s.end, confidence: 1 }));
    const labelled = labelWords(words, result.turns);
    expect(labelled[0]!.speaker).toBe(0);
    expect(wordSpeakerAccuracy(conversation.reference, labelled).accuracy).toBeGreaterThan(0.8);
  });
});
