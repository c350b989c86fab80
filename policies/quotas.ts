/**
 * AWS's size quotas for policy documents, and how each is counted.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
 */

/** The kinds of policy whose size AWS limits. */
export type QuotaKind = "bucket" | "access-point" | "managed" | "role-inline" | "trust" | "key" | "scp" | "rcp";

/** One quota: the limit and whether AWS counts whitespace. */
export interface Quota {
  readonly limit: number;
  /** IAM does not count whitespace in managed, inline and trust policies; S3, KMS and Organizations do. */
  readonly countsWhitespace: boolean;
  readonly description: string;
}

/** Every quota this project checks. */
export const QUOTAS: Readonly<Record<QuotaKind, Quota>> = {
  bucket: { limit: 20 * 1024, countsWhitespace: true, description: "S3 bucket policy (20 KB)" },
  "access-point": { limit: 20 * 1024, countsWhitespace: true, description: "S3 access point policy (20 KB)" },
  managed: { limit: 6144, countsWhitespace: false, description: "IAM managed policy (6,144 characters)" },
  "role-inline": { limit: 10240, countsWhitespace: false, description: "a role's inline policies together (10,240 characters)" },
  trust: { limit: 2048, countsWhitespace: false, description: "IAM role trust policy (2,048 characters)" },
  key: { limit: 32 * 1024, countsWhitespace: true, description: "KMS key policy (32 KB)" },
  scp: { limit: 5120, countsWhitespace: true, description: "service control policy (5,120 characters)" },
  rcp: { limit: 5120, countsWhitespace: true, description: "resource control policy (5,120 characters)" },
};

/** The size AWS counts for a minified policy text. */
export function policySize(kind: QuotaKind, json: string): number {
  const text = QUOTAS[kind].countsWhitespace ? json : json.replace(/\s+/g, "");
  return Buffer.byteLength(text, "utf8");
}

/** Raised when a generated policy cannot be arranged to fit its quota. */
export class QuotaError extends Error {
  /**
   * @param policy what the policy is
   * @param size its size as AWS counts it
   * @param quota the quota it breaks
   * @param limit the limit it was held to, when that differs from the quota's (several documents together)
   */
  constructor(
    readonly policy: string,
    readonly size: number,
    readonly quota: Quota,
    readonly limit: number = quota.limit,
  ) {
    super(`mlshare: ${policy} is ${size} characters, over the ${quota.description} quota${limit === quota.limit ? "" : ` (${limit} in all)`}; split the grants (fewer datasets or roles per grant) or ask AWS for a higher quota`);
    this.name = "QuotaError";
  }
}

/** Throws QuotaError when the policy is over its quota; returns its size otherwise. */
export function assertWithinQuota(kind: QuotaKind, policy: string, json: string): number {
  const size = policySize(kind, json);
  if (size > QUOTAS[kind].limit) throw new QuotaError(policy, size, QUOTAS[kind]);
  return size;
}
