/**
 * Outputs of data (constructs/outputs.ts) hand their value to resolution without cdktf's copy:
 * the stack's JSON is the same as with a TerraformOutput of the same value, overrides included.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { App, TerraformOutput, TerraformStack } from "cdktf";
import { DataOutput } from "../constructs/outputs";

function stackWith(make: (stack: TerraformStack, value: unknown) => TerraformOutput) {
  const stack = new TerraformStack(new App(), "s");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  const bucket = new S3Bucket(stack, "b", { bucket: "data" });
  const value = {
    "dataset-1": { s3Uri: "s3://data/dataset-1/", roles: ["arn:aws:iam::1:role/r"], consumers: { "ml-1": { access: "read", roles: [] } }, bucketArn: bucket.arn },
    empty: {},
    list: [1, "two", { three: true }],
  };
  const output = make(stack, value);
  return { stack, output };
}

test("a data output synthesizes as a TerraformOutput of the same value", () => {
  const ours = stackWith((s, value) => new DataOutput(s, "datasets", { staticId: true, description: "d", value }));
  const cdktfs = stackWith((s, value) => new TerraformOutput(s, "datasets", { staticId: true, description: "d", value }));
  expect(JSON.stringify(ours.stack.toTerraform())).toEqual(JSON.stringify(cdktfs.stack.toTerraform()));
  expect(ours.stack.toTerraform().output.datasets.value["dataset-1"].bucketArn).toBe("${aws_s3_bucket.b.arn}");
});

test("with overrides, a data output synthesizes as a TerraformOutput, and its value is left as it was", () => {
  const ours = stackWith((s, value) => new DataOutput(s, "datasets", { staticId: true, value }));
  const cdktfs = stackWith((s, value) => new TerraformOutput(s, "datasets", { staticId: true, value }));
  for (const { output } of [ours, cdktfs]) output.addOverride("value.list", ["overridden"]);
  expect(JSON.stringify(ours.stack.toTerraform())).toEqual(JSON.stringify(cdktfs.stack.toTerraform()));
  expect((ours.output.value as any).list).toEqual([1, "two", { three: true }]);
});
