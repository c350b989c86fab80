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
  /** Whether AWS raises the quota on request (Service Quotas); the size quotas of S3, KMS, managed and inline policies and SCPs are fixed. */
  readonly raisable: boolean;
  /** A change the user can make when a policy of this kind does not fit. */
  readonly fix: string;
}

/** Every quota this project checks. */
export const QUOTAS: Readonly<Record<QuotaKind, Quota>> = {
  bucket: {
    limit: 20 * 1024,
    countsWhitespace: true,
    description: "S3 bucket policy (20 KB)",
    raisable: false,
    fix: "grant the bucket's datasets to fewer consumer accounts or roles, or give a dataset its own bucket (classification: restricted)",
  },
  "access-point": {
    limit: 20 * 1024,
    countsWhitespace: true,
    description: "S3 access point policy (20 KB)",
    raisable: false,
    fix: "grant fewer roles of the consumer account the same datasets, or grant one role per dataset group",
  },
  managed: {
    limit: 6144,
    countsWhitespace: false,
    description: "IAM managed policy (6,144 characters)",
    raisable: false,
    fix: "grant the role less (fewer datasets or tables), or spread the grants over more roles",
  },
  "role-inline": {
    limit: 10240,
    countsWhitespace: false,
    description: "a role's inline policies together (10,240 characters)",
    raisable: false,
    fix: "grant the role less (fewer datasets or tables), or spread the grants over more roles",
  },
  trust: {
    limit: 2048,
    countsWhitespace: false,
    description: "IAM role trust policy (2,048 characters)",
    raisable: true,
    fix: "grant fewer consumer roles per reader role (split the grant's roles across datasets), or raise the account's role trust policy length quota",
  },
  key: {
    limit: 32 * 1024,
    countsWhitespace: true,
    description: "KMS key policy (32 KB)",
    raisable: false,
    fix: "share the key's datasets with fewer consumer accounts, or provide some datasets from a second provider account",
  },
  scp: { limit: 5120, countsWhitespace: true, description: "service control policy (5,120 characters)", raisable: false, fix: "guard fewer actions or resources in one policy" },
  rcp: { limit: 5120, countsWhitespace: true, description: "resource control policy (5,120 characters)", raisable: false, fix: "guard fewer actions or resources in one policy" },
};

/** Whether a quota can be raised, as the end of an error message. */
export function raiseSentence(raisable: boolean): string {
  return raisable ? "AWS raises this quota on request (Service Quotas)" : "AWS does not raise this quota";
}

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
   * @param fix the change the user can make, when more precise than the quota's
   * @param detail why it does not fit, when not simply by its size (a message must agree with its numbers)
   */
  constructor(
    readonly policy: string,
    readonly size: number,
    readonly quota: Quota,
    readonly limit: number = quota.limit,
    readonly fix: string = quota.fix,
    detail?: string,
  ) {
    const why =
      detail ??
      (limit === quota.limit
        ? `is ${size} characters, over the ${quota.description} quota`
        : `is ${size} characters, over the ${limit} characters it may take under the ${quota.description} quota`);
    super(`mlshare: ${policy} ${why}; ${fix}. ${raiseSentence(quota.raisable)}.`);
    this.name = "QuotaError";
  }
}

/** Throws QuotaError when the policy is over its quota; returns its size otherwise. */
export function assertWithinQuota(kind: QuotaKind, policy: string, json: string): number {
  const size = policySize(kind, json);
  if (size > QUOTAS[kind].limit) throw new QuotaError(policy, size, QUOTAS[kind]);
  return size;
}
