/**
 * mlshare's stacks replace some of cdktf's own passes for speed; these helpers synthesize an
 * example with mlshare's pass and again with cdktf's, and expect the same stacks.
 */
import { TerraformStack } from "cdktf";
import * as fs from "fs";
import * as path from "path";
import { loadTopology } from "../../config/load";
import { AccountStack } from "../../stacks/account-stack";
import { synthInput } from "./synth";

const examplesDir = path.join(__dirname, "..", "..", "examples");

/** Every example topology file. */
export const EXAMPLES = fs.readdirSync(examplesDir).filter((f) => /\.(ya?ml|json)$/.test(f));

/** Synthesizes an example with mlshare's `method` and with cdktf's own, and expects every stack's JSON to be the same text. */
export function expectSameAsCdktf(file: string, method: "toTerraform" | "prepareStack"): void {
  const topology = loadTopology(path.join(examplesDir, file));
  const ours = synthInput(topology).stacks;
  const own = AccountStack.prototype[method];
  (AccountStack.prototype as unknown as Record<string, unknown>)[method] = TerraformStack.prototype[method];
  let cdktfs;
  try {
    cdktfs = synthInput(topology).stacks;
  } finally {
    (AccountStack.prototype as unknown as Record<string, unknown>)[method] = own;
  }
  expect(Object.keys(ours).sort()).toEqual(Object.keys(cdktfs).sort());
  for (const name of Object.keys(ours)) expect({ stack: name, json: JSON.stringify(ours[name]) }).toEqual({ stack: name, json: JSON.stringify(cdktfs[name]) });
}
