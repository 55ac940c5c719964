#!/usr/bin/env node
// The `earshot` command's entry point. It is committed, not built, because npm links a workspace's bin into
// node_modules/.bin only when the file exists at install time: pointing `bin` at dist/main.js left `npx earshot`
// unlinked after the first `npm ci`, since the build comes after the install.
import("../dist/main.js").catch((err) => {
  if (err?.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("main.js")) {
    process.stderr.write("earshot: the command is not built yet; run `npm run build` (or `bash scripts/setup.sh`).\n");
    process.exit(1);
  }
  throw err;
});
