/**
 * The access matrix: for every shared resource, every candidate principal is evaluated
 * against it with AWS's evaluation logic (review/evaluate.ts), and the principals that can
 * read or write (describe, register or approve, for a model package group) are listed with
 * the statements that decided it.
 *
 * - Datasets and model artifact sets: read is `s3:GetObject` of an object under the prefix,
 *   end to end (the bucket or access point policy, the identity policy, an assumed role's
 *   trust, and the KMS key policy for the Decrypt S3 makes); write is `s3:PutObject` with the
 *   resource's key, end to end (GenerateDataKey). A principal that cannot read is also asked
 *   whether it can list the prefix (`s3:ListBucket`): one that can is a finding. One dataset
 *   per class of datasets the policies treat alike is evaluated, the others take its answers
 *   (review/matrix-data.ts, review/dataset-classes.ts).
 * - Model package groups: `sagemaker:DescribeModelPackage`, `CreateModelPackage` (pending
 *   approval) and `UpdateModelPackage` (approving) on a package of the group, with the
 *   group's resource policy.
 * - RAM shares are not IAM policies: their associated principals are listed as written.
 *
 * The owner account's "any other role" is not asked: inside its own account a role's IAM
 * policies alone decide, which is no cross-account question. Named roles of the owner
 * account (its SageMaker users, its project roles) are asked like any other.
 */
import { CollectedOrgUnit, CollectedPolicy } from "./collect";
import { AccessEvaluator, namedPolicy, OrganizationContext } from "./evaluate";
import { dataRows } from "./matrix-data";
import { Add, byLabel, evaluationFailed, finish, grantOf } from "./matrix-steps";
import { AccessGrant, ReviewFinding, SharedResource, VERBS } from "./model";
import { PrincipalSet } from "./principals";
import { SharedData, SharedModelPackageGroup, SharedRamShare, SharedTarget } from "./shared";

export { acceptedByS3, decidingSteps, routeName, SAMPLE_OBJECT, statementsInWords } from "./matrix-steps";

/** The matrix and the findings it raised. */
export interface MatrixResult {
  readonly resources: SharedResource[];
  readonly findings: ReviewFinding[];
}

/** How the matrix is evaluated. */
export interface MatrixOptions {
  /**
   * Evaluate one dataset per class of datasets the policies treat alike and reuse its answers
   * (review/dataset-classes.ts); default true. False evaluates every dataset on its own (the
   * tests compare the two).
   */
  readonly datasetClasses?: boolean;
}

/** Evaluates every candidate against every shared resource. */
export async function accessMatrix(ev: AccessEvaluator, targets: readonly SharedTarget[], principals: PrincipalSet, org: OrganizationContext, options: MatrixOptions = {}): Promise<MatrixResult> {
  const findings = new Map<string, ReviewFinding>();
  const add = (f: ReviewFinding) => {
    if (!findings.has(f.id)) findings.set(f.id, f);
  };
  const resources: SharedResource[] = [];
  const data = await dataRows(ev, targets.filter((t): t is SharedData => t.kind === "dataset" || t.kind === "model-artifacts"), principals, add, options.datasetClasses !== false);
  for (const t of targets) {
    if (t.kind === "model-package-group") resources.push(await registryAccess(ev, t, principals, add));
    else if (t.kind === "ram-share") resources.push(ramAccess(t, principals, org, ev.collection.organization.units, add));
    else resources.push(data.get(t as SharedData)!);
  }
  return { resources, findings: [...findings.values()] };
}

/** The requests of each model package group verb. */
const REGISTRY_VERBS: Readonly<Record<string, { action: string; context: Record<string, string> }>> = {
  describe: { action: "sagemaker:DescribeModelPackage", context: {} },
  register: { action: "sagemaker:CreateModelPackage", context: { "sagemaker:ModelApprovalStatus": "PendingManualApproval" } },
  approve: { action: "sagemaker:UpdateModelPackage", context: { "sagemaker:ModelApprovalStatus": "Approved" } },
};

