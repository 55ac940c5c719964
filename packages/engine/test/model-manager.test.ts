/**
 * The model manager against a local server laid out like the hub: pulls that resume after a dropped connection
 * or a stall, refuse a wrong checksum, a 404 or a disk too small, and install atomically (the registry never
 * lists half a model); imports of folders and archives of the for-tests whisper files, checked against the
 * catalog; and what the registry makes of catalog models that are not installed.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sharedDir } from "@earshot/bench/corpus";
import {
  type CatalogEntry,
  hubRequest,
  MANIFEST_FILE,
  ModelCatalog,
  ModelInstallError,
  ModelManager,
  ModelRegistry,
  type PullProgress,
  readCatalogFile,
} from "@earshot/engine";
import { ErrorCode, InvalidRequestError } from "@earshot/protocol";
import * as tar from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../../test/support/app.js";
import { startHub, type TestHub } from "../../../test/support/hub.js";

const forTests = join(sharedDir(), "models-for-tests");
const TINY_EN = "for-tests-ggml-tiny.en.bin";
const TINY_EN_SHA256 = "dd6b7796204a1cdf7164666423034e6e1a7a3e9f5c22327b4b7974c4584bd82d";
const tinyEn = readFileSync(join(forTests, TINY_EN));

let hub: TestHub;
beforeAll(async () => {
  hub = await startHub();
});
afterAll(async () => {
  await hub?.close();
});

/** A catalog entry for one file put on the hub, with its real digest unless `sha256` says otherwise. */
function hosted(name: string, file: string, body: Buffer, options: Partial<CatalogEntry> & { sha256?: string } = {}) {
  const { sha256, ...rest } = options;
  const put = hub.put(`earshot/${name}/${file}`, { body });
  return {
    name,
    engine: "whisper" as const,
    languages: ["en"],
    files: [{ url: put.url, sha256: sha256 ?? put.sha256, size: put.size }],
    ...rest,
  };
}

const managerFor = (entries: CatalogEntry[], modelsDir = tempDir("models")) =>
  new ModelManager({
    modelsDir,
    catalog: new ModelCatalog(entries),
    hub: { endpoint: hub.url, token: "hf_test" },
    download: { retries: 2, retryDelayMs: 10, stallMs: 400 },
  });

const listed = (modelsDir: string) => new ModelRegistry({ modelsDir }).stt().map((m) => m.name);

/** The first byte a `Range: bytes=N-` header asks for; -1 for none. */
const resumedFrom = (range: string | undefined): number => Number(/^bytes=(\d+)-$/.exec(range ?? "")?.[1] ?? -1);

const rejection = async (promise: Promise<unknown>): Promise<ModelInstallError> => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelInstallError);
  return err as ModelInstallError;
};

