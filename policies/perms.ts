/**
 * Named action lists for the grants this project writes: what "read" and "read-write" mean
 * on S3 and KMS. Every list is checked against AWS's action list by the tests.
 */

/** Reading objects, and their versions, under a prefix. */
export const S3_READ_OBJECTS = ["s3:GetObject", "s3:GetObjectVersion"] as const;

/** Writing objects under a prefix; deletes stay with the owning account. */
export const S3_WRITE_OBJECTS = ["s3:PutObject", "s3:AbortMultipartUpload"] as const;

/** Listing keys, limited by an s3:prefix condition. */
export const S3_LIST = ["s3:ListBucket"] as const;

/** Decrypting objects S3 reads with the key. */
export const KMS_DECRYPT = ["kms:Decrypt"] as const;

/** What S3 needs of the key to encrypt new objects (and multipart parts) for a writer. */
export const KMS_ENCRYPT = ["kms:GenerateDataKey"] as const;

/** Assuming a role. */
export const STS_ASSUME = ["sts:AssumeRole"] as const;

/**
 * The key administration the owning account keeps (no use of the key for data, no kms:*).
 * Not `kms:Create*`: it holds kms:CreateGrant, and a grant's operations ignore the key
 * policy's conditions (through S3 only, from the granted accounts); grants are
 * {@link KMS_CREATE_GRANT}, for AWS services only.
 */
export const KMS_ADMIN = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:Delete*",
  "kms:Describe*",
  "kms:Disable*",
  "kms:Enable*",
  "kms:Get*",
  "kms:List*",
  "kms:Put*",
  "kms:Revoke*",
  "kms:RotateKeyOnDemand",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:Update*",
] as const;

/** Creating a grant on the key: only for an AWS service's resource (`kms:GrantIsForAWSResource`). */
export const KMS_CREATE_GRANT = ["kms:CreateGrant"] as const;

/** What the owning account's own principals may do with the key, through S3 only. */
export const KMS_USE_VIA_S3 = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:DescribeKey"] as const;

/** S3 actions of a grant at an access level. */
export function s3ObjectActions(access: "read" | "read-write"): string[] {
  return access === "read" ? [...S3_READ_OBJECTS] : [...S3_READ_OBJECTS, ...S3_WRITE_OBJECTS];
}

/** KMS actions of a grant at an access level. */
export function kmsActions(access: "read" | "read-write"): string[] {
  return access === "read" ? [...KMS_DECRYPT] : [...KMS_DECRYPT, ...KMS_ENCRYPT];
}
