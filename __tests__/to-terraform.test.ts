/**
 * Stacks resolve each element of their JSON once (stacks/to-terraform.ts): every example's
 * stacks are byte for byte what cdktf's own toTerraform makes.
 */
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformStack } from "cdktf";
import { deepMerge } from "cdktf/lib/util";
import { mergeFragment, toTerraformOnce } from "../stacks/to-terraform";
import { EXAMPLES, expectSameAsCdktf } from "./helpers/cdktf-baseline";

test.each(EXAMPLES)("%s synthesizes byte for byte as with cdktf's own toTerraform", (file) => expectSameAsCdktf(file, "toTerraform"));

test("toTerraformOnce keeps the stack's overrides and leaves out undefined metadata", () => {
  const stack = new TerraformStack(new App(), "s");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  new S3Bucket(stack, "b", { bucket: "data" });
  stack.addOverride("//.mlshare.note", { kept: "yes" });
  stack.addOverride("terraform.required_version", ">= 1.5");
  const ours = toTerraformOnce(stack);
  expect(ours).toEqual(stack.toTerraform());
  expect(JSON.stringify(ours)).toEqual(JSON.stringify(stack.toTerraform()));
  expect(ours["//"].mlshare).toEqual({ note: { kept: "yes" } });
  expect("cloud" in ours["//"].metadata).toBe(false);
});

test("mergeFragment merges as cdktf's deepMerge does, taking the fragment's objects over", () => {
  const fragments = [
    { resource: { aws_s3_bucket: { a: { bucket: "a", tags: { x: "1" } } } }, provider: { aws: [{ region: "us-east-1" }] } },
    { resource: { aws_s3_bucket: { b: { bucket: "b" } }, aws_kms_key: { k: { description: "key" } } }, provider: { aws: [{ alias: "second" }] } },
    { resource: { aws_s3_bucket: { a: { tags: { y: "2" }, policy: "p" } } }, output: { o: { value: { list: ["x"], map: {} } } } },
    { output: { o: { value: { list: ["y"], n: 1, t: true, nul: null } } }, terraform: { backend: { s3: { bucket: "state" } } } },
    { terraform: "replaced by a value", output: { o: { value: { map: "replaced" } } } },
  ];
  const copy = (x: unknown) => JSON.parse(JSON.stringify(x));
  const ours: Record<string, any> = {};
  const cdktfs: Record<string, any> = {};
  for (const f of fragments) {
    mergeFragment(ours, copy(f));
    deepMerge(cdktfs, copy(f));
  }
  expect(ours).toEqual(cdktfs);
  expect(JSON.stringify(ours)).toEqual(JSON.stringify(cdktfs));
  const fresh = { resource: { t: { r: { v: "1" } } } };
  const into: Record<string, any> = {};
  mergeFragment(into, fresh);
  expect(into.resource).toBe(fresh.resource);
});
