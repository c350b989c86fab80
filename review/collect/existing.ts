/**
 * Existing buckets and keys (`datasets[].existing`), which no stack makes: modelled from the
 * provider stack's `existing_data` output, so the access review evaluates their grants like
 * any other. An adopted bucket policy is the stack's `aws_s3_bucket_policy` (collected by
 * buckets.ts); an adopted key policy is its `aws_kms_key_policy` on the key's id. In
 * access-points mode the bucket and key policies are the owner's: the review models them as
 * the one-time statements the stack outputs, named as living outside mlshare, so a grant reads
 * "allowed once the owner adds them", never a plain "allowed" (review/checks/existing-data.ts).
 */
import { bucketArn, partitionOf } from "../../config/naming";
import { isObject, StackContext } from "./stack";
import { CollectedKey } from "./types";

/** The name a modelled owner's policy carries in results. */
export const OWNER_STATEMENTS = "owner's one-time statements (outside mlshare, pending the owner's step)";

/** Collects the existing buckets and keys a provider stack's `existing_data` output describes. Runs after the outputs. */
export function collectExistingData(ctx: StackContext): void {
  const stack = ctx.out.stacks.find((s) => s.name === ctx.stack);
  const data = stack?.outputs.existing_data;
  if (!stack || !isObject(data)) return;
  const partition = partitionOf(stack.region);
  const adoptedKeyPolicies = ctx.each("aws_kms_key_policy").filter(([, config]) => typeof config.key_id === "string" && !config.key_id.includes("${"));
  for (const [name, raw] of Object.entries(data)) {
    if (!isObject(raw)) continue;
    const arn = bucketArn(partition, name);
    const keys = isObject(raw.keys) ? raw.keys : {};
    const keyArn = Object.keys(keys)[0];
    const prior = ctx.out.buckets.get(arn);
    const ownerBucket =
      typeof raw.ownerBucketPolicyStatements === "string"
        ? ctx.policy("bucket", raw.ownerBucketPolicyStatements, "output.existing_data", `${name}.ownerBucketPolicyStatements`, `bucket policy of ${name}: ${OWNER_STATEMENTS}`, arn, stack.accountId)
        : undefined;
    ctx.out.buckets.set(arn, {
      stack: ctx.stack,
      accountId: stack.accountId,
      region: stack.region,
      name,
      arn,
      ...(prior?.address ? { address: prior.address } : {}),
      ...(prior?.policy ? { policy: prior.policy } : ownerBucket ? { policy: ownerBucket } : {}),
      // S3 sends the object's ARN as encryption context unless the bucket uses bucket keys, which
      // the stacks cannot tell for a bucket they do not make; the key statements accept both.
      ...(keyArn ? { encryption: { algorithm: "aws:kms", kmsKeyId: keyArn, bucketKeyEnabled: false } } : { encryption: { algorithm: "AES256", bucketKeyEnabled: false } }),
    });
    for (const [keyArnOf, k] of Object.entries(keys)) {
      if (!isObject(k) || ctx.out.keys.some((x) => x.arn === keyArnOf)) continue;
      const keyId = keyArnOf.slice(keyArnOf.indexOf(":key/") + 5);
      const adopted = adoptedKeyPolicies.find(([, config]) => config.key_id === keyId);
      const policy = adopted
        ? ctx.policy("key", adopted[1].policy, adopted[2], "policy", `key policy of ${keyArnOf}`, keyArnOf, stack.accountId)
        : typeof k.ownerKeyPolicyStatements === "string"
          ? ctx.policy("key", k.ownerKeyPolicyStatements, "output.existing_data", `${name}.keys.ownerKeyPolicyStatements`, `key policy of ${keyArnOf}: ${OWNER_STATEMENTS}`, keyArnOf, stack.accountId)
          : undefined;
      const key: CollectedKey = { stack: ctx.stack, accountId: stack.accountId, region: stack.region, logicalId: keyId, address: adopted ? adopted[2] : "output.existing_data", arn: keyArnOf, aliases: [], ...(policy ? { policy } : {}) };
      ctx.out.keys.push(key);
    }
  }
}
