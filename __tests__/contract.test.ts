/**
 * The topology contract (shared/TOPOLOGY.md) works as written: its example validates and
 * synthesizes, and examples/reference.yaml is that example.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../config/paths";
import { synthInput } from "./helpers/synth";
import { problemsOf, referenceInput } from "./helpers/topology";

const CONTRACT = path.join(PROJECT_ROOT, "..", "shared", "TOPOLOGY.md");

function contractExample(): unknown {
  if (!fs.existsSync(CONTRACT)) {
    throw new Error(`THE TOPOLOGY CONTRACT IS MISSING: ${CONTRACT} does not exist (the repository expects shared/ beside it)`);
  }
  const block = /```yaml\n([\s\S]*?)```/.exec(fs.readFileSync(CONTRACT, "utf8"));
  if (!block) throw new Error(`${CONTRACT} has no yaml example`);
  return parse(block[1]);
}

test("the example of TOPOLOGY.md validates with no problem", () => {
  expect(problemsOf(contractExample())).toEqual([]);
});

test("the example of TOPOLOGY.md synthesizes a stack per account", () => {
  const out = synthInput(contractExample());
  expect(Object.keys(out.stacks).sort()).toEqual(["bootstrap", "data-lake", "management", "ml-dev", "ml-prod", "ml-staging"]);
});

test("examples/reference.yaml is the example of TOPOLOGY.md", () => {
  expect(referenceInput()).toEqual(contractExample());
});
