/**
 * The Deny statements every bucket policy of this project starts with: TLS only and, for
 * KMS-encrypted buckets with a key of their own, uploads only with the right key. One
 * definition, used by the buckets and by the planning that measures bucket policies.
 */
import { Statement } from "./document";

/** A prefix whose objects must be encrypted with a key of their own (restricted datasets). */
export interface RestrictedPrefix {
  /** The prefix without its trailing slash (the dataset name). */
  readonly dataset: string;
  readonly keyArn: string;
}

/** What the upload Deny statements need to know of the bucket's keys. */
export interface UploadKeys {
  /** The default key: uploads naming another key (or no KMS) are denied. */
  readonly keyArn: string;
  /** Prefixes that must name a key of their own. */
  readonly restricted?: readonly RestrictedPrefix[];
}

/** The baseline Deny statements of a bucket policy. */
export function baselineBucketStatements(bucketArn: string, keys?: UploadKeys): Statement[] {
  const out = [tlsStatement(bucketArn)];
  if (keys) out.push(...uploadKeyStatements(bucketArn, keys.keyArn, keys.restricted ?? []));
  return out;
}

function uploadKeyStatements(bucketArn: string, defaultKeyArn: string, restricted: readonly RestrictedPrefix[]): Statement[] {
  const objects = `${bucketArn}/*`;
  const out: Statement[] = [
    {
      sid: "DenyUploadsWithOtherKey",
      effect: "Deny",
      principals: { any: true },
      actions: ["s3:PutObject"],
      resources: [objects],
      conditions: {
        StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": [defaultKeyArn, ...restricted.map((r) => r.keyArn)] },
        Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": false },
      },
    },
    {
      sid: "DenyUploadsWithoutKms",
      effect: "Deny",
      principals: { any: true },
      actions: ["s3:PutObject"],
      resources: [objects],
      conditions: {
        StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
        Null: { "s3:x-amz-server-side-encryption": false },
      },
    },
  ];
  // A restricted dataset's objects must name its own key: the bucket default would use the shared one.
  restricted.forEach((r, i) =>
    out.push({
      sid: `DenyRestrictedUploadsWithoutOwnKey${i + 1}`,
      effect: "Deny",
      principals: { any: true },
      actions: ["s3:PutObject"],
      resources: [`${bucketArn}/${r.dataset}/*`],
      conditions: { StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": r.keyArn } },
    }),
  );
  return out;
}

function tlsStatement(bucketArn: string): Statement {
  return {
    sid: "DenyInsecureTransport",
    effect: "Deny",
    principals: { any: true },
    actions: ["s3:*"],
    resources: [bucketArn, `${bucketArn}/*`],
    conditions: { Bool: { "aws:SecureTransport": false } },
  };
}

