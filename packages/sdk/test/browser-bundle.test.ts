/**
 * `@earshot/sdk` stays browser-safe and small: bundled for the browser as an app would (esbuild, from the built
 * `dist`), it reaches no `node:` module, no zod (protocol's schemas stay on the server; the SDK imports only
 * `@earshot/protocol/core`), and `ws` only as its browser stub. Sizes are printed by `npm run bench:sdk-bundle`.
 */
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { expect, it } from "vitest";

it("bundles for the browser without zod, node: modules or the Node ws client", async () => {
  const result = await build({
    stdin: {
      contents: `import { EarshotClient } from "@earshot/sdk"; globalThis.client = new EarshotClient();`,
      resolveDir: fileURLToPath(new URL(".", import.meta.url)),
    },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.some((path) => path.includes("/sdk/dist/"))).toBe(true);
  expect(inputs.filter((path) => path.includes("node_modules/zod/"))).toEqual([]);
  expect(inputs.filter((path) => path.includes("node_modules/ws/"))).toEqual(["node_modules/ws/browser.js"]);
  const nodeImports = Object.values(result.metafile.inputs).flatMap((input) =>
    input.imports.filter((i) => i.path.startsWith("node:") || i.external).map((i) => i.path),
  );
  expect(nodeImports).toEqual([]);
});
