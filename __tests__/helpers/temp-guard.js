/*
 * The jest global setup and teardown that prove the suite leaves nothing in the temporary
 * directory. Setup makes a fresh folder and points TMPDIR at it (os.tmpdir() reads TMPDIR, and
 * the test workers, terraform and cdktf inherit it), so other processes using /tmp and the two
 * jest workers do not matter; teardown fails the run, naming every leftover, when the folder
 * is not empty, and removes it either way.
 */
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");

/** The environment variable holding the run's temporary folder. */
const RUN_TMPDIR = "MLSHARE_TEST_TMPDIR";

/** What is left in `dir`: its entries, and the entries of each folder in it, one level down. */
function leftovers(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) {
      out.push(entry.name);
      continue;
    }
    const inside = fs.readdirSync(path.join(dir, entry.name)).sort();
    out.push(`${entry.name}/ (${inside.length ? inside.slice(0, 5).join(", ") + (inside.length > 5 ? ", ..." : "") : "empty"})`);
  }
  return out;
}

/** Throws, naming every leftover, when `dir` is not empty. */
function assertEmpty(dir) {
  const left = leftovers(dir);
  if (left.length) {
    throw new Error(
      `THE TESTS LEFT ${left.length} ENTR${left.length === 1 ? "Y" : "IES"} IN THE TEMPORARY DIRECTORY (${dir}); ` +
        `every test must remove what it makes (__tests__/helpers/tmp.ts):\n  ${left.join("\n  ")}`,
    );
  }
}

/** jest globalSetup: a fresh temporary directory for this run. */
function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlshare-jest-"));
  process.env[RUN_TMPDIR] = dir;
  process.env.TMPDIR = dir;
  // ts-node (bin/run.js runs the sources through it when dist/ is stale) keeps a compile
  // cache in the temporary directory, made to outlive the process: not for a test run.
  process.env.DISABLE_V8_COMPILE_CACHE = "1";
}

/** jest globalTeardown: fail when the run left anything behind; remove the folder. */
function teardown() {
  const dir = process.env[RUN_TMPDIR];
  if (!dir || !fs.existsSync(dir)) return;
  try {
    assertEmpty(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { RUN_TMPDIR, leftovers, assertEmpty, setup, teardown };
