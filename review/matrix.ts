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
 *   whether it can list the prefix (`s3:ListBucket`): one that can is a finding.
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
import { AccessEvaluator, AccessResult, namedPolicy, OrganizationContext, Route, StepResult } from "./evaluate";
import { AccessGrant, DecidingStep, ReviewFinding, ReviewPrincipal, SharedResource, VERBS } from "./model";
import { PrincipalSet } from "./principals";
import { SharedData, SharedModelPackageGroup, SharedRamShare, SharedTarget } from "./shared";

/** The object the review reads and writes under a prefix. */
export const SAMPLE_OBJECT = "mlshare-review/sample-object";

/** The matrix and the findings it raised. */
export interface MatrixResult {
  readonly resources: SharedResource[];
  readonly findings: ReviewFinding[];
}

/** The deciding steps of an allowed result's route. */
export function decidingSteps(steps: readonly StepResult[]): DecidingStep[] {
  return steps.map((s) => ({
    step: s.step,
    action: s.action,
    resource: s.resource,
    statements: s.decidedBy.map((d) => ({ policy: d.policy, side: d.side, effect: d.effect, statement: d.sid ?? `#${d.index}` })),
  }));
}

/**
 * The steps by which S3 itself accepted a request on some route (every S3 step allowed, and
 * the role assumed if the route assumes one), whatever KMS then says; undefined if no route
 * got past S3.
 */
export function acceptedByS3(r: AccessResult): StepResult[] | undefined {
  for (const route of r.routes) {
    const s3 = route.steps.filter((s) => s.step === "s3" || s.step === "s3-bucket");
    const sts = route.steps.filter((s) => s.step === "sts");
    if (s3.length && s3.every((s) => s.decision === "Allowed") && sts.every((s) => s.decision === "Allowed")) return [...sts, ...s3];
  }
  return undefined;
}

/** A route, in words. */
export function routeName(route: Route | undefined, principals: PrincipalSet): string {
  if (!route) return "";
  if (route.kind === "bucket") return "the bucket";
  if (route.kind === "access-point") return `access point ${route.arn.split("/").pop()}`;
  return `assuming ${principals.labelOf(route.roleArn)}`;
}

