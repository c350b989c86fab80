/**
 * Every example topology synthesizes, and every stack it makes passes the real
 * `terraform validate` and an offline `terraform plan` against hashicorp/aws 5.100.0.
 */
import * as fs from "fs";
import * as path from "path";
import { loadTopology } from "../config/load";
import { synthInput } from "./helpers/synth";
import { planStacks, requireTerraform, validateStacks } from "./helpers/terraform";

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
    const diagnostics = await validateStacks(out.stacks);
    for (const name of Object.keys(diagnostics)) expect({ stack: name, diagnostics: diagnostics[name] }).toEqual({ stack: name, diagnostics: [] });
  });

  test("every stack plans offline, creating exactly the resources it declares", async () => {
    const plan = await planStacks(out.stacks);
    expect(plan.error).toBeUndefined();
    expect(plan.ok).toBe(true);
    for (const name of names) {
      const declared = Object.entries(out.stacks[name].resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((n) => `${type}.${n}`));
      expect({ stack: name, creates: [...plan.creates[name]].sort() }).toEqual({ stack: name, creates: declared.sort() });
    }
  });
});
