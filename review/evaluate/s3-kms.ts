/**
 * The KMS request S3 makes on the caller's behalf after accepting a data request: Decrypt
 * for a read, GenerateDataKey for a write, with the key that encrypts the object (the key a
 * write names, else the key the bucket policy requires for the prefix, else the bucket's
 * default key), `kms:ViaService` of S3 in the bucket's region, `kms:CallerAccount`, and the
 * encryption context S3 sends: `aws:s3:arn`, the bucket's ARN when the bucket uses S3 Bucket
 * Keys, else the object's.
 * None for listings, for SSE-C writes (the caller brings the key) and for buckets without KMS.
 */
import { CollectedBucket } from "../collect";
import { accountOfArn, named } from "./policies";
import type { AccessEvaluator } from "./access";
import { S3AccessRequest, StepResult } from "./types";

/** The KMS step of a data request S3 accepted, or undefined when S3 makes none. */
export async function kmsStepOfS3(ev: AccessEvaluator, req: S3AccessRequest, bucket: CollectedBucket): Promise<StepResult | undefined> {
  const kmsAction = req.action === "s3:GetObject" || req.action === "s3:GetObjectVersion" ? "kms:Decrypt" : req.action === "s3:PutObject" ? "kms:GenerateDataKey" : undefined;
  if (!kmsAction) return undefined;
  if (req.action === "s3:PutObject" && req.encryption?.customerAlgorithm) return undefined;
  const key =
    req.action === "s3:PutObject"
      ? req.encryption?.kmsKeyId
        ? ev.key(req.encryption.kmsKeyId, bucket.accountId)
        : ev.objectKey(bucket, req.key!)
      : req.objectKmsKeyArn
        ? ev.key(req.objectKmsKeyArn, bucket.accountId)
        : ev.objectKey(bucket, req.key!);
  if (!key) return undefined;
  return ev.evaluate({
    step: "kms",
    principalArn: req.principalArn,
    action: kmsAction,
    resourceArn: key.arn,
    resourceAccountId: key.accountId,
    resourcePolicy: named(key.policy),
    secureTransport: true,
    viaAwsService: true,
    context: {
      "kms:ViaService": `s3.${bucket.region}.amazonaws.com`,
      "kms:CallerAccount": accountOfArn(ev.roleArnOf(req.principalArn)),
      "kms:EncryptionContext:aws:s3:arn": bucket.encryption?.bucketKeyEnabled ? bucket.arn : `${bucket.arn}/${req.key}`,
      "kms:EncryptionContextKeys": ["aws:s3:arn"],
      ...(key.aliases.length ? { "kms:ResourceAliases": key.aliases } : {}),
    },
  });
}