async function registryAccess(ev: AccessEvaluator, t: SharedModelPackageGroup, principals: PrincipalSet, add: Add): Promise<SharedResource> {
  const access: Record<string, AccessGrant[]> = Object.fromEntries(VERBS[t.kind].map((v) => [v, []]));
  const notes: string[] = [];
  if (!t.policy) notes.push("the group has no resource policy: only its own account's roles can reach it");
  const packageArn = t.arn.replace(":model-package-group/", ":model-package/") + "/1";
  const policy = t.policy ? safeNamed(t.policy) : undefined;
  const candidates = principals.principals.filter((p) => !(p.kind === "any-other-role" && p.accountId === t.ownerAccountId));
  for (const p of candidates) {
    for (const verb of VERBS[t.kind]) {
      const { action, context } = REGISTRY_VERBS[verb];
      try {
        const step = await ev.evaluate({ step: "sagemaker", principalArn: p.arn, action, resourceArn: packageArn, resourceAccountId: t.ownerAccountId, resourcePolicy: policy, context });
        if (step.decision === "Allowed") access[verb].push(grantOf(p, p.accountId === t.ownerAccountId ? "identity policy" : "resource policy", [step]));
      } catch (e) {
        add(evaluationFailed(t, p, verb, e));
      }
    }
  }
  return finish(t, access, candidates.length, notes, t.ownerAccountId, principals, add);
}

function safeNamed(p: CollectedPolicy) {
  return p.document ? namedPolicy(p) : undefined;
}

function ramAccess(t: SharedRamShare, principals: PrincipalSet, org: OrganizationContext, units: readonly CollectedOrgUnit[], add: Add): SharedResource {
  const notes: string[] = [`shares ${t.share.resources.length ? t.share.resources.join(", ") : "no resources"}`];
  const use: AccessGrant[] = t.share.principals.map((raw) => {
    const ou = /^arn:[^:]+:organizations::\d{12}:ou\/(o-[a-z0-9]+)\/(ou-[A-Za-z0-9_-]+)$/.exec(raw);
    const whole = /^arn:[^:]+:organizations::\d{12}:organization\/(o-[a-z0-9]+)$/.exec(raw);
    const account = /^\d{12}$/.test(raw) ? raw : undefined;
    // An OU the stacks make or look up by name is one of the organization's (its id stands in as ou-synthetic-...).
    const unit = ou ? units.find((u) => u.id === ou[2]) : undefined;
    const label = account ? `account ${principals.accountLabel(account)}` : ou ? `OU ${unit?.name ?? ou[2]}` : whole ? `organization ${whole[1]}` : raw;
    const outside = account ? !org.accountIds.includes(account) : ou ? !unit && ou[1] !== org.id : whole ? whole[1] !== org.id : false;
    const grant: AccessGrant = {
      principal: label,
      arn: raw,
      kind: "ram-principal",
      via: "RAM principal association",
      steps: [{ step: "ram", action: "ram:AssociateResourceShare", resource: t.share.arn, statements: [{ policy: `${t.share.stack}/${t.share.address}`, side: "resource", effect: "Allow", statement: raw }] }],
    };
    if (outside) {
      add({
        id: `access:ACCESS_OUTSIDE_ORGANIZATION:${t.id}:${raw}`,
        source: "access",
        severity: "high",
        rule: "ACCESS_OUTSIDE_ORGANIZATION",
        resource: t.location,
        what: `RAM share ${t.name} is shared with ${label}, outside the organization ${org.id}`,
        why: "Shared ML resources must stay inside the organization.",
      });
    }
    return grant;
  });
  if (t.share.allowExternalPrincipals) {
    add({
      id: `access:ACCESS_OUTSIDE_ORGANIZATION:${t.id}:external-principals`,
      source: "access",
      severity: "high",
      rule: "ACCESS_OUTSIDE_ORGANIZATION",
      resource: t.location,
      what: `RAM share ${t.name} allows principals outside the organization (allow_external_principals = true)`,
      why: "Shared ML resources must stay inside the organization; a share open to external principals can be associated with any account.",
    });
  }
  return { kind: t.kind, name: t.name, id: t.id, owner: t.owner, ownerAccountId: t.ownerAccountId, location: t.location, access: { use: use.sort(byLabel) }, evaluated: use.length, notes };
}
