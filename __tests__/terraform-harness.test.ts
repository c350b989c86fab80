/** The terraform checks the other tests rely on can fail: they are not vacuous. */
import { synthInput } from "./helpers/synth";
import { minimalInput } from "./helpers/topology";
import { planStacks, validateStacks } from "./helpers/terraform";

const out = synthInput(minimalInput());

test("terraform validate reports an attribute the AWS provider does not have, on the right stack", async () => {
  const broken = JSON.parse(JSON.stringify(out.stacks.bootstrap));
  const bucket = Object.values(broken.resource.aws_s3_bucket)[0] as any;
  bucket.no_such_attribute = true;
  const diagnostics = await validateStacks({ bootstrap: broken, science: out.stacks.science });
  expect(diagnostics.science).toEqual([]);
  expect(diagnostics.bootstrap.map((d) => d.summary)).toContain("Extraneous JSON object property");
});

test("an offline plan fails on an invalid value the schema accepts", async () => {
  const broken = JSON.parse(JSON.stringify(out.stacks.bootstrap));
  const versioning = Object.values(broken.resource.aws_s3_bucket_versioning)[0] as any;
  versioning.versioning_configuration.status = "Sometimes";
  const plan = await planStacks({ bootstrap: broken });
  expect(plan.ok).toBe(false);
  expect(plan.error).toMatch(/Sometimes|expected versioning_configuration.0.status/);
});

test("with shared providers, terraform validate still reports a stack's invalid attribute", async () => {
  const broken = JSON.parse(JSON.stringify(out.stacks.lake));
  const key = Object.values(broken.resource.aws_kms_key)[0] as any;
  key.no_such_attribute = true;
  const diagnostics = await validateStacks({ lake: broken, science: out.stacks.science }, { shareProviders: true });
  expect(diagnostics.science).toEqual([]);
  expect(diagnostics.lake.map((d) => d.summary)).toContain("Extraneous JSON object property");
});
