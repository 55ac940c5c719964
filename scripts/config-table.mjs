// Rewrites the README's configuration table from the server's settings schema
// (packages/server/src/config/settings.ts). Run after `npm run build`; a test fails while the two differ.
import { readFileSync, writeFileSync } from "node:fs";
import { withConfigTable } from "../packages/server/dist/index.js";

const readme = new URL("../README.md", import.meta.url);
writeFileSync(readme, withConfigTable(readFileSync(readme, "utf8")));
