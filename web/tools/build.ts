/**
 * Builds the web console into `web/dist`: esbuild bundles `src/main.tsx` (Preact, `@earshot/sdk`, the styles)
 * into content-hashed files under `assets/`, `index.html` is written from the template with relative links to
 * them, and every text file gets `.br` and `.gz` copies for the server to send as they are. Prints what the
 * first load of the page costs. `--watch` rebuilds on every change (for working on the page against a running
 * `earshot serve`, which reads `dist` on every request).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { type BuildOptions, type BuildResult, build, context, type Plugin } from "esbuild";

const webDir = join(dirname(fileURLToPath(import.meta.url)), "../..");
const outDir = join(webDir, "dist");
/** Types of file worth compressing; source maps are fetched only by developer tools, so they are left alone. */
const COMPRESSIBLE = /\.(js|css|html|svg|json)$/;

const options: BuildOptions = {
  absWorkingDir: webDir,
  entryPoints: ["src/main.tsx"],
  bundle: true,
  minify: true,
  sourcemap: "linked",
  format: "esm",
  platform: "browser",
  // What supports every Web API the page uses (AudioWorklet, Web Streams, AbortSignal.any): 2023 browsers.
  target: ["chrome116", "firefox124", "safari17"],
  jsx: "automatic",
  jsxImportSource: "preact",
  outdir: join(outDir, "assets"),
  entryNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
};

/** The page: the template with the hashed entry files linked relatively, so any path prefix works. */
function writePage(result: BuildResult<{ metafile: true }>): string[] {
  const outputs = Object.keys(result.metafile.outputs).map((path) => relative(outDir, join(webDir, path)));
  const script = outputs.find((path) => /main-[^/]+\.js$/.test(path));
  const style = outputs.find((path) => /main-[^/]+\.css$/.test(path));
  if (!script || !style) throw new Error(`esbuild wrote no main script or stylesheet: ${outputs.join(", ")}`);
  const template = readFileSync(join(webDir, "index.html"), "utf8");
  const tags = `<link rel="stylesheet" href="./${style}">\n    <script type="module" src="./${script}"></script>`;
  if (!template.includes("<!-- assets -->")) throw new Error("index.html has no <!-- assets --> placeholder.");
  writeFileSync(join(outDir, "index.html"), template.replace("<!-- assets -->", tags));
  return ["index.html", ...outputs];
}

/** Brotli and gzip copies at the highest levels: they are made once, at build time. */
function compress(files: string[]): void {
  for (const file of files.filter((f) => COMPRESSIBLE.test(f))) {
    const bytes = readFileSync(join(outDir, file));
    writeFileSync(
      join(outDir, `${file}.br`),
      brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    );
    writeFileSync(join(outDir, `${file}.gz`), gzipSync(bytes, { level: 9 }));
  }
}

function report(files: string[]): void {
  const firstLoad = files.filter((f) => f === "index.html" || /\.(js|css)$/.test(f));
  const size = (file: string): number => readFileSync(join(outDir, file)).byteLength;
  const raw = firstLoad.reduce((sum, f) => sum + size(f), 0);
  const br = firstLoad.reduce((sum, f) => sum + size(`${f}.br`), 0);
  const gz = firstLoad.reduce((sum, f) => sum + size(`${f}.gz`), 0);
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(
    `web console → ${relative(process.cwd(), outDir) || "."}: ${firstLoad.map((f) => basename(f)).join(", ")}; ` +
      `first load ${kb(raw)} raw, ${kb(gz)} gzip, ${kb(br)} brotli`,
  );
}

function finish(result: BuildResult<{ metafile: true }>): void {
  const files = writePage(result);
  compress(files);
  report(files);
}

/** Rebuilds `dist` whenever esbuild's watcher sees a change; old hashed files are cleared first. */
const rebuildPage: Plugin = {
  name: "earshot-page",
  setup(pluginBuild) {
    pluginBuild.onStart(() => {
      rmSync(outDir, { recursive: true, force: true });
      mkdirSync(outDir, { recursive: true });
    });
    pluginBuild.onEnd((result) => {
      if (result.errors.length === 0 && result.metafile) finish(result as BuildResult<{ metafile: true }>);
    });
  },
};

if (process.argv.includes("--watch")) {
  const watcher = await context({ ...options, plugins: [rebuildPage] });
  await watcher.watch();
  console.log("watching web/src for changes; Ctrl-C stops");
} else {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  finish(await build(options));
}
