/**
 * The `/v1/listen` options people actually toggle, as controls. Options the server does not implement yet are
 * still sent: the server says so in `metadata.warnings`, which the transcript shows.
 */
import type { ListenOptionsInput, ModelList } from "@earshot/sdk";
import { useId } from "preact/hooks";

export interface ListenChoices {
  model: string;
  language: string;
  punctuate: boolean;
  smart_format: boolean;
  utterances: boolean;
  paragraphs: boolean;
  diarize: boolean;
  /** Comma-separated. */
  keyterms: string;
}

export const DEFAULT_CHOICES: ListenChoices = {
  model: "",
  language: "",
  punctuate: true,
  smart_format: false,
  utterances: true,
  paragraphs: true,
  diarize: false,
  keyterms: "",
};

/** Options without `callback`, so a transcription answers with the transcript itself. */
export type DirectListenOptions = ListenOptionsInput & { callback?: undefined };

/** The query options for the choices: switched-off booleans and empty fields are left out. */
export function toListenOptions(choices: ListenChoices): DirectListenOptions {
  const options: DirectListenOptions = {};
  if (choices.model) options.model = choices.model;
  if (choices.language.trim()) options.language = choices.language.trim();
  for (const flag of ["punctuate", "smart_format", "utterances", "paragraphs", "diarize"] as const) {
    if (choices[flag]) options[flag] = true;
  }
  const keyterms = choices.keyterms
    .split(",")
    .map((term) => term.trim())
    .filter(Boolean);
  if (keyterms.length > 0) options.keyterm = keyterms;
  return options;
}

const FLAGS: { name: keyof ListenChoices; label: string; hint: string }[] = [
  { name: "punctuate", label: "Punctuate", hint: "punctuation and capitals" },
  { name: "smart_format", label: "Smart format", hint: "numbers, dates, currency" },
  { name: "utterances", label: "Utterances", hint: "segments at pauses" },
  { name: "paragraphs", label: "Paragraphs", hint: "paragraphs and sentences" },
  { name: "diarize", label: "Diarize", hint: "who spoke when" },
];

export function ListenOptionsForm(props: {
  choices: ListenChoices;
  onChange: (choices: ListenChoices) => void;
  models: ModelList | undefined;
  /** Live streams have no utterances or paragraphs. */
  live?: boolean;
  disabled?: boolean;
}) {
  const id = useId();
  const { choices, onChange, models } = props;
  const set = <K extends keyof ListenChoices>(name: K, value: ListenChoices[K]) =>
    onChange({ ...choices, [name]: value });
  const languages = [...new Set((models?.stt ?? []).flatMap((m) => m.languages))];
  const flags = props.live ? FLAGS.filter((f) => f.name !== "utterances" && f.name !== "paragraphs") : FLAGS;
  return (
    <fieldset class="options" disabled={props.disabled}>
      <legend>Options</legend>
      <div class="field">
        <label for={`${id}-model`}>Model</label>
        <select
          id={`${id}-model`}
          value={choices.model}
          onChange={(e) => set("model", e.currentTarget.value)}
          disabled={!models}
        >
          <option value="">Server default</option>
          {(models?.stt ?? [])
            .filter((m) => !props.live || m.streaming)
            .map((m) => (
              <option key={m.uuid} value={m.name}>
                {m.name}
              </option>
            ))}
        </select>
      </div>
      <div class="field">
        <label for={`${id}-language`}>Language</label>
        <input
          id={`${id}-language`}
          list={`${id}-languages`}
          value={choices.language}
          placeholder="model's default"
          autocomplete="off"
          onInput={(e) => set("language", e.currentTarget.value)}
        />
        <datalist id={`${id}-languages`}>
          {languages.map((l) => (
            <option key={l} value={l} />
          ))}
        </datalist>
      </div>
      <div class="field field-wide">
        <label for={`${id}-keyterms`}>Keyterms</label>
        <input
          id={`${id}-keyterms`}
          value={choices.keyterms}
          placeholder="comma-separated, e.g. Earshot, PocketSphinx"
          autocomplete="off"
          onInput={(e) => set("keyterms", e.currentTarget.value)}
        />
      </div>
      <div class="flags">
        {flags.map((flag) => (
          <label key={flag.name} class="check">
            <input
              type="checkbox"
              checked={choices[flag.name] as boolean}
              onChange={(e) => set(flag.name, e.currentTarget.checked)}
            />
            <span>
              {flag.label} <small>{flag.hint}</small>
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
