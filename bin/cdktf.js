#!/usr/bin/env node
/*
 * `node bin/cdktf.js <cdktf command> [args]` (what `npm run synth` runs): the project's cdktf
 * CLI with CHECKPOINT_DISABLE=1 unless the environment sets it, so neither cdktf nor the
 * terraform it runs asks checkpoint-api.hashicorp.com for new versions, which prints
 * `getaddrinfo ENOTFOUND` on every command on a machine without internet access.
 */
"use strict";
const { spawnSync } = require("child_process");
const path = require("path");

/** The environment the CLI runs in: the caller's, with the version check off unless it says otherwise. */
function cliEnv(env) {
  return { ...env, CHECKPOINT_DISABLE: env.CHECKPOINT_DISABLE ?? "1" };
}

function run() {
  const pkg = path.dirname(require.resolve("cdktf-cli/package.json"));
  const cli = path.join(pkg, require("cdktf-cli/package.json").bin.cdktf);
  const r = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: "inherit", env: cliEnv(process.env) });
  if (r.error) throw r.error;
  if (r.signal) process.kill(process.pid, r.signal);
  process.exitCode = r.status ?? 1;
}

module.exports = { cliEnv };
if (require.main === module) run();
