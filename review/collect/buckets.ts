/** S3 buckets, their policies (inline or `aws_s3_bucket_policy`) and default encryption. */
import { bucketArn } from "../../config/naming";
import { isObject, list, ProviderInfo, StackContext } from "./stack";
import { BucketEncryption, CollectedBucket, CollectedPolicy } from "./types";

/** Collects the stack's buckets, with their policies and default encryption. */
export function collectBuckets(ctx: StackContext): void {
  const buckets = new Map<string, { bucket: CollectedBucket; policy?: CollectedPolicy; encryption?: BucketEncryption }>();
  const bucketOf = (value: unknown, address: string, attribute: string, w: ProviderInfo) => {
    const name = ctx.str(value, address, attribute);
    if (!name) return undefined;
    let entry = buckets.get(name);
    if (!entry) {
      entry = { bucket: { stack: ctx.stack, accountId: w.accountId, region: w.region, name, arn: bucketArn(w.partition, name) } };
      buckets.set(name, entry);
    }
    return entry;
  };
  for (const [, config, address] of ctx.each("aws_s3_bucket")) {
    const w = ctx.where(config);
    if (config.bucket === undefined) {
      ctx.unresolvedValue(address, "bucket", String(config.bucket_prefix ?? "(none)"), "the bucket has no fixed name");
      continue;
    }
    const entry = bucketOf(config.bucket, address, "bucket", w);
    if (!entry) continue;
    entry.bucket = { ...entry.bucket, address };
    if (config.policy !== undefined) entry.policy = ctx.policy("bucket", config.policy, address, "policy", `bucket policy of ${entry.bucket.name}`, entry.bucket.arn, w.accountId);
  }
  for (const [, config, address] of ctx.each("aws_s3_bucket_policy")) {
    const w = ctx.where(config);
    const entry = bucketOf(config.bucket, address, "bucket", w);
    const name = entry?.bucket.name ?? String(config.bucket);
    const policy = ctx.policy("bucket", config.policy, address, "policy", `bucket policy of ${name}`, entry?.bucket.arn ?? name, w.accountId);
    if (entry) entry.policy = policy;
  }
  for (const [, config, address] of ctx.each("aws_s3_bucket_server_side_encryption_configuration")) {
    const entry = bucketOf(config.bucket, address, "bucket", ctx.where(config));
    if (!entry) continue;
    for (const rule of list(config.rule).filter(isObject)) {
      const def = list(rule.apply_server_side_encryption_by_default).filter(isObject)[0];
      if (!def) continue;
      entry.encryption = {
        algorithm: ctx.str(def.sse_algorithm, address, "sse_algorithm") ?? "unknown",
        kmsKeyId: def.kms_master_key_id === undefined ? undefined : ctx.str(def.kms_master_key_id, address, "kms_master_key_id"),
        bucketKeyEnabled: rule.bucket_key_enabled === true,
      };
    }
  }
  for (const { bucket, policy, encryption } of buckets.values()) {
    ctx.out.buckets.set(bucket.arn, { ...bucket, policy, encryption });
  }
}
