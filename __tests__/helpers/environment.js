/*
 * The jest test environment: Node's, plus the removal of the temporary folders a test file
 * made (helpers/tmp.ts) when the file is done. Here rather than in an afterAll hook because
 * jest tears the environment down even when a test file fails to load, and runs no hook then.
 */
"use strict";
const fs = require("fs");
const NodeEnvironment = require("jest-environment-node").TestEnvironment;

/** Where helpers/tmp.ts lists the folders it made, on the test file's global object. */
const KEY = Symbol.for("mlshare.test.tempDirs");

class MlshareEnvironment extends NodeEnvironment {
  async teardown() {
    const dirs = (this.global && this.global[KEY]) || [];
    while (dirs.length) fs.rmSync(dirs.pop(), { recursive: true, force: true });
    await super.teardown();
  }
}

module.exports = MlshareEnvironment;