describe("models pull", () => {
  it("downloads, verifies and installs a model the registry then lists, with progress to the last byte", async () => {
    const manager = managerFor([hosted("tiny-ok", TINY_EN, tinyEn)]);
    const progress: PullProgress[] = [];
    const folder = await manager.pull("tiny-ok", { onProgress: (p) => progress.push(p) });
    expect(readFileSync(join(folder.dir, TINY_EN)).equals(tinyEn)).toBe(true);
    const manifest = JSON.parse(readFileSync(join(folder.dir, MANIFEST_FILE), "utf8"));
    expect(manifest).toMatchObject({
      name: "tiny-ok",
      architecture: "whisper",
      files: { model: TINY_EN },
      checksums: { [TINY_EN]: TINY_EN_SHA256 },
    });
    const model = new ModelRegistry({ modelsDir: manager.modelsDir }).stt().find((m) => m.name === "tiny-ok");
    expect(model?.files.model).toBe(join(folder.dir, TINY_EN));
    expect(progress.at(-1)).toMatchObject({ received: tinyEn.length, total: tinyEn.length });
    expect(await manager.verify("tiny-ok")).toMatchObject({ ok: true, checked: [TINY_EN] });
    // Nothing left over but the model itself.
    expect(readdirSync(manager.modelsDir)).toEqual(["tiny-ok"]);
  });

  it("sends HF_TOKEN to the hub endpoint only, and moves huggingface.co URLs to HF_ENDPOINT", () => {
    const hubSettings = { endpoint: "http://mirror.local/hf/", token: "hf_secret" };
    expect(hubRequest("https://huggingface.co/org/repo/resolve/main/a.bin", hubSettings)).toEqual({
      url: "http://mirror.local/hf/org/repo/resolve/main/a.bin",
      headers: { authorization: "Bearer hf_secret" },
    });
    expect(hubRequest("https://alphacephei.com/vosk/models/m.zip", hubSettings)).toEqual({
      url: "https://alphacephei.com/vosk/models/m.zip",
      headers: {},
    });
    expect(hubRequest("https://huggingface.co/org/repo/resolve/main/a.bin", {}).url).toBe(
      "https://huggingface.co/org/repo/resolve/main/a.bin",
    );
  });

  it("resumes with a Range request when the connection drops half-way", async () => {
    const entry = hosted("tiny-drop", TINY_EN, tinyEn);
    hub.put(`earshot/tiny-drop/${TINY_EN}`, { body: tinyEn, behaviour: { kind: "drop", times: 1 } });
    const before = hub.requests.length;
    const folder = await managerFor([entry]).pull("tiny-drop");
    const requests = hub.requests.slice(before);
    expect(requests).toHaveLength(2);
    expect(requests[0]?.range).toBeUndefined();
    expect(resumedFrom(requests[1]?.range)).toBeGreaterThan(0);
    expect(requests[1]?.headers.authorization).toBe("Bearer hf_test");
    expect(readFileSync(join(folder.dir, TINY_EN)).equals(tinyEn)).toBe(true);
  });

  it("keeps a failed pull's bytes hidden from the registry and resumes them on the next pull", async () => {
    const entry = hosted("tiny-later", TINY_EN, tinyEn);
    hub.put(`earshot/tiny-later/${TINY_EN}`, { body: tinyEn, behaviour: { kind: "drop", times: 3 } });
    const manager = managerFor([entry]);
    const err = await rejection(manager.pull("tiny-later"));
    expect(err.code).toBe("DOWNLOAD_FAILED");
    expect(err.message).toMatch(/run the command again to resume/i);
    expect(listed(manager.modelsDir)).not.toContain("tiny-later");
    expect(manager.installed()).toEqual([]);
    const before = hub.requests.length;
    await manager.pull("tiny-later");
    const resumed = hub.requests.slice(before);
    expect(resumed).toHaveLength(1);
    expect(resumedFrom(resumed[0]?.range)).toBeGreaterThanOrEqual(Math.floor(tinyEn.length / 2));
    expect(listed(manager.modelsDir)).toContain("tiny-later");
    expect((await manager.verify("tiny-later")).ok).toBe(true);
  });

  it("retries a server that stalls, resuming from the bytes it had sent", async () => {
    const entry = hosted("tiny-stall", TINY_EN, tinyEn);
    hub.put(`earshot/tiny-stall/${TINY_EN}`, { body: tinyEn, behaviour: { kind: "stall", times: 1 } });
    const before = hub.requests.length;
    const folder = await managerFor([entry]).pull("tiny-stall");
    const requests = hub.requests.slice(before);
    expect(requests.map((r) => r.range === undefined)).toEqual([true, false]);
    expect(resumedFrom(requests[1]?.range)).toBeGreaterThan(0);
    expect(readFileSync(join(folder.dir, TINY_EN)).equals(tinyEn)).toBe(true);
  });

  it("follows a slow server to the end, reporting growing progress", async () => {
    const body = tinyEn.subarray(0, 64 * 1024);
    const entry = hosted("slow", "slow.bin", body);
    hub.put("earshot/slow/slow.bin", { body, behaviour: { kind: "slow", chunk: 4096, everyMs: 15 } });
    const received: number[] = [];
    await managerFor([entry]).pull("slow", { onProgress: (p) => received.push(p.received) });
    expect(received.length).toBeGreaterThan(10);
    expect(received).toEqual([...received].sort((a, b) => a - b));
    expect(received.at(-1)).toBe(body.length);
  });

  it("keeps the files a failed multi-file pull verified, and lets one pull of a model run at a time", async () => {
    const tokens = Buffer.from("<blk> 0\n<sos/eos> 1\n");
    const encoder = hub.put("earshot/multi/encoder.onnx", { body: tinyEn });
    const entry: CatalogEntry = {
      name: "multi",
      engine: "sherpa-onnx",
      languages: ["en"],
      files: [
        { url: encoder.url, sha256: encoder.sha256 },
        { url: `${hub.url}/earshot/multi/resolve/main/tokens.txt`, sha256: hub.put("x/y/t", { body: tokens }).sha256 },
      ],
      engineOptions: { type: "transducer" },
    };
    const manager = managerFor([entry]);
    expect((await rejection(manager.pull("multi"))).code).toBe("NOT_FOUND");
    hub.put("earshot/multi/tokens.txt", { body: tokens, behaviour: { kind: "slow", chunk: 4, everyMs: 20 } });
    const before = hub.requests.length;
    const pulling = manager.pull("multi");
    // Once the hub sees its request, the first pull holds the lock.
    while (hub.requests.length === before) await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await rejection(manager.pull("multi"))).code).toBe("BUSY");
    const folder = await pulling;
    expect(hub.requests.slice(before).map((r) => r.path)).toEqual(["/earshot/multi/resolve/main/tokens.txt"]);
    expect(folder.manifest).toMatchObject({
      architecture: "sherpa-onnx",
      files: { encoder: "encoder.onnx", tokens: "tokens.txt" },
      engineOptions: { type: "transducer" },
    });
  });

  it("refuses a file whose sha256 is not the catalog's, and installs nothing", async () => {
    const entry = hosted("tiny-bad", TINY_EN, tinyEn, { sha256: "0".repeat(64) });
    const manager = managerFor([entry]);
    const err = await rejection(manager.pull("tiny-bad"));
    expect(err.code).toBe("CHECKSUM_MISMATCH");
    expect(err.message).toContain(TINY_EN_SHA256);
    expect(err.message).toMatch(/nothing was installed/i);
    expect(listed(manager.modelsDir)).not.toContain("tiny-bad");
    expect(manager.installed()).toEqual([]);
    // The wrong bytes are not kept to be "resumed".
    expect(readdirSync(join(manager.modelsDir, ".pull-tiny-bad"))).toEqual([]);
  });

  it("says so when the hub has no such file", async () => {
    const entry: CatalogEntry = {
      name: "missing",
      engine: "whisper",
      languages: ["en"],
      files: [{ url: `${hub.url}/earshot/missing/resolve/main/ggml-missing.bin`, sha256: TINY_EN_SHA256 }],
    };
    const manager = managerFor([entry]);
    const err = await rejection(manager.pull("missing"));
    expect(err.code).toBe("NOT_FOUND");
    expect(err.message).toContain("404");
    expect(manager.installed()).toEqual([]);
  });

  it("refuses before downloading when the disk cannot hold the model", async () => {
    const entry = hosted("huge", "huge.bin", tinyEn);
    const huge = { ...entry, files: [{ ...entry.files[0]!, size: 10 ** 15 }] };
    const before = hub.requests.length;
    const err = await rejection(managerFor([huge]).pull("huge"));
    expect(err.code).toBe("INSUFFICIENT_SPACE");
    expect(err.message).toMatch(/needs 1\.0 PB|needs 1000\.0 TB/);
    expect(hub.requests.length).toBe(before);
  });

  it("warns that a file without a published sha256 cannot be verified, and records its digest", async () => {
    const entry = hosted("unpinned", TINY_EN, tinyEn);
    const { sha256: _unused, ...file } = entry.files[0]!;
    const warnings: string[] = [];
    const folder = await managerFor([{ ...entry, files: [file] }]).pull("unpinned", {
      onWarning: (w) => warnings.push(w),
    });
    expect(warnings).toEqual([expect.stringMatching(/cannot be verified.*dd6b7796/)]);
    expect(folder.manifest.checksums).toEqual({ [TINY_EN]: TINY_EN_SHA256 });
  });

  it("unpacks an archive file into the model folder", async () => {
    const staging = tempDir("vosk-staging");
    mkdirSync(join(staging, "vosk-model-tiny", "conf"), { recursive: true });
    writeFileSync(join(staging, "vosk-model-tiny", "conf", "model.conf"), "--sample-frequency=16000\n");
    execFileSync("zip", ["-qr", "model.zip", "vosk-model-tiny"], { cwd: staging });
    const entry = hosted("vosk-tiny", "model.zip", readFileSync(join(staging, "model.zip")), { engine: "vosk" });
    const folder = await managerFor([{ ...entry, files: [{ ...entry.files[0]!, unpack: true }] }]).pull("vosk-tiny");
    expect(readdirSync(folder.dir).sort()).toEqual(["conf", MANIFEST_FILE]);
    expect(folder.manifest).toMatchObject({ architecture: "vosk", files: { model: "." } });
  });
});

