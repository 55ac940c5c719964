/**
 * `earshot models` through the built command, against a local server playing the model hub (`HF_ENDPOINT`):
 * pull with progress, list installed and available, verify, export, rm and import of the export, and a pull
 * refused for a wrong checksum. Few runs of the command, each starts slowly: the rest is in the engine's tests.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sharedDir } from "@earshot/bench/corpus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/app.js";
import { runCli } from "../support/cli.js";
import { startHub, type TestHub } from "../support/hub.js";

const TINY_EN = "for-tests-ggml-tiny.en.bin";
const TINY_EN_SHA256 = "dd6b7796204a1cdf7164666423034e6e1a7a3e9f5c22327b4b7974c4584bd82d";
const tinyEn = readFileSync(join(sharedDir(), "models-for-tests", TINY_EN));

let hub: TestHub;
let env: Record<string, string>;
let catalog: string;
const work = tempDir("models-cli");

beforeAll(async () => {
  hub = await startHub();
  hub.put(`earshot/for-tests/${TINY_EN}`, { body: tinyEn });
  catalog = join(work, "catalog.json");
  // Hub URLs as a catalog writes them; HF_ENDPOINT sends them to the local hub.
  const url = `https://huggingface.co/earshot/for-tests/resolve/main/${TINY_EN}`;
  writeFileSync(
    catalog,
    JSON.stringify({
      models: [
        {
          name: "whisper-for-tests-tiny.en",
          engine: "whisper",
          languages: ["en"],
          files: [{ url, sha256: TINY_EN_SHA256, size: tinyEn.length }],
        },
        {
          name: "whisper-for-tests-wrong",
          engine: "whisper",
          languages: ["en"],
          files: [{ url, sha256: "1".repeat(64) }],
        },
      ],
    }),
  );
  env = {
    EARSHOT_MODELS_DIR: join(work, "models"),
    HF_ENDPOINT: hub.url,
    HF_TOKEN: "hf_cli",
    EARSHOT_MODEL_CATALOG: "",
  };
});
afterAll(async () => {
  await hub?.close();
});

const models = (...args: string[]) => runCli(["models", ...args], { env });

describe("earshot models", () => {
  it("pulls from HF_ENDPOINT with HF_TOKEN, verifies, installs and lists the model", async () => {
    const pulled = await models("pull", "whisper-for-tests-tiny.en", "--catalog", catalog);
    expect(pulled.stderr).toMatch(new RegExp(`${TINY_EN.replaceAll(".", "\\.")}: done`));
    expect(pulled.stdout).toMatch(/installed whisper-for-tests-tiny\.en in .*models\/whisper-for-tests-tiny\.en/);
    expect(pulled.code).toBe(0);
    expect(hub.requests.at(-1)?.headers.authorization).toBe("Bearer hf_cli");

    const list = await runCli(["models", "list"], { env: { ...env, EARSHOT_MODEL_CATALOG: catalog } });
    const [installed = "", available = ""] = list.stdout.split("Available");
    expect(installed).toMatch(/^\s+stt\s+whisper-for-tests-tiny\.en\s+whisper\s+en\s/m);
    expect(available).toMatch(/^\s+whisper-large-v3\s+whisper\s+100 languages\s+3\.1 GB\s+MIT$/m);
    expect(available).not.toContain("whisper-for-tests-tiny.en");

    const verified = await models("verify");
    expect(verified.stdout).toMatch(/^ok\s+whisper-for-tests-tiny\.en \(1 files\)$/m);
    expect(verified.code).toBe(0);
  });

  it("refuses a download whose sha256 is not the catalog's, installing nothing", async () => {
    const pulled = await models("pull", "whisper-for-tests-wrong", "--catalog", catalog);
    expect(pulled.code).toBe(1);
    expect(pulled.stderr).toMatch(/earshot: .*sha256 dd6b7796.*but the catalog says 1{64}\. Nothing was installed\./);
  });

  it("exports a model, removes it, and imports the export back", async () => {
    const archive = join(work, "tiny.tar.gz");
    const exported = await models("export", "whisper-for-tests-tiny.en", archive);
    expect(exported.code).toBe(0);
    expect(existsSync(archive)).toBe(true);

    const removed = await models("rm", "whisper-for-tests-tiny.en");
    expect(removed.code).toBe(0);
    expect(existsSync(join(env.EARSHOT_MODELS_DIR!, "whisper-for-tests-tiny.en"))).toBe(false);

    const imported = await models("import", archive, "--catalog", catalog);
    expect(imported.stdout).toMatch(/installed whisper-for-tests-tiny\.en/);
    expect(imported.code).toBe(0);
  });
});
