/**
 * Deepgram's and OpenAI's voice names, mapped to our voices so their clients get a sensible voice rather than
 * an error. The table is the documentation (`earshot voices --aliases` prints it): each name maps by the
 * vendor's own description — gender first, then accent — to the closest installed voice. Women speak with
 * Festival's HTS slt (the most natural) and men with flite's rms (the most intelligible); the British, Irish
 * and Australian men get flite's Scottish awb, the nearest non-American accent we have. Names not in the
 * table (other languages, typos) are refused with the list of choices.
 */
import { InvalidRequestError, UnavailableError } from "@earshot/protocol";
import type { InstalledModel } from "../models/registry.js";
import type { VoiceGender } from "./voices.js";

export interface VoiceAlias {
  /** The voice we serve for it. */
  voice: string;
  /** Used when `voice` is not installed: any installed voice of this gender. */
  gender: VoiceGender;
}

const FEMININE = "festival-slt-hts-en";
const MASCULINE = "flite-rms-en";
const MASCULINE_NON_US = "flite-awb-en";
const DEEP = "flite-kal16-en";
const LIGHT_FEMININE = "flite-slt-en";

const feminine = (voice = FEMININE): VoiceAlias => ({ voice, gender: "feminine" });
const masculine = (voice = MASCULINE): VoiceAlias => ({ voice, gender: "masculine" });

/** Deepgram Aura 2 English voices (`aura-2-<name>-en`), by Deepgram's voice descriptions. */
const AURA_2: Record<string, VoiceAlias> = {
  amalthea: feminine(),
  andromeda: feminine(),
  apollo: masculine(),
  arcas: masculine(),
  aries: masculine(),
  asteria: feminine(),
  athena: feminine(),
  atlas: masculine(),
  aurora: feminine(),
  callista: feminine(),
  cora: feminine(),
  cordelia: feminine(),
  delia: feminine(),
  draco: masculine(MASCULINE_NON_US), // British
  electra: feminine(),
  harmonia: feminine(),
  helena: feminine(),
  hera: feminine(),
  hermes: masculine(),
  hyperion: masculine(MASCULINE_NON_US), // Australian
  iris: feminine(),
  janus: feminine(),
  juno: feminine(),
  jupiter: masculine(),
  luna: feminine(),
  mars: masculine(),
  minerva: feminine(),
  neptune: masculine(),
  odysseus: masculine(),
  ophelia: feminine(),
  orion: masculine(),
  orpheus: masculine(),
  pandora: feminine(), // British; we have no British woman
  phoebe: feminine(),
  pluto: masculine(),
  saturn: masculine(),
  selene: feminine(),
  thalia: feminine(),
  theia: feminine(), // Australian
  vesta: feminine(),
  zeus: masculine(),
};

/** Deepgram Aura 1 voices (`aura-<name>-en`); `aura-asteria-en` is Deepgram's documented default. */
const AURA_1: Record<string, VoiceAlias> = {
  angus: masculine(MASCULINE_NON_US), // Irish
  arcas: masculine(),
  asteria: feminine(),
  athena: feminine(), // British
  helios: masculine(MASCULINE_NON_US), // British
  hera: feminine(),
  luna: feminine(),
  orion: masculine(),
  orpheus: masculine(),
  perseus: masculine(),
  stella: feminine(),
  zeus: masculine(DEEP),
};

/** OpenAI's voices (`voice` of `/v1/audio/speech`). */
const OPENAI: Record<string, VoiceAlias> = {
  alloy: feminine(),
  ash: masculine(),
  ballad: masculine(MASCULINE_NON_US), // British
  cedar: masculine(),
  coral: feminine(),
  echo: masculine(DEEP),
  fable: masculine(MASCULINE_NON_US), // British
  marin: feminine(),
  nova: feminine(),
  onyx: masculine(DEEP), // deep
  sage: feminine(LIGHT_FEMININE),
  shimmer: feminine(LIGHT_FEMININE),
  verse: masculine(),
};

/** Every alias as `name → alias`, for lookups and for printing the table. */
export const VOICE_ALIASES: ReadonlyMap<string, VoiceAlias> = new Map([
  ...Object.entries(AURA_2).map(([name, alias]): [string, VoiceAlias] => [`aura-2-${name}-en`, alias]),
  ...Object.entries(AURA_1).map(([name, alias]): [string, VoiceAlias] => [`aura-${name}-en`, alias]),
  ...Object.entries(OPENAI),
]);

/** The voice Deepgram uses when a request names none. */
export const DEFAULT_VOICE_ALIAS = "aura-asteria-en";

export interface VoiceResolution {
  voice: InstalledModel;
  /** The requested name when it was an alias (or absent, meaning the default), not a voice of ours. */
  aliasOf: string | undefined;
}

/**
 * A voice name → an installed voice: our own names first, then the alias table; undefined when the name means
 * nothing here. Without a name, the voice Deepgram's default stands for.
 */
export function findVoice(voices: InstalledModel[], name: string | undefined): VoiceResolution | undefined {
  const exact = name === undefined ? undefined : voices.find((v) => v.name === name || v.uuid === name);
  if (exact) return { voice: exact, aliasOf: undefined };
  const alias = VOICE_ALIASES.get((name ?? DEFAULT_VOICE_ALIAS).toLowerCase());
  if (!alias || voices.length === 0) return undefined;
  const voice =
    voices.find((v) => v.name === alias.voice) ?? voices.find((v) => v.voice?.gender === alias.gender) ?? voices[0]!;
  return { voice, aliasOf: name ?? DEFAULT_VOICE_ALIAS };
}

/** A request's voice name → an installed voice, or the error that says why there is none. */
export function resolveVoiceName(voices: InstalledModel[], name: string | undefined): VoiceResolution {
  if (voices.length === 0) {
    throw new UnavailableError(
      "No text-to-speech voice is installed: install Debian's flite (or festival and festvox-us-slt-hts).",
    );
  }
  const found = findVoice(voices, name);
  if (!found) {
    throw new InvalidRequestError(
      `Unknown voice '${name}'. Installed voices: ${voices.map((v) => v.name).join(", ")}; Deepgram English voice names (aura-2-thalia-en, aura-asteria-en, …) and OpenAI voice names (alloy, nova, …) are accepted too.`,
    );
  }
  return found;
}
