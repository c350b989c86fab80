/**
 * Every example topology synthesizes, and every stack it makes passes the real
 * `terraform validate` and an offline `terraform plan` against hashicorp/aws 5.100.0.
 */
import * as fs from "fs";
import * as path from "path";
import { loadTopology } from "../config/load";
import { synthInput } from "./helpers/synth";
import { Diagnostic, PlanResult, planStacks, requireTerraform, validateStacks, withoutImports } from "./helpers/terraform";

const examplesDir = path.join(__dirname, "..", "examples");
const examples = fs.readdirSync(examplesDir).filter((f) => /\.(ya?ml|json)$/.test(f));

test("the examples folder holds the reference topology and more", () => {
  expect(examples).toContain("reference.yaml");
  expect(examples.length).toBeGreaterThanOrEqual(3);
});

test("terraform and the provider mirror are present (these tests fail, loudly, without them)", () => {
  expect(() => requireTerraform()).not.toThrow();
});

/** Each example synthesized, with the stacks that can plan offline (no lookup). */
const synthesized = examples.map((file, i) => {
  const out = synthInput(loadTopology(path.join(examplesDir, file)));
  const names = Object.keys(out.stacks);
  // A stack that looks an OU up (its id not yet in the topology) needs AWS to plan; the
  // management stack's import blocks too (Terraform reads the imported account). Both are
  // validated; the rest plan offline.
  const lookups = names.filter((n) => Object.keys(out.stacks[n].data ?? {}).length > 0);
  return { file, out, names, lookups, offline: names.filter((n) => !lookups.includes(n)), module: (stack: string) => `e${i}-${stack}` };
});

// Terraform runs once for all examples (each stack a child module): every run loads the AWS
// provider's schema, and the plan starts one provider instance per alias for all stacks.
let validation: Promise<Record<string, Diagnostic[]>> | undefined;
let plan: Promise<PlanResult> | undefined;
const validated = () =>
  // Import blocks are allowed only in a root module: each stack is validated as a child module without them.
  (validation ??= validateStacks(Object.fromEntries(synthesized.flatMap((e) => e.names.map((n) => [e.module(n), withoutImports(e.out.stacks[n])])))));
const planned = () => (plan ??= planStacks(Object.fromEntries(synthesized.flatMap((e) => e.offline.map((n) => [e.module(n), withoutImports(e.out.stacks[n])]))), { shareProviders: true }));

test("the examples' stacks plan offline together", async () => {
  const p = await planned();
  expect(p.error).toBeUndefined();
  expect(p.ok).toBe(true);
});

test("nothing terraform validate says belongs to no stack", async () => {
  expect((await validated())["(root)"] ?? []).toEqual([]);
});

describe.each(synthesized)("example $file", ({ out, names, lookups, offline, module }) => {
  test("synthesizes a stack for each account", () => {
    for (const a of out.topology.accounts) expect(names).toContain(a.key);
  });

  test("every stack passes terraform validate", async () => {
    const diagnostics = await validated();
    for (const name of names) expect({ stack: name, diagnostics: diagnostics[module(name)] }).toEqual({ stack: name, diagnostics: [] });
  });

  test("the only lookups are of OUs whose ids the topology does not hold", () => {
    for (const n of lookups) expect(Object.keys(out.stacks[n].data!)).toEqual(["aws_organizations_organizational_unit"]);
  });

  test("every stack without a lookup plans offline, creating exactly the resources it declares", async () => {
    const p = await planned();
    expect(p.ok).toBe(true);
    for (const name of offline) {
      const declared = Object.entries(out.stacks[name].resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((n) => `${type}.${n}`));
      expect({ stack: name, creates: [...p.creates[module(name)]].sort() }).toEqual({ stack: name, creates: declared.sort() });
    }
  });
});
