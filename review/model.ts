/**
 * The access review's report, as `review.json` holds it: what the stacks make, who can reach
 * each shared resource and why, the checks that must hold everywhere, policy sizes against
 * their quotas, the compliance rules' findings and the values the review could not resolve.
 * `review.md` renders the same data for a pull-request comment; a base/head diff compares two.
 */
import { UnresolvedValue } from "./collect";

/** How bad a finding is; the review fails at or above `--fail-on`. */
export type Severity = "high" | "medium" | "low";

/** Severities from the worst. */
export const SEVERITIES: readonly Severity[] = ["high", "medium", "low"];

/** Where a finding comes from. */
export type FindingSource = "access" | "quota" | "compliance" | "evaluation";

/** One finding. */
export interface ReviewFinding {
  /** Stable across runs, for the base/head diff: `<source>:<rule>:<resource>`. */
  readonly id: string;
  readonly source: FindingSource;
  readonly severity: Severity;
  /** The rule or check (`S3_TLS_ONLY`, `ACCESS_OUTSIDE_ORGANIZATION`, `QUOTA_EXCEEDED`, ...). */
  readonly rule: string;
  /** `<stack>/<terraform address>`, or what the finding is about. */
  readonly resource: string;
  /** What was found. */
  readonly what: string;
  /** Why it matters. */
  readonly why: string;
  /** For suppressed compliance findings: the reason the topology gives. */
  readonly suppressedBecause?: string;
}

/** What kind of principal a matrix entry is. */
export type PrincipalKind = "role" | "any-other-role" | "outside-organization" | "ram-principal";

/** A principal the review asks about. */
export interface ReviewPrincipal {
  /** A role ARN (a synthetic one for the "any other role" and outside principals). */
  readonly arn: string;
  /** `<account key>/<role name>`, `<account key>/(any other role)`, `(outside the organization)`. */
  readonly label: string;
  readonly kind: PrincipalKind;
  readonly accountId: string;
}

/** One statement that decided a request. */
export interface DecidingStatementRef {
  /** `<stack>/<terraform address>` of the policy, or its name. */
  readonly policy: string;
  readonly side: string;
  readonly effect: "Allow" | "Deny";
  /** The statement's Sid, else its 1-based position. */
  readonly statement: string;
}

/** One request on the way to an answer, with the statements that allowed it. */
export interface DecidingStep {
  /** `s3`, `s3-bucket`, `kms`, `sts`, or `sagemaker`. */
  readonly step: string;
  readonly action: string;
  readonly resource: string;
  readonly statements: readonly DecidingStatementRef[];
}

/** A principal that can do something to a shared resource, and why. */
export interface AccessGrant {
  readonly principal: string;
  readonly arn: string;
  readonly kind: PrincipalKind;
  /** How: `bucket`, `access point <arn>`, `role <arn>`, `resource policy`, `RAM association`. */
  readonly via: string;
  readonly steps: readonly DecidingStep[];
}

/** What the review knows how to share, and the verbs it evaluates for each. */
export type SharedKind = "dataset" | "model-artifacts" | "model-package-group" | "ram-share";

/** The verbs of each kind, in report order. */
export const VERBS: Readonly<Record<SharedKind, readonly string[]>> = {
  dataset: ["read", "write"],
  "model-artifacts": ["read", "write"],
  "model-package-group": ["describe", "register", "approve"],
  "ram-share": ["use"],
};

/** A shared resource and who can reach it. */
export interface SharedResource {
  readonly kind: SharedKind;
  readonly name: string;
  /** `<kind>:<owner stack>:<name>`: stable across runs. */
  readonly id: string;
  /** The stack (account key) that owns it. */
  readonly owner: string;
  readonly ownerAccountId: string;
  /** Where it is: an S3 URI, a model package group ARN, a RAM share's address. */
  readonly location: string;
  /** Per verb, the principals that can, sorted by label. */
  readonly access: Readonly<Record<string, readonly AccessGrant[]>>;
  /** How many principals were evaluated against it. */
  readonly evaluated: number;
  readonly notes: readonly string[];
}

/** One stack: where it deploys and what it makes. */
export interface StackSummary {
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  readonly dependencies: readonly string[];
  /** Resource counts by Terraform type. */
  readonly resources: Readonly<Record<string, number>>;
  readonly resourceCount: number;
}

/** One policy's size against its AWS quota. */
export interface PolicySize {
  /** `<stack>/<terraform address>`, or `<stack>/inline policies of <role>`. */
  readonly policy: string;
  /** The quota kind (policies/quotas.ts). */
  readonly quota: string;
  readonly description: string;
  readonly size: number;
  readonly limit: number;
  /** Size as a percentage of the limit, rounded to one decimal. */
  readonly percent: number;
}

/** The whole review. */
export interface Review {
  readonly version: 1;
  /** The `cdktf.out` reviewed, as given. */
  readonly source: string;
  readonly organization: { readonly id: string; readonly accountIds: readonly string[]; readonly managementAccountId?: string; readonly rootId?: string };
  readonly stacks: readonly StackSummary[];
  readonly principals: readonly ReviewPrincipal[];
  readonly matrix: readonly SharedResource[];
  /** Findings that count (not suppressed), worst first. */
  readonly findings: readonly ReviewFinding[];
  /** Compliance findings the topology accepted, with their reasons: reported, never failing. */
  readonly suppressed: readonly ReviewFinding[];
  /** Every policy's size, largest share of its quota first. */
  readonly policySizes: readonly PolicySize[];
  readonly unresolved: readonly UnresolvedValue[];
  /** What the review could not take into account, in sentences. */
  readonly notes: readonly string[];
  /** Lake Formation grants on shared tables, per table and principal (review/tables.ts); absent in reviews made before tables. */
  readonly tables?: readonly import("./tables").TableAccessEntry[];
}

/** Counts of findings by severity. */
export function countBySeverity(findings: readonly ReviewFinding[]): Record<Severity, number> {
  const out: Record<Severity, number> = { high: 0, medium: 0, low: 0 };
  for (const f of findings) out[f.severity]++;
  return out;
}

/** The findings at or above a severity. */
export function findingsAtOrAbove(findings: readonly ReviewFinding[], severity: Severity): ReviewFinding[] {
  const limit = SEVERITIES.indexOf(severity);
  return findings.filter((f) => SEVERITIES.indexOf(f.severity) <= limit);
}
