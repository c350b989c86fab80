/**
 * Every example topology synthesizes, and every stack it makes passes the real
 * `terraform validate` and an offline `terraform plan` against hashicorp/aws 5.100.0.
 */
import * as fs from "fs";
import * as path from "path";
import { loadTopology } from "../config/load";
import { synthInput } from "./helpers/synth";
import { planStacks, requireTerraform, validateStacks, withoutImports } from "./helpers/terraform";

const examplesDir = path.join(__dirname, "..", "examples");
const examples = fs.readdirSync(examplesDir).filter((f) => /\.(ya?ml|json)$/.test(f));

test("the examples folder holds the reference topology and more", () => {
  expect(examples).toContain("reference.yaml");
  expect(examples.length).toBeGreaterThanOrEqual(3);
});

test("terraform and the provider mirror are present (these tests fail, loudly, without them)", () => {
  expect(() => requireTerraform()).not.toThrow();
});

describe.each(examples)("example %s", (file) => {
  const out = synthInput(loadTopology(path.join(examplesDir, file)));
  const names = Object.keys(out.stacks);

  test("synthesizes a stack for each account", () => {
    for (const a of out.topology.accounts) expect(names).toContain(a.key);
  });

  test("every stack passes terraform validate", async () => {
    // Import blocks are allowed only in a root module: each stack is validated as a child module without them.
    const diagnostics = await validateStacks(Object.fromEntries(names.map((n) => [n, withoutImports(out.stacks[n])])));
    for (const name of Object.keys(diagnostics)) expect({ stack: name, diagnostics: diagnostics[name] }).toEqual({ stack: name, diagnostics: [] });
  });

  // A stack that looks an OU up (its id not yet in the topology) needs AWS to plan; the
  // management stack's import blocks too (Terraform reads the imported account). Both are
  // validated above; the rest plan offline.
  const lookups = names.filter((n) => Object.keys(out.stacks[n].data ?? {}).length > 0);
  const offline = names.filter((n) => !lookups.includes(n));

  test("the only lookups are of OUs whose ids the topology does not hold", () => {
    for (const n of lookups) expect(Object.keys(out.stacks[n].data!)).toEqual(["aws_organizations_organizational_unit"]);
  });

  test("every stack without a lookup plans offline, creating exactly the resources it declares", async () => {
    const stacks = Object.fromEntries(offline.map((n) => [n, withoutImports(out.stacks[n])]));
    // One provider instance per alias for all stacks (each provider block is a plugin process):
    // the resources planned are the same, in a third less time.
    const plan = await planStacks(stacks, { shareProviders: true });
    expect(plan.error).toBeUndefined();
    expect(plan.ok).toBe(true);
    for (const name of offline) {
      const declared = Object.entries(out.stacks[name].resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((n) => `${type}.${n}`));
      expect({ stack: name, creates: [...plan.creates[name]].sort() }).toEqual({ stack: name, creates: declared.sort() });
    }
  });
});
