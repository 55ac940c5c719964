/**
 * whisper.cpp's for-tests models (`../shared/models-for-tests`: real hyper-parameters, no tensors, so real
 * compute cost and meaningless words), installed into a models folder the way `earshot models` installs a
 * whisper model: the ggml file beside an `earshot-model.json` manifest.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sharedDir } from "./corpus.js";

export interface ForTestsWhisper {
  /** Installed model name, e.g. `whisper-tiny.en-for-tests`. */
  name: string;
  /** Size and variant as whisper.cpp names them: `tiny.en`, `base.en`, `small.en`, `tiny`. */
  size: string;
  /** Weights the real f16 model adds to the memory the for-tests file uses, MB. */
  weightsMb: number;
}

export const FOR_TESTS_WHISPER: ForTestsWhisper[] = [
  { name: "whisper-tiny.en-for-tests", size: "tiny.en", weightsMb: 75 },
  { name: "whisper-tiny-for-tests", size: "tiny", weightsMb: 75 },
  { name: "whisper-base.en-for-tests", size: "base.en", weightsMb: 142 },
  { name: "whisper-small.en-for-tests", size: "small.en", weightsMb: 466 },
];

/** Installs the for-tests whisper models into `modelsDir`; returns those whose file is in the shared folder. */
export function installForTestsWhisper(modelsDir: string): ForTestsWhisper[] {
  const source = join(sharedDir(), "models-for-tests");
  return FOR_TESTS_WHISPER.filter((model) => {
    const file = join(source, `for-tests-ggml-${model.size}.bin`);
    if (!existsSync(file)) return false;
    const dir = join(modelsDir, model.name);
    mkdirSync(dir, { recursive: true });
    copyFileSync(file, join(dir, `ggml-${model.size}.bin`));
    const multilingual = !model.size.endsWith(".en");
    const manifest = {
      name: model.name,
      architecture: "whisper",
      languages: multilingual ? ["en", "de", "es", "fr", "it", "nl", "pt"] : ["en"],
      version: "for-tests",
      files: { model: `ggml-${model.size}.bin` },
    };
    writeFileSync(join(dir, "earshot-model.json"), JSON.stringify(manifest, null, 2));
    return true;
  });
}
