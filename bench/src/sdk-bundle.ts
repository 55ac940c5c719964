/**
 * What `@earshot/sdk` costs a web page: a small page entry that creates a client is bundled for the browser by
 * esbuild (minified ESM, as an app bundler would ship it), and the output is measured raw and gzipped, with the
 * largest inputs so a regression shows where it comes from. Sizes do not depend on load, so one run is enough.
 * Build first (`npm run build`), then `node bench/dist/sdk-bundle.js`.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, version } from "esbuild";
import { printTable } from "./table.js";

/** A page that uses the client the usual ways: a file upload, a live microphone stream, a spoken reply. */
const PAGE = `
import { EarshotClient } from "@earshot/sdk";

const client = new EarshotClient({ baseUrl: location.origin });
document.querySelector("input").addEventListener("change", async (event) => {
  const result = await client.listen.v1.media.transcribeFile(event.target.files[0], { smart_format: true });
  document.body.append(result.results.channels[0].alternatives[0].transcript);
  const conn = client.listen.v1.connect({ interim_results: true });
  conn.on("Results", (r) => console.log(r.channel.alternatives[0].transcript));
  const audio = await client.speak.v1.audio.generate({ text: "Done." });
  console.log(await audio.blob());
});
`;

const result = await build({
  stdin: { contents: PAGE, resolveDir: dirname(fileURLToPath(import.meta.url)), loader: "js" },
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  write: false,
  metafile: true,
  logLevel: "silent",
});
const code = result.outputFiles[0]!.contents;
const gzip = gzipSync(code, { level: 9 }).byteLength;

const byPackage = new Map<string, number>();
// With stdin and no outfile, esbuild names the one output after the input: take it whatever its name.
const output = Object.values(result.metafile.outputs)[0]!;
for (const [path, input] of Object.entries(output.inputs)) {
  const name = packageOf(path);
  byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput);
}
const nodeImports = Object.values(result.metafile.inputs).flatMap((input) =>
  input.imports.filter((i) => i.path.startsWith("node:")).map((i) => i.path),
);

console.log(`@earshot/sdk in a browser page (esbuild ${version}, --bundle --minify --format=esm --platform=browser)`);
printTable(["raw bytes", "gzip -9 bytes"], [[code.byteLength, gzip]]);
console.log("\nminified bytes by package (before gzip):");
printTable(
  ["package", "bytes"],
  [...byPackage].sort((a, b) => b[1] - a[1]).map(([name, bytes]) => [name, bytes]),
);
console.log(`\nnode: imports reachable from the page: ${nodeImports.length === 0 ? "none" : nodeImports.join(", ")}`);

/** `node_modules/zod/v4/core/schemas.js` → `zod`; a workspace path → its `packages/<name>`. */
function packageOf(path: string): string {
  const modules = path.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const parts = path.slice(modules + "node_modules/".length).split("/");
    return parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const workspace = /(packages\/[^/]+)\//.exec(path);
  return workspace ? workspace[1]! : path;
}