/** One statement per step, for findings: `policy#sid`. */
export function statementsInWords(steps: readonly DecidingStep[]): string {
  return steps.map((s) => `${s.step} ${s.action}: ${s.statements.map((x) => `${x.effect} ${x.policy}#${x.statement}`).join(", ") || "(no statement)"}`).join("; ");
}

/** Evaluates every candidate against every shared resource. */
export async function accessMatrix(ev: AccessEvaluator, targets: readonly SharedTarget[], principals: PrincipalSet, org: OrganizationContext): Promise<MatrixResult> {
  const findings = new Map<string, ReviewFinding>();
  const add = (f: ReviewFinding) => {
    if (!findings.has(f.id)) findings.set(f.id, f);
  };
  const resources: SharedResource[] = [];
  for (const t of targets) {
    if (t.kind === "model-package-group") resources.push(await registryAccess(ev, t, principals, add));
    else if (t.kind === "ram-share") resources.push(ramAccess(t, principals, org, ev.collection.organization.units, add));
    else resources.push(await dataAccess(ev, t as SharedData, principals, add));
  }
  return { resources, findings: [...findings.values()] };
}

type Add = (f: ReviewFinding) => void;

function grantOf(p: ReviewPrincipal, via: string, steps: readonly StepResult[]): AccessGrant {
  return { principal: p.label, arn: p.arn, kind: p.kind, via, steps: decidingSteps(steps) };
}

function byLabel(a: AccessGrant, b: AccessGrant): number {
  return a.principal.localeCompare(b.principal) || a.arn.localeCompare(b.arn);
}

function evaluationFailed(t: SharedTarget, p: ReviewPrincipal, verb: string, e: unknown): ReviewFinding {
  const message = e instanceof Error ? e.message : String(e);
  return {
    id: `evaluation:EVALUATION_ERROR:${t.id}`,
    source: "evaluation",
    severity: "high",
    rule: "EVALUATION_ERROR",
    resource: `${t.owner}/${t.name}`,
    what: `could not evaluate whether ${p.label} can ${verb} ${t.kind} ${t.name}: ${message}`,
    why: "The review cannot vouch for access it cannot evaluate; an unreadable or unresolved policy may grant more than it seems.",
  };
}

function outsideFinding(t: SharedTarget, verb: string, grant: AccessGrant): ReviewFinding {
  return {
    id: `access:ACCESS_OUTSIDE_ORGANIZATION:${t.id}:${verb}`,
    source: "access",
    severity: "high",
    rule: "ACCESS_OUTSIDE_ORGANIZATION",
    resource: `${t.owner}/${t.name}`,
    what: `a role of an account outside the organization can ${verb} ${t.kind} ${t.name} (via ${grant.via}; ${statementsInWords(grant.steps)})`,
    why: "Shared ML data and models must stay inside the organization: every grant names the organization (aws:PrincipalOrgID) or its roles.",
  };
}

/**
 * A role no grant names (an administrator of the account, say) reaches the resource: the
 * key admits a consumer account's use through S3, so the bucket or access point policy is
 * what keeps the account's other roles out, and here it does not.
 */
function anyRoleFinding(t: SharedTarget, verb: string, grant: AccessGrant): ReviewFinding {
  return {
    id: `access:ACCESS_ANY_ROLE_OF_ACCOUNT:${t.id}:${verb}:${grant.principal}`,
    source: "access",
    severity: "high",
    rule: "ACCESS_ANY_ROLE_OF_ACCOUNT",
    resource: `${t.owner}/${t.name}`,
    what: `${grant.principal}, a role no grant names (an administrator of the account, say), can ${verb} ${t.kind} ${t.name} (via ${grant.via}; ${statementsInWords(grant.steps)})`,
    why: "Grants name roles, and the resource policy is what holds a consumer account's other roles back: key policies admit the account's use through S3, trusting S3 to have checked the roles.",
  };
}

async function dataAccess(ev: AccessEvaluator, t: SharedData, principals: PrincipalSet, add: Add): Promise<SharedResource> {
  const notes: string[] = [];
  const access: Record<string, AccessGrant[]> = { read: [], write: [] };
  let bucket;
  try {
    bucket = ev.bucket(t.bucket);
  } catch {
    notes.push(`bucket ${t.bucket} is not made by these stacks; not evaluated`);
    return { kind: t.kind, name: t.name, id: t.id, owner: t.owner, ownerAccountId: t.ownerAccountId, location: t.location, access, evaluated: 0, notes };
  }
  let keyArn: string | undefined;
  if (t.kmsKeyAlias) {
    try {
      keyArn = ev.key(t.kmsKeyAlias, bucket.accountId).arn;
    } catch {
      notes.push(`key ${t.kmsKeyAlias} is not made by these stacks; writes are evaluated with the bucket's default encryption`);
    }
  }
  const key = `${t.prefix}${SAMPLE_OBJECT}`;
  const candidates = principals.principals.filter((p) => !(p.kind === "any-other-role" && p.accountId === bucket.accountId));
  for (const p of candidates) {
    let verb = "read";
    try {
      const read = await ev.s3({ principalArn: p.arn, action: "s3:GetObject", bucket: t.bucket, key });
      if (read.allowed) access.read.push(grantFromResult(p, read, principals));
      else {
        const pastS3 = acceptedByS3(read);
        if (pastS3 && p.kind !== "outside-organization") {
          add({
            id: `access:ACCESS_BUCKET_ONLY:${t.id}:${p.label}`,
            source: "access",
            severity: "medium",
            rule: "ACCESS_BUCKET_ONLY",
            resource: `${t.owner}/${t.name}`,
            what: `${p.label} gets past the bucket's policies for s3:GetObject on ${t.kind} ${t.name}; only the KMS key policy refuses to decrypt (${statementsInWords(decidingSteps(pastS3))})`,
            why: "A principal no grant names can read object metadata (HeadObject) and objects not encrypted with the key; the bucket policy should not admit it.",
          });
        }
        verb = "list";
        const list = await ev.s3({ principalArn: p.arn, action: "s3:ListBucket", bucket: t.bucket, prefix: t.prefix });
        if (list.allowed) {
          const g = grantFromResult(p, list, principals);
          add({
            id: `access:ACCESS_LIST_WITHOUT_READ:${t.id}:${p.label}`,
            source: "access",
            severity: p.kind === "outside-organization" ? "high" : "medium",
            rule: "ACCESS_LIST_WITHOUT_READ",
            resource: `${t.owner}/${t.name}`,
            what: `${p.label} can list the objects of ${t.kind} ${t.name} but not read them (via ${g.via}; ${statementsInWords(g.steps)})`,
            why: "Grants give listing together with reading; a listing grant alone exposes object names to a principal no grant names.",
          });
        }
      }
      verb = "write";
      // A writer names the resource's key; without a known key it names none and gets the
      // bucket's default encryption (a KMS header without a key id would mean aws/s3).
      const write = await ev.s3({ principalArn: p.arn, action: "s3:PutObject", bucket: t.bucket, key, ...(keyArn ? { encryption: { algorithm: "aws:kms", kmsKeyId: keyArn } } : {}) });
      if (write.allowed) access.write.push(grantFromResult(p, write, principals));
    } catch (e) {
      add(evaluationFailed(t, p, verb, e));
    }
  }
  return finish(t, access, candidates.length, notes, bucket.accountId, principals, add);
}

function grantFromResult(p: ReviewPrincipal, r: AccessResult, principals: PrincipalSet): AccessGrant {
  const route = r.routes.find((x) => x.allowed);
  return grantOf(p, routeName(r.via, principals), route?.steps ?? []);
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

/**
 * The evaluated resource: grants sorted, every grant to a principal outside the organization
 * a finding, and the note that the owning account's other roles were not evaluated.
 */
function finish(
  t: SharedData | SharedModelPackageGroup,
  access: Record<string, AccessGrant[]>,
  evaluated: number,
  notes: string[],
  ownerAccountId: string,
  principals: PrincipalSet,
  add: Add,
): SharedResource {
  for (const verb of VERBS[t.kind]) {
    access[verb].sort(byLabel);
    for (const g of access[verb]) {
      if (g.kind === "outside-organization") add(outsideFinding(t, verb, g));
      if (g.kind === "any-other-role") add(anyRoleFinding(t, verb, g));
    }
  }
  notes.push(`roles of ${principals.accountLabel(ownerAccountId)} other than those listed reach it by their own IAM policies (same account) and are not evaluated`);
  return { kind: t.kind, name: t.name, id: t.id, owner: t.owner, ownerAccountId: t.ownerAccountId, location: t.location, access, evaluated, notes };
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
