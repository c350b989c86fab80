/**
 * Stacks skip cdktf's preparing pass over their outputs (stacks/prepare.ts): the output of
 * every example is the same, byte for byte, as with cdktf's own pass.
 */
import { TerraformStack } from "cdktf";
import * as fs from "fs";
import * as path from "path";
import { loadTopology } from "../config/load";
import { AccountStack } from "../stacks/account-stack";
import { synthInput } from "./helpers/synth";

const examplesDir = path.join(__dirname, "..", "examples");
const examples = fs.readdirSync(examplesDir).filter((f) => /\.(ya?ml|json)$/.test(f));

test.each(examples)("%s synthesizes byte for byte as with cdktf's own preparing pass", (file) => {
  const topology = loadTopology(path.join(examplesDir, file));
  const ours = synthInput(topology).stacks;
  const own = AccountStack.prototype.prepareStack;
  AccountStack.prototype.prepareStack = TerraformStack.prototype.prepareStack;
  let cdktfs;
  try {
    cdktfs = synthInput(topology).stacks;
  } finally {
    AccountStack.prototype.prepareStack = own;
  }
  expect(Object.keys(ours).sort()).toEqual(Object.keys(cdktfs).sort());
  for (const name of Object.keys(ours)) expect({ stack: name, json: JSON.stringify(ours[name]) }).toEqual({ stack: name, json: JSON.stringify(cdktfs[name]) });
});
