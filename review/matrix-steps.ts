/**
 * The pieces of the access matrix's rows (review/matrix.ts, review/matrix-data.ts): the steps
 * that decided a grant, in data and in words, the findings a grant raises, and a resource's
 * row finished (grants sorted, grants outside the organization or to a role no grant names
 * made findings).
 */
import { AccessResult, Route, StepResult } from "./evaluate";
import { AccessGrant, DecidingStep, ReviewFinding, ReviewPrincipal, SharedResource, VERBS } from "./model";
import { PrincipalSet } from "./principals";
import { SharedData, SharedModelPackageGroup, SharedTarget } from "./shared";

/** The object the review reads and writes under a prefix. */
export const SAMPLE_OBJECT = "mlshare-review/sample-object";

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

export type Add = (f: ReviewFinding) => void;

export function grantOf(p: ReviewPrincipal, via: string, steps: readonly StepResult[]): AccessGrant {
  return { principal: p.label, arn: p.arn, kind: p.kind, via, steps: decidingSteps(steps) };
}

export function byLabel(a: AccessGrant, b: AccessGrant): number {
  return a.principal.localeCompare(b.principal) || a.arn.localeCompare(b.arn);
}

export function evaluationFailed(t: SharedTarget, p: ReviewPrincipal, verb: string, e: unknown): ReviewFinding {
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

export function outsideFinding(t: SharedTarget, verb: string, grant: AccessGrant): ReviewFinding {
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
export function anyRoleFinding(t: SharedTarget, verb: string, grant: AccessGrant): ReviewFinding {
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

/**
 * The evaluated resource: grants sorted, every grant to a principal outside the organization
 * a finding, and the note that the owning account's other roles were not evaluated.
 */
export function finish(
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
