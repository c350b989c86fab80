/**
 * The Deny statements every bucket policy of this project starts with: TLS only, no
 * customer-provided keys (SSE-C) and, for KMS-encrypted buckets with a key of their own,
 * uploads only with that key. One definition, used by the buckets and by the planning that
 * measures bucket policies.
 */
import { Statement } from "./document";

/** What the upload Deny statements need to know of the bucket's key. */
export interface UploadKeys {
  /**
   * The bucket's default key: an upload naming another key, or an encryption other than
   * SSE-KMS, is denied. An upload naming none gets the bucket's default, which is this key.
   */
  readonly keyArn: string;
}

/** The condition key S3 sets when a request carries a customer-provided key (SSE-C). */
export const SSE_C_HEADER = "s3:x-amz-server-side-encryption-customer-algorithm";

/** The baseline Deny statements of a bucket policy. */
export function baselineBucketStatements(bucketArn: string, keys?: UploadKeys): Statement[] {
  const out = [tlsDenyStatement(bucketArn), sseCDenyStatement([`${bucketArn}/*`])];
  if (keys) out.push(...uploadKeyStatements(bucketArn, keys.keyArn));
  return out;
}

/**
 * SSE-C: an object encrypted with a key only its writer holds can be read by nobody else, and
 * overwriting a current version with one destroys the data for every reader. CreateMultipartUpload,
 * UploadPart and CopyObject with SSE-C are authorized as s3:PutObject and carry the header too.
 * `objects`: object ARN patterns of a bucket or an access point.
 */
export function sseCDenyStatement(objects: readonly string[], sid = "DenySseCUploads"): Statement {
  return {
    sid,
    effect: "Deny",
    principals: { any: true },
    actions: ["s3:PutObject"],
    resources: [...objects],
    conditions: { Null: { [SSE_C_HEADER]: false } },
  };
}

/**
 * Uploads must not name another key, KMS without a key, or another encryption. Each Deny
 * holds only when a header is present (the `Null` guards): a request without encryption
 * headers gets the bucket's default key, and UploadPart and CompleteMultipartUpload, which S3
 * authorizes as s3:PutObject, carry no encryption headers at all.
 */
function uploadKeyStatements(bucketArn: string, keyArn: string): Statement[] {
  return uploadEncryptionStatements([`${bucketArn}/*`], keyArn);
}

/**
 * The upload Denies for objects (`objects`: object ARN patterns of a bucket or an access
 * point) that must be encrypted with `keyArn`, or with SSE-S3 when there is no key (a writer
 * naming a KMS key of its own would leave objects the other readers cannot decrypt). Each
 * holds only when a header is present, so requests without encryption headers (multipart
 * parts) pass and get the bucket's default encryption. `sidPrefix` keeps Sids unique when
 * one policy holds the Denies of several datasets.
 */
export function uploadEncryptionStatements(objects: readonly string[], keyArn: string | undefined, sidPrefix = ""): Statement[] {
  if (!keyArn) {
    return [
      {
        sid: `${sidPrefix}DenyUploadsWithKms`,
        effect: "Deny",
        principals: { any: true },
        actions: ["s3:PutObject"],
        resources: [...objects],
        conditions: {
          StringNotEquals: { "s3:x-amz-server-side-encryption": "AES256" },
          Null: { "s3:x-amz-server-side-encryption": false },
        },
      },
    ];
  }
  return [
    {
      sid: `${sidPrefix}DenyUploadsWithOtherKey`,
      effect: "Deny",
      principals: { any: true },
      actions: ["s3:PutObject"],
      resources: [...objects],
      conditions: {
        StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": keyArn },
        Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": false },
      },
    },
    {
      // `aws:kms` without a key id makes S3 use the account's AWS managed key (aws/s3), which
      // no consumer can be granted.
      sid: `${sidPrefix}DenyUploadsWithAwsManagedKey`,
      effect: "Deny",
      principals: { any: true },
      actions: ["s3:PutObject"],
      resources: [...objects],
      conditions: {
        Null: { "s3:x-amz-server-side-encryption": false, "s3:x-amz-server-side-encryption-aws-kms-key-id": true },
      },
    },
    {
      sid: `${sidPrefix}DenyUploadsWithoutKms`,
      effect: "Deny",
      principals: { any: true },
      actions: ["s3:PutObject"],
      resources: [...objects],
      conditions: {
        StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
        Null: { "s3:x-amz-server-side-encryption": false },
      },
    },
  ];
}

/** Requests without TLS denied on a bucket and its objects. */
export function tlsDenyStatement(bucketArn: string, sid = "DenyInsecureTransport"): Statement {
  return {
    sid,
    effect: "Deny",
    principals: { any: true },
    actions: ["s3:*"],
    resources: [bucketArn, `${bucketArn}/*`],
    conditions: { Bool: { "aws:SecureTransport": false } },
  };
}
