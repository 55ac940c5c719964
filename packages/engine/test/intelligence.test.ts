/** Text intelligence in Deepgram's shapes: summaries, topics, intents, sentiment and language of text. */
import { detectTextLanguage, formatWords, listenIntelligence, readText } from "@earshot/engine";
import { ReadResponseSchema } from "@earshot/protocol";
import { describe, expect, it } from "vitest";

const CALL =
  "Hi, I'm calling to get a refund on my recent purchase. Sure, I'd be happy to help you with that. " +
  "What was the number for your order? It was order four five six. I love the support you give, but the phone " +
  "arrived broken and the screen is cracked. That is terrible and I am very angry about it. Can I upgrade my phone " +
  "instead of the refund? Yes, we can upgrade your phone today. Thank you so much, that is wonderful news.";

const meta = { requestId: "r-1", created: "2026-01-01T00:00:00.000Z", modelUuid: "m-1" };

describe("/v1/read analysis", () => {
  const response = readText(CALL, { summarize: true, topics: true, intents: true, sentiment: true }, meta);

  it("is a valid read response with usage per feature", () => {
    expect(ReadResponseSchema.parse(response)).toEqual(response);
    expect(response.metadata).toMatchObject({ request_id: "r-1", language: "en" });
    expect(response.metadata.summary_info).toMatchObject({ model_uuid: "m-1", input_tokens: CALL.split(" ").length });
  });

  it("summarises with sentences of the text, shorter than it", () => {
    const summary = response.results.summary!.text;
    expect(summary.length).toBeLessThan(CALL.length / 2);
    for (const sentence of summary.split(/(?<=[.?!]) /)) expect(CALL).toContain(sentence);
  });

  it("finds topics and intents in segments that index the text's words", () => {
    const words = CALL.split(" ");
    const topics = response.results.topics!.results.topics.segments;
    expect(topics.length).toBeGreaterThan(0);
    for (const s of topics) expect(words.slice(s.start_word, s.end_word).join(" ")).toBe(s.text);
    const intents = response.results.intents!.results.intents.segments.flatMap((s) => s.intents.map((i) => i.intent));
    expect(intents).toEqual(expect.arrayContaining(["Get refund", "Upgrade phone"]));
  });

  it("scores sentiment per segment and on average in [-1, 1], with Deepgram's labels", () => {
    const { segments, average } = response.results.sentiments!;
    expect(segments.map((s) => s.sentiment)).toEqual(expect.arrayContaining(["positive", "negative"]));
    const angry = segments.find((s) => s.text.includes("very angry"))!;
    expect(angry.sentiment).toBe("negative");
    expect(angry.sentiment_score).toBeLessThan(-1 / 3);
    expect(Math.abs(average.sentiment_score)).toBeLessThanOrEqual(1);
  });

  it("keeps only custom topics and intents in strict mode", () => {
    const strict = readText(
      CALL,
      {
        topics: true,
        custom_topic: ["refund", "order number"],
        custom_topic_mode: "strict",
        intents: true,
        custom_intent: ["upgrade phone"],
        custom_intent_mode: "strict",
      },
      meta,
    );
    const topics = strict.results.topics!.results.topics.segments.flatMap((s) => s.topics.map((t) => t.topic));
    expect(new Set(topics)).toEqual(new Set(["refund", "order number"]));
    const intents = strict.results.intents!.results.intents.segments.flatMap((s) => s.intents.map((i) => i.intent));
    expect(new Set(intents)).toEqual(new Set(["upgrade phone"]));
  });

  it("returns a text under 50 words as its own summary", () => {
    expect(readText("Short and sweet.", { summarize: true }, meta).results.summary).toEqual({
      text: "Short and sweet.",
    });
  });
});

describe("listen intelligence", () => {
  it("answers summarize=v2 with results.summary and summarize=true with v1 summaries", () => {
    const words = CALL.split(" ").map((w, i) => ({
      word: w.toLowerCase(),
      punctuated_word: w,
      start: i,
      end: i + 0.5,
      confidence: 1,
    }));
    const v2 = listenIntelligence(words, { summarize: "v2", sentiment: true });
    expect(v2.summary).toMatchObject({ result: "success" });
    expect(v2.sentiments?.segments[0]?.start_word).toBe(0);
    const v1 = listenIntelligence(words, { summarize: "true" });
    expect(v1.summaries).toEqual([{ summary: expect.any(String), start_word: 0, end_word: words.length }]);
  });

  it("runs on formatted recogniser words", () => {
    const spoken = "i want to cancel my subscription because the service is awful and i hate it".split(" ");
    const { words } = formatWords(
      spoken.map((word, i) => ({ word, start: i * 0.3, end: i * 0.3 + 0.2, confidence: 0.9 })),
      { punctuate: true },
    );
    const result = listenIntelligence(words, { intents: true, sentiment: true });
    expect(result.intents!.results.intents.segments[0]!.intents[0]!.intent).toBe("Cancel subscription");
    expect(result.sentiments!.average.sentiment).toBe("negative");
  });
});

describe("language of text", () => {
  it("tells English from French and German", () => {
    expect(detectTextLanguage("The quick brown fox jumps over the lazy dog near the river bank.")).toBe("en");
    expect(detectTextLanguage("Le renard brun rapide saute par-dessus le chien paresseux près de la rivière.")).toBe(
      "fr",
    );
    expect(detectTextLanguage("Der schnelle braune Fuchs springt über den faulen Hund am Flussufer.")).toBe("de");
  });
});
