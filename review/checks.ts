/**
 * The checks that must hold everywhere, not only on what is shared:
 * - no bucket accepts a request without TLS (`aws:SecureTransport` false), asked as the
 *   strongest principal there is: a role of the bucket's own account that allows itself
 *   everything;
 * - nothing is reachable from outside the organization: a role of another organization that
 *   allows itself everything may not get past any bucket policy (for the bucket and every
 *   shared prefix: read, write, list; even when a key policy would refuse to decrypt, S3
 *   would serve object metadata), assume any role, or use any key directly;
 * - every policy within its AWS size quota (policies/quotas.ts), and how close;
 * - the compliance rules (compliance/), with the suppressions the synthesized stacks record.
 */
import { checkCompliance } from "../compliance/check";
import { StackJson } from "../compliance/rule";
import { Suppression } from "../config/model";
import { policySize, QuotaKind, QUOTAS } from "../policies/quotas";
import { Collection, CollectedPolicy, PolicyKind } from "./collect";
import { AccessEvaluator, externalIdOf, namedPolicy, policyLabel, StepResult } from "./evaluate";
import { acceptedByS3, decidingSteps, SAMPLE_OBJECT, statementsInWords } from "./matrix";
import { PolicySize, ReviewFinding } from "./model";
import { PrincipalSet } from "./principals";

type Add = (f: ReviewFinding) => void;

function failed(resource: string, what: string, e: unknown): ReviewFinding {
  return {
    id: `evaluation:EVALUATION_ERROR:${resource}:${what}`,
    source: "evaluation",
    severity: "high",
    rule: "EVALUATION_ERROR",
    resource,
    what: `could not evaluate ${what}: ${e instanceof Error ? e.message : String(e)}`,
    why: "The review cannot vouch for access it cannot evaluate; an unreadable or unresolved policy may grant more than it seems.",
  };
}

/** No bucket made by the stacks accepts requests without TLS. */
export async function checkTls(ev: AccessEvaluator, collection: Collection, principals: PrincipalSet): Promise<ReviewFinding[]> {
  const findings: ReviewFinding[] = [];
  for (const bucket of collection.buckets) {
    if (!bucket.address) continue;
    const where = `${bucket.stack}/${bucket.address}`;
    const admin = principals.anyOtherRole.get(bucket.accountId);
    if (!admin) continue;
    for (const action of ["s3:ListBucket", "s3:GetObject", "s3:PutObject"] as const) {
      try {
        const r = await ev.s3({ principalArn: admin.arn, action, bucket: bucket.name, key: SAMPLE_OBJECT, prefix: "", secureTransport: false });
        const steps = acceptedByS3(r);
        if (!steps) continue;
        findings.push({
          id: `access:ACCESS_NON_TLS:${where}`,
          source: "access",
          severity: "high",
          rule: "ACCESS_NON_TLS",
          resource: where,
          what: `bucket ${bucket.name} accepts ${action} without TLS (asked as ${admin.label}; ${statementsInWords(decidingSteps(steps))})`,
          why: "Data in transit must be encrypted: a Deny on aws:SecureTransport = false in the bucket policy (or an RCP) must refuse plain HTTP.",
        });
        break;
      } catch (e) {
        findings.push(failed(where, `${action} without TLS on ${bucket.name}`, e));
        break;
      }
    }
  }
  return findings;
}

/** Nothing the stacks make is reachable by a role outside the organization. */
export async function checkOutsideOrganization(
  ev: AccessEvaluator,
  collection: Collection,
  principals: PrincipalSet,
  sharedPrefixes: readonly { readonly bucket: string; readonly prefix: string }[] = [],
): Promise<ReviewFinding[]> {
  const found = new Map<string, ReviewFinding>();
  const add: Add = (f) => {
    if (!found.has(f.id)) found.set(f.id, f);
  };
  const outsider = principals.outsider;
  const reachable = (resource: string, what: string, via: string, steps: readonly StepResult[]) =>
    add({
      id: `access:ACCESS_OUTSIDE_ORGANIZATION:${resource}`,
      source: "access",
      severity: "high",
      rule: "ACCESS_OUTSIDE_ORGANIZATION",
      resource,
      what: `a role of an account outside the organization can ${what}${via ? ` (via ${via})` : ""}: ${statementsInWords(decidingSteps(steps))}`,
      why: "Nothing the stacks make may be reachable from outside the organization: every grant names the organization (aws:PrincipalOrgID) or its roles.",
    });

  for (const bucket of collection.buckets) {
    if (!bucket.address) continue;
    const where = `${bucket.stack}/${bucket.address}`;
    const prefixes = ["", ...new Set(sharedPrefixes.filter((p) => p.bucket === bucket.name && p.prefix).map((p) => p.prefix))];
    probe: for (const prefix of prefixes) {
      for (const action of ["s3:GetObject", "s3:PutObject", "s3:ListBucket"] as const) {
        try {
          const r = await ev.s3({ principalArn: outsider.arn, action, bucket: bucket.name, key: `${prefix}${SAMPLE_OBJECT}`, prefix });
          // Getting past the bucket policy is reaching the bucket, even when a key policy refuses to decrypt.
          const steps = acceptedByS3(r);
          if (steps) {
            reachable(where, `${action} on ${prefix ? `${bucket.name}/${prefix}` : `bucket ${bucket.name}`}${r.allowed ? "" : " (S3 accepts it; only the KMS key policy refuses to decrypt)"}`, "", steps);
            break probe;
          }
        } catch (e) {
          add(failed(where, `${action} by ${outsider.label} on ${bucket.name}/${prefix}`, e));
          break probe;
        }
      }
    }
  }
  for (const role of collection.roles) {
    if (!role.trustPolicy?.document || !role.address) continue;
    const where = `${role.stack}/${role.address}`;
    const externalId = externalIdOf(role.trustPolicy);
    try {
      const step = await ev.evaluate({
        step: "sts",
        principalArn: outsider.arn,
        action: "sts:AssumeRole",
        resourceArn: role.arn,
        resourceAccountId: role.accountId,
        resourcePolicy: namedPolicy(role.trustPolicy),
        context: externalId ? { "sts:ExternalId": externalId } : {},
      });
      if (step.decision === "Allowed") reachable(where, `assume role ${role.name}${externalId ? " (knowing its external id)" : ""}`, "", [step]);
    } catch (e) {
      add(failed(where, `sts:AssumeRole by ${outsider.label} on ${role.name}`, e));
    }
  }
  for (const key of collection.keys) {
    if (!key.policy?.document) continue;
    const where = `${key.stack}/${key.address}`;
    for (const action of ["kms:Decrypt", "kms:GenerateDataKey"]) {
      try {
        const step = await ev.evaluate({
          step: "kms",
          principalArn: outsider.arn,
          action,
          resourceArn: key.arn,
          resourceAccountId: key.accountId,
          resourcePolicy: namedPolicy(key.policy),
          context: { "kms:CallerAccount": outsider.accountId, ...(key.aliases.length ? { "kms:ResourceAliases": key.aliases } : {}) },
        });
        if (step.decision === "Allowed") reachable(where, `${action} with key ${key.aliases[0] ?? key.logicalId}`, "", [step]);
      } catch (e) {
        add(failed(where, `${action} by ${outsider.label} with ${key.logicalId}`, e));
      }
    }
  }
  return [...found.values()];
}