describe("models import, export, rm", () => {
  const catalog = (): CatalogEntry[] => [
    {
      name: "whisper-for-tests-tiny.en",
      engine: "whisper",
      languages: ["en"],
      files: [{ url: `https://huggingface.co/x/y/resolve/main/${TINY_EN}`, sha256: TINY_EN_SHA256 }],
    },
  ];

  it("imports a folder the catalog knows by its files' digests, under the catalog's name", async () => {
    const folder = tempDir("import-folder");
    writeFileSync(join(folder, TINY_EN), tinyEn);
    const manager = managerFor(catalog());
    const installed = await manager.import(folder);
    expect(installed.name).toBe("whisper-for-tests-tiny.en");
    expect(installed.manifest).toMatchObject({ catalog: "whisper-for-tests-tiny.en", files: { model: TINY_EN } });
    expect(listed(manager.modelsDir)).toContain("whisper-for-tests-tiny.en");
    expect((await manager.verify("whisper-for-tests-tiny.en")).ok).toBe(true);
  });

  it("imports a .tar.gz of the for-tests files, and refuses one whose file is not the catalog's", async () => {
    const staging = tempDir("import-tar");
    mkdirSync(join(staging, "tiny"));
    writeFileSync(join(staging, "tiny", TINY_EN), tinyEn);
    await tar.c({ gzip: true, file: join(staging, "tiny.tar.gz"), cwd: staging }, ["tiny"]);
    const manager = managerFor(catalog());
    const installed = await manager.import(join(staging, "tiny.tar.gz"), { name: "whisper-for-tests-tiny.en" });
    expect(readFileSync(join(installed.dir, TINY_EN)).equals(tinyEn)).toBe(true);

    writeFileSync(join(staging, "tiny", TINY_EN), readFileSync(join(forTests, "for-tests-ggml-base.en.bin")));
    await tar.c({ gzip: true, file: join(staging, "other.tar.gz"), cwd: staging }, ["tiny"]);
    const err = await rejection(
      manager.import(join(staging, "other.tar.gz"), { name: "whisper-for-tests-tiny.en", force: true }),
    );
    expect(err.code).toBe("CHECKSUM_MISMATCH");
    expect(readdirSync(manager.modelsDir)).toEqual(["whisper-for-tests-tiny.en"]);
    expect((await manager.verify("whisper-for-tests-tiny.en")).ok).toBe(true);
  });

  it("imports a .zip, asks for the engine when it cannot tell, and round-trips an export to another host", async () => {
    const staging = tempDir("import-zip");
    writeFileSync(join(staging, "ggml-custom.bin"), tinyEn.subarray(0, 1000));
    writeFileSync(join(staging, "notes.txt"), "not a model");
    execFileSync("zip", ["-q", "custom.zip", "ggml-custom.bin"], { cwd: staging });
    const manager = managerFor(catalog());
    const warnings: string[] = [];
    const custom = await manager.import(join(staging, "custom.zip"), { onWarning: (w) => warnings.push(w) });
    expect(custom.name).toBe("custom");
    expect(custom.manifest).toMatchObject({ architecture: "whisper", files: { model: "ggml-custom.bin" } });
    expect(warnings).toEqual([expect.stringMatching(/not in the catalog/)]);

    execFileSync("zip", ["-q", "mixed.zip", "notes.txt"], { cwd: staging });
    const err = await rejection(manager.import(join(staging, "mixed.zip")));
    expect(err.code).toBe("UNKNOWN_ENGINE");
    expect(err.message).toContain("--engine");

    const archive = await manager.export("custom", join(staging, "custom.tar.gz"));
    await manager.remove("custom");
    expect(listed(manager.modelsDir)).not.toContain("custom");
    const other = managerFor(catalog());
    const again = await other.import(archive);
    expect(again.name).toBe("custom");
    expect((await other.verify("custom")).ok).toBe(true);
  });

  it("verify reports a file changed after install", async () => {
    const folder = tempDir("verify");
    writeFileSync(join(folder, TINY_EN), tinyEn);
    const manager = managerFor(catalog());
    const installed = await manager.import(folder);
    writeFileSync(join(installed.dir, TINY_EN), tinyEn.subarray(0, 100));
    const result = await manager.verify(installed.name);
    expect(result.ok).toBe(false);
    expect(result.problems.join(" ")).toMatch(new RegExp(`${TINY_EN} has sha256 .* when installed`));
  });
});

