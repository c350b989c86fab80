/**
 * Collects every policy of a synthesized `cdktf.out` with what it is attached to: role trust,
 * inline and managed policies, bucket and access point policies, KMS key policies (with the
 * key's aliases), organization policies (SCPs, RCPs) with their targets, and SageMaker model
 * package group policies; and, for the access review, RAM shares with their principals and
 * each stack's outputs.
 *
 * It reads the stacks' Terraform JSON and the manifest, nothing else. References inside a
 * stack (`${aws_s3_bucket.x.arn}`) are resolved to the values AWS will see; values that
 * exist only after apply become deterministic stand-ins: a KMS key's ARN is
 * {@link syntheticKeyArn}, its id the logical id; the ids of OUs, created accounts,
 * organization policies, SageMaker domains, security groups and VPC endpoints are
 * `ou-synthetic-<logical id>`, `synthetic-account-<logical id>`, `p-synthetic-<logical id>`,
 * `d-synthetic-<logical id>`, `sg-synthetic-<logical id>` and `vpce-synthetic-<logical id>`;
 * an OU looked up by name (a `data "aws_organizations_organizational_unit"`) is
 * `ou-synthetic-<logical id>` too. A stack's account is the one its resources are made in
 * (a provider of another account used only by data sources is a read-only lookup).
 * Every value that cannot be resolved is listed in {@link Collection.unresolved}, never
 * dropped.
 *
 * The parts: review/collect/types.ts (what the collection holds), collection.ts (stack by
 * stack), stack.ts (providers and reference resolution, with references.ts), and one
 * collector per kind of resource: kms.ts, buckets.ts, access-points.ts, iam.ts,
 * organizations.ts, sagemaker.ts, ram.ts, outputs.ts.
 */
export * from "./collect/types";
export { collectDirectory, collectStacks } from "./collect/collection";