/** The quota each kind of collected policy counts against (inline policies count per role, together). */
const QUOTA_OF: Partial<Record<PolicyKind, QuotaKind>> = {
  trust: "trust",
  managed: "managed",
  bucket: "bucket",
  "access-point": "access-point",
  key: "key",
  scp: "scp",
  rcp: "rcp",
};

/**
 * Every policy's size against its quota, largest share first, and a finding (high) for each
 * one over it. Near the quota is no finding: the packer fills inline policies and access
 * points up to their quotas by design.
 */
export function checkPolicySizes(collection: Collection): { sizes: PolicySize[]; findings: ReviewFinding[] } {
  const sizes: PolicySize[] = [];
  const measure = (policy: string, kind: QuotaKind, size: number) => {
    const q = QUOTAS[kind];
    sizes.push({ policy, quota: kind, description: q.description, size, limit: q.limit, percent: Math.round((size / q.limit) * 1000) / 10 });
  };
  for (const p of collection.policies) {
    const kind = QUOTA_OF[p.kind];
    if (kind) measure(policyLabel(p), kind, policySize(kind, p.text));
  }
  const seen = new Set<CollectedPolicy>();
  for (const role of collection.roles) {
    const inline = role.inlinePolicies.filter((p) => !seen.has(p));
    if (!inline.length) continue;
    inline.forEach((p) => seen.add(p));
    measure(`${role.stack}/inline policies of ${role.name}`, "role-inline", inline.reduce((n, p) => n + policySize("role-inline", p.text), 0));
  }
  sizes.sort((a, b) => b.percent - a.percent || a.policy.localeCompare(b.policy));
  const findings: ReviewFinding[] = [];
  for (const s of sizes) {
    if (s.size > s.limit) {
      findings.push({
        id: `quota:QUOTA_EXCEEDED:${s.policy}`,
        source: "quota",
        severity: "high",
        rule: "QUOTA_EXCEEDED",
        resource: s.policy,
        what: `${s.size} characters, ${s.percent} % of the ${s.description} quota`,
        why: "AWS refuses a policy over its size quota: the apply would fail.",
      });
    }
  }
  return { sizes, findings };
}

/**
 * The compliance suppressions a synthesized stack records: `"//": {"mlshare": {"suppressions":
 * [{rule, resource, reason}]}}` in its JSON (the review reads no topology).
 */
export function recordedSuppressions(stacks: Readonly<Record<string, StackJson>>): Suppression[] {
  const out: Suppression[] = [];
  for (const json of Object.values(stacks)) {
    const meta = (json as { readonly "//"?: { readonly mlshare?: { readonly suppressions?: unknown } } })["//"]?.mlshare?.suppressions;
    if (!Array.isArray(meta)) continue;
    for (const s of meta) {
      if (s && typeof s.rule === "string" && typeof s.resource === "string" && typeof s.reason === "string") out.push({ rule: s.rule, resource: s.resource, reason: s.reason });
    }
  }
  return out;
}

/** The compliance rules' findings over the stacks: violations count; suppressed ones are reported with their reasons. */
export function checkStacksCompliance(stacks: Readonly<Record<string, StackJson>>): { findings: ReviewFinding[]; suppressed: ReviewFinding[] } {
  const report = checkCompliance(stacks, recordedSuppressions(stacks));
  const convert = (f: (typeof report.violations)[number]): ReviewFinding => ({
    id: `compliance:${f.rule}:${f.resource}`,
    source: "compliance",
    severity: f.severity,
    rule: f.rule,
    resource: f.resource,
    what: f.info,
    why: f.explanation,
    ...(f.suppressedBecause !== undefined ? { suppressedBecause: f.suppressedBecause } : {}),
  });
  return { findings: report.violations.map(convert), suppressed: report.suppressed.map(convert) };
}
