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
    fix: "grant the dataset through a reader role to fewer roles of the consumer account (a reader role is shared by the grants that name exactly the same roles and access), or grant some roles through the bucket policy (via: bucket-policy), or raise the account's role trust policy length quota",
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
  return raisable
    ? "AWS raises this quota on request (Service Quotas); mlshare checks AWS's default, which it cannot know to be raised"
    : "AWS does not raise this quota";
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

/** The kinds of resource AWS counts per account (or per account and region). */
export type CountKind = "roles" | "managed-policies" | "access-points" | "attached-per-role";

/** One count quota: AWS's default, what it counts, and a change the user can make. */
export interface CountQuota {
  readonly limit: number;
  readonly description: string;
  readonly raisable: boolean;
  readonly fix: string;
}

/**
 * The count quotas mlshare checks, at AWS's defaults; all four can be raised through Service
 * Quotas, and mlshare checks the default because it cannot know an account's raised value.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-restrictions-limitations.html
 */
export const COUNT_QUOTAS: Readonly<Record<CountKind, CountQuota>> = {
  roles: {
    limit: 1000,
    description: "IAM roles per account (1,000 by default)",
    raisable: true,
    fix: "grant through fewer reader roles (one per consumer account, granted roles and access: give the consumers' grants the same roles), or provide some datasets from another account",
  },
  "managed-policies": {
    limit: 1500,
    description: "customer managed policies per account (1,500 by default)",
    raisable: true,
    fix: "grant roles of the account fewer datasets each (each role past its inline policy takes managed policies), or share the datasets through access points of fewer buckets",
  },
  "access-points": {
    limit: 10000,
    description: "S3 access points per account and region (10,000 by default)",
    raisable: true,
    fix: "grant fewer roles per consumer account distinct sets of datasets, or provide some datasets from another account or region",
  },
  "attached-per-role": {
    limit: 10,
    description: "managed policies attached per role (10 by default)",
    raisable: true,
    fix: "grant the role fewer datasets",
  },
};

/** Raised when an account would hold more of a resource than AWS's default quota allows. */
export class CountQuotaError extends QuotaError {
  /**
   * @param account the account, as `key (id)` and with the region when the quota is per region
   * @param kind the quota
   * @param count how many the account would hold (of what mlshare makes)
   */
  constructor(
    readonly account: string,
    readonly kind: CountKind,
    readonly count: number,
  ) {
    const q = COUNT_QUOTAS[kind];
    super(
      `account ${account}`,
      count,
      { limit: q.limit, countsWhitespace: false, description: q.description, raisable: q.raisable, fix: q.fix },
      q.limit,
      q.fix,
      `would hold ${count.toLocaleString("en-US")} ${kind === "attached-per-role" ? "managed policies attached to one role" : kind === "roles" ? "IAM roles" : kind === "managed-policies" ? "customer managed policies" : "S3 access points"} that mlshare makes, over the ${q.description} quota`,
    );
    this.name = "CountQuotaError";
  }
}
