/**
 * The voices that install from Debian packages alone, found on this machine at start-up. Chosen by measuring
 * them here (engines-measured.md §4 and bench/tts): PocketSphinx's word error rate on 12 LJ Speech sentences
 * each voice read is the intelligibility figure below. Left out: flite's 8 kHz `kal` (56 % WER) and eSpeak NG
 * (87 %: fast, but its formant speech is mostly not understood).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { type InstalledModel, modelUuid, STREAMING } from "../models/registry.js";

export type VoiceGender = "feminine" | "masculine";

/** What a voice model carries beyond the common model fields. */
export interface VoiceInfo {
  /** The synthesiser's own name for the voice (flite `-voice`, festival `voice_…`). */
  engineVoice: string;
  /** Rate of the PCM the synthesiser produces. */
  sampleRate: number;
  gender: VoiceGender;
  accent: string;
  /** Whether the synthesiser changes its speaking rate itself; otherwise the encoder time-stretches. */
  nativeSpeed: boolean;
  description: string;
}

/** Whether `command` runs here (found on the PATH and executable). */
const runs = (command: string, args: string[]): boolean =>
  spawnSync(command, args, { stdio: "ignore", timeout: 5000 }).error === undefined;

interface VoiceSpec extends VoiceInfo {
  name: string;
  architecture: "flite" | "festival";
  version: string;
  source: string;
}

const FLITE_VOICES: Omit<VoiceSpec, "architecture" | "version" | "source" | "nativeSpeed" | "sampleRate">[] = [
  {
    name: "flite-rms-en",
    engineVoice: "rms",
    gender: "masculine",
    accent: "American",
    description: "American man (CMU ARCTIC rms, clustergen); the most intelligible voice here (18 % WER).",
  },
  {
    name: "flite-slt-en",
    engineVoice: "slt",
    gender: "feminine",
    accent: "American",
    description: "American woman (CMU ARCTIC slt, clustergen); fast.",
  },
  {
    name: "flite-awb-en",
    engineVoice: "awb",
    gender: "masculine",
    accent: "Scottish",
    description: "Scottish man (CMU ARCTIC awb, clustergen).",
  },
  {
    name: "flite-kal16-en",
    engineVoice: "kal16",
    gender: "masculine",
    accent: "American",
    description: "American man (diphone, kal16); the fastest voice, robotic.",
  },
];

/** Debian's flite binary links all its voices in; `flite -lv` says which (none when flite is missing). */
function fliteVoices(): string[] {
  try {
    const out = execFileSync("flite", ["-lv"], { encoding: "utf8", timeout: 5000 });
    return out.replace(/^.*:/, "").trim().split(/\s+/);
  } catch {
    return [];
  }
}

const FESTIVAL_HTS_DIR = "/usr/share/festival/voices/us/cmu_us_slt_arctic_hts";

function voiceSpecs(): VoiceSpec[] {
  const specs: VoiceSpec[] = [];
  if (existsSync(FESTIVAL_HTS_DIR) && runs("festival", ["--version"])) {
    specs.push({
      name: "festival-slt-hts-en",
      architecture: "festival",
      version: "2.5",
      source: "Debian festival + festvox-us-slt-hts",
      engineVoice: "cmu_us_slt_arctic_hts",
      sampleRate: 32000,
      gender: "feminine",
      accent: "American",
      nativeSpeed: false,
      description: "American woman (CMU ARCTIC slt, HTS statistical parametric); the most natural voice here.",
    });
  }
  const available = new Set(fliteVoices());
  for (const voice of FLITE_VOICES) {
    if (!available.has(voice.engineVoice)) continue;
    specs.push({
      ...voice,
      architecture: "flite",
      version: "2.2",
      source: "Debian flite",
      sampleRate: 16000,
      nativeSpeed: true,
    });
  }
  return specs;
}

export function builtInVoices(): InstalledModel[] {
  return voiceSpecs().map(({ name, architecture, version, source, ...voice }) => ({
    name,
    kind: "tts",
    architecture,
    languages: ["en", "en-US"],
    version,
    uuid: modelUuid(name),
    capabilities: STREAMING,
    files: {},
    source,
    voice,
  }));
}
