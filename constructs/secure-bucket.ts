import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { bucketArn } from "../config/naming";
import { baselineBucketStatements } from "../policies/bucket-baseline";
import { PolicyDocument } from "../policies/document";
import { assertWithinQuota } from "../policies/quotas";

/** How a bucket encrypts objects at rest. */
export type BucketEncryption =
  /** SSE-KMS with bucket keys; with `keyArn`, uploads must use that key (or name none). */
  | { readonly kind: "kms"; readonly keyArn?: string }
  /** SSE-S3: only for server access log targets, which S3 cannot deliver to with SSE-KMS. */
  | { readonly kind: "s3-managed-for-access-logs" };

/** Props of {@link SecureBucket}. */
export interface SecureBucketProps {
  /** The bucket name (from the naming module). */
  readonly bucketName: string;
  /** The partition, for the bucket ARN. */
  readonly partition: string;
  /** The AWS provider of the owning account. */
  readonly provider: AwsProvider;
  /** Encryption at rest. @default SSE-KMS with the AWS managed key and bucket keys */
  readonly encryption?: BucketEncryption;
  /**
   * The bucket policy, with the grants already in it. The construct adds its baseline Deny
   * statements (TLS only, no SSE-C, right key on upload) to it.
   * @default a policy with the baseline statements only
   */
  readonly policy?: PolicyDocument;
  /** Where server access logs go: a log bucket of the same account. @default no access logs */
  readonly accessLogs?: { readonly target: SecureBucket; readonly prefix: string };
  /**
   * Keep the bucket when the stack is destroyed (`prevent_destroy`).
   * @default true: data and state survive a mistaken destroy
   */
  readonly preventDestroy?: boolean;
}

/**
 * An S3 bucket with the secure defaults of DESIGN.md: the four public access blocks,
 * BucketOwnerEnforced, versioning, encryption at rest, a Deny on non-TLS requests, a Deny on
 * uploads with a customer-provided key (SSE-C) and, with a KMS key, a Deny on uploads naming
 * another key or encryption; `prevent_destroy` unless opted out. hashicorp/aws 5.100.0 has no
 * setting that blocks SSE-C on the bucket (S3's `BlockedEncryptionTypes`), so the policy does it.
 */
export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly bucketName: string;
  readonly arn: string;
  readonly policyDocument: PolicyDocument;
  readonly bucketPolicy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const provider = props.provider;
    const encryption = props.encryption ?? { kind: "kms" };
    this.bucketName = props.bucketName;
    this.arn = bucketArn(props.partition, props.bucketName);

    this.bucket = new S3Bucket(this, "Bucket", {
      provider,
      bucket: props.bucketName,
      forceDestroy: false,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    const bucket = this.bucket.id;

    const publicAccess = new S3BucketPublicAccessBlock(this, "PublicAccessBlock", {
      provider,
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "Ownership", {
      provider,
      bucket,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    new S3BucketVersioningA(this, "Versioning", {
      provider,
      bucket,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "Encryption", {
      provider,
      bucket,
      rule: [
        encryption.kind === "kms"
          ? {
              applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: encryption.keyArn },
              bucketKeyEnabled: true,
            }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    });
    if (props.accessLogs) {
      // By reference, and after the log bucket's policy admits S3's log delivery.
      new S3BucketLoggingA(this, "AccessLogs", {
        provider,
        bucket,
        targetBucket: props.accessLogs.target.bucket.id,
        targetPrefix: props.accessLogs.prefix,
        dependsOn: [props.accessLogs.target.bucketPolicy],
      });
    }

    const policy = props.policy ?? new PolicyDocument(`bucket policy of ${props.bucketName}`, "bucket");
    for (const statement of baselineBucketStatements(this.arn, encryption.kind === "kms" && encryption.keyArn ? { keyArn: encryption.keyArn } : undefined)) {
      policy.add(statement);
    }
    this.policyDocument = policy;
    const json = policy.toString();
    assertWithinQuota("bucket", policy.name, json);
    // The policy waits for the public access block, so a grant is never briefly public.
    this.bucketPolicy = new S3BucketPolicy(this, "Policy", {
      provider,
      bucket,
      policy: json,
      dependsOn: [publicAccess],
    });
  }
}