describe("model catalog and registry", () => {
  it("reads the documented catalog file form and names what is wrong with a bad one", () => {
    const dir = tempDir("catalog");
    const good = join(dir, "good.json");
    writeFileSync(
      good,
      JSON.stringify({
        models: [
          {
            name: "whisper-base.en",
            engine: "whisper",
            languages: ["en"],
            files: [{ url: "https://mirror.example/ggml-base.en.bin", sha256: TINY_EN_SHA256, size: 10 }],
          },
        ],
      }),
    );
    const catalog = ModelCatalog.load(good);
    expect(catalog.get("whisper-base.en")?.files[0]?.url).toBe("https://mirror.example/ggml-base.en.bin");
    expect(catalog.get("whisper-tiny.en")?.files[0]?.url).toContain("huggingface.co/ggerganov/whisper.cpp");

    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ models: [{ name: "x", engine: "kaldi", languages: ["en"], files: [] }] }));
    expect(() => readCatalogFile(bad)).toThrow(/Invalid model catalog .*bad\.json[\s\S]*engine[\s\S]*files/);
  });

  it("gives a known model that is not installed a 400 naming the pull command", () => {
    const installable = new ModelCatalog().entries.map((e) => e.name);
    const registry = new ModelRegistry({ modelsDir: tempDir("empty"), installable });
    let err: unknown;
    try {
      registry.resolve("whisper-base.en");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect(err).toMatchObject({ status: 400, code: ErrorCode.ModelNotInstalled });
    expect((err as Error).message).toContain("earshot models pull whisper-base.en");
    expect(() => registry.resolve("no-such-model")).toThrow(/Unknown model/);
  });

  it("serves Deepgram names with the best installed English model, or by the alias table", async () => {
    const modelsDir = tempDir("aliases");
    for (const name of ["whisper-tiny.en", "whisper-base.en"]) {
      mkdirSync(join(modelsDir, name));
      writeFileSync(
        join(modelsDir, name, MANIFEST_FILE),
        JSON.stringify({ name, architecture: "whisper", languages: ["en"], files: { model: TINY_EN } }),
      );
    }
    mkdirSync(join(modelsDir, ".pull-whisper-small.en"));
    const registry = new ModelRegistry({ modelsDir });
    expect(registry.resolve("nova-3")).toMatchObject({ model: { name: "whisper-base.en" }, aliasOf: "nova-3" });
    expect(registry.resolve("nova-2-meeting").model.name).toBe("whisper-base.en");
    expect(registry.resolve("phonecall").model.name).toBe("pocketsphinx-en-us");
    const configured = new ModelRegistry({ modelsDir, aliases: { "nova-3": ["whisper-tiny.en"] } });
    expect(configured.resolve("nova-3").model.name).toBe("whisper-tiny.en");
    expect(existsSync(join(modelsDir, ".pull-whisper-small.en"))).toBe(true);
    expect(registry.stt().map((m) => m.name)).not.toContain(".pull-whisper-small.en");
  });
});
