#!/usr/bin/env node
/*
 * `node bin/run.js <module> [args]` runs one of the project's TypeScript entry points (main,
 * bin/validate, bin/schema, ...): compiled from dist/ (built by `npm ci` through the prepare
 * script, or `npm run build`) when every compiled file is at least as new as its TypeScript
 * source, and otherwise from the sources through ts-node, so an edited source is never
 * ignored. cdktf.json's app is `node bin/run.js main`; compiled, synth starts several times
 * faster than through ts-node.
 */
"use strict";
const fs = require("fs");
const path = require("path");

const projectRoot = path.join(__dirname, "..");
const sourceDirs = ["bin", "bench", "output", "config", "constructs", "stacks", "policies", "compliance", "sharing", "review"];

/** The TypeScript sources of the project below `root`. */
function sources(root) {
  const out = ["main.ts", "synth.ts"].map((f) => path.join(root, f)).filter((f) => fs.existsSync(f));
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(full);
    }
  };
  for (const d of sourceDirs) walk(path.join(root, d));
  return out;
}

/** True when every source below `root` has a compiled file in `root`/dist at least as new. */
function compiledIsFresh(root) {
  const dist = path.join(root, "dist");
  for (const source of sources(root)) {
    const compiled = path.join(dist, path.relative(root, source)).replace(/\.ts$/, ".js");
    if (!fs.existsSync(compiled) || fs.statSync(compiled).mtimeMs < fs.statSync(source).mtimeMs) return false;
  }
  return true;
}

/** Runs the entry point named by the first argument, compiled or from sources. */
function run(root) {
  const entry = process.argv[2];
  if (!entry || !fs.existsSync(path.join(root, `${entry}.ts`))) {
    process.stderr.write(`usage: node bin/run.js <module> [args]; no ${entry}.ts in ${root}\n`);
    process.exit(2);
  }
  process.argv.splice(2, 1);
  let loaded;
  if (compiledIsFresh(root)) {
    loaded = require(path.join(root, "dist", `${entry}.js`));
  } else {
    require("ts-node").register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
    loaded = require(path.join(root, `${entry}.ts`));
  }
  // Commands export main(args), returning the exit status or a promise of it; the app
  // (main.ts) runs as it loads.
  if (typeof loaded.main === "function") {
    const status = loaded.main(process.argv.slice(2));
    if (status && typeof status.then === "function") {
      status.then(
        (code) => {
          process.exitCode = code;
        },
        (e) => {
          process.stderr.write(`${(e && e.stack) || e}\n`);
          process.exitCode = 1;
        },
      );
    } else process.exitCode = status;
  }
}

module.exports = { compiledIsFresh, sources };
if (require.main === module) run(projectRoot);
