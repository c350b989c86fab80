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

function contractText(): string {
  if (!fs.existsSync(CONTRACT)) {
    throw new Error(`THE TOPOLOGY CONTRACT IS MISSING: ${CONTRACT} does not exist (the repository expects shared/ beside it)`);
  }
  return fs.readFileSync(CONTRACT, "utf8");
}

/** The yaml examples of the contract, in order: the first is the whole topology, the rest are Additions. */
function contractBlocks(): any[] {
  return [...contractText().matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1]));
}

function contractExample(): any {
  const [first] = contractBlocks();
  if (!first) throw new Error(`${CONTRACT} has no yaml example`);
  return first;
}

/**
 * The contract's example with the networks its projects need: the Additions make a project
 * account under require-sagemaker-vpc without a network an error, and give ml-prod's network
 * as their example; ml-staging, a project account in the same OU, gets one of its own.
 */
function exampleWithNetworks(): any {
  const example = contractExample();
  const additions = contractBlocks().find((b) => b?.accounts?.["ml-prod"]?.network);
  if (!additions) throw new Error(`${CONTRACT} has no Additions example of accounts.ml-prod.network`);
  example.accounts["ml-prod"] = { ...example.accounts["ml-prod"], ...additions.accounts["ml-prod"] };
  example.accounts["ml-staging"].network = referenceInput().accounts["ml-staging"].network;
  return example;
}

test("the example of TOPOLOGY.md is refused only for the networks its ML project accounts lack", () => {
  const problems = problemsOf(contractExample());
  expect(problems.map((p) => p.split(": ")[0]).sort()).toEqual(["mlProjects[0].accounts.prod", "mlProjects[0].accounts.staging"]);
  for (const p of problems) expect(p).toMatch(/require-sagemaker-vpc guardrail .*target ou:ml-workloads.*accounts\.ml-(prod|staging)\.network/);
});

test("with those networks it validates with no problem", () => {
  expect(problemsOf(exampleWithNetworks())).toEqual([]);
});

test("and synthesizes a stack per account", () => {
  const out = synthInput(exampleWithNetworks());
  expect(Object.keys(out.stacks).sort()).toEqual(["bootstrap", "data-lake", "management", "ml-dev", "ml-prod", "ml-staging"]);
});

test("examples/reference.yaml is the example of TOPOLOGY.md with those networks", () => {
  expect(referenceInput()).toEqual(exampleWithNetworks());
  expect(referenceInput().accounts["ml-staging"].network.vpcId).toMatch(/^vpc-/);
});
