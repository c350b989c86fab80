/**
 * The approval path of each model package group. Approving a model is what lets it reach
 * production, so no principal of a build account may do it: not of the account that owns the
 * group (its administrators, the synthetic `(any other role)`, included), nor of an account
 * whose roles register models into it. Approving is `UpdateModelPackage` with
 * `sagemaker:ModelApprovalStatus = Approved`, or `CreateModelPackage` registering a package
 * already approved; each is evaluated with the group's resource policy and the principal's
 * SCP chain. A group that nobody outside the build accounts can approve is a finding too.
 */
import { AccessEvaluator, namedPolicy } from "../evaluate";
import { decidingSteps, statementsInWords } from "../matrix";
import { ReviewFinding, ReviewPrincipal, SharedResource } from "../model";
import { PrincipalSet } from "../principals";
import { SharedModelPackageGroup, SharedTarget } from "../shared";

/** The requests that approve a model of a group. */
export const APPROVING_REQUESTS: readonly { readonly action: string; readonly context: Readonly<Record<string, string>> }[] = [
  { action: "sagemaker:UpdateModelPackage", context: { "sagemaker:ModelApprovalStatus": "Approved" } },
  { action: "sagemaker:CreateModelPackage", context: { "sagemaker:ModelApprovalStatus": "Approved" } },
];

/** The approval findings of every model package group. */
export async function checkApprovalPaths(ev: AccessEvaluator, targets: readonly SharedTarget[], matrix: readonly SharedResource[], principals: PrincipalSet): Promise<ReviewFinding[]> {
  const findings: ReviewFinding[] = [];
  for (const t of targets) {
    if (t.kind !== "model-package-group") continue;
    const group = t as SharedModelPackageGroup;
    const evaluated = matrix.find((r) => r.id === group.id);
    const registrars = new Set((evaluated?.access.register ?? []).map((g) => g.arn));
    const buildAccounts = new Set([group.ownerAccountId, ...principals.principals.filter((p) => registrars.has(p.arn)).map((p) => p.accountId)]);
    const inBuild = principals.principals.filter((p) => buildAccounts.has(p.accountId) && (p.kind === "role" || p.kind === "any-other-role"));
    const where = `${group.owner}/${group.name}`;
    const packageArn = group.arn.replace(":model-package-group/", ":model-package/") + "/1";
    const policy = group.policy?.document ? namedPolicy(group.policy) : undefined;
    const approvers: { p: ReviewPrincipal; how: string }[] = [];
    for (const p of inBuild) {
      for (const { action, context } of APPROVING_REQUESTS) {
        try {
          const step = await ev.evaluate({ step: "sagemaker", principalArn: p.arn, action, resourceArn: packageArn, resourceAccountId: group.ownerAccountId, resourcePolicy: policy, context });
          if (step.decision !== "Allowed") continue;
          approvers.push({ p, how: `${action} with ModelApprovalStatus Approved (${statementsInWords(decidingSteps([step]))})` });
          break;
        } catch (e) {
          findings.push({
            id: `evaluation:EVALUATION_ERROR:${group.id}:approve:${p.label}`,
            source: "evaluation",
            severity: "high",
            rule: "EVALUATION_ERROR",
            resource: where,
            what: `could not evaluate whether ${p.label} can approve models of ${group.name}: ${e instanceof Error ? e.message : String(e)}`,
            why: "The review cannot vouch for access it cannot evaluate.",
          });
        }
      }
    }
    const accounts = [...buildAccounts].map((a) => principals.accountLabel(a)).join(", ");
    for (const { p, how } of approvers) {
      findings.push({
        id: `access:APPROVAL_BY_BUILD_ACCOUNT:${group.id}:${p.label}`,
        source: "access",
        severity: "high",
        rule: "APPROVAL_BY_BUILD_ACCOUNT",
        resource: where,
        what: `${p.label}, of the build account${buildAccounts.size > 1 ? "s" : ""} (${accounts}) of model package group ${group.name}, can approve its models: ${how}`,
        why: "The approval gate is only a gate if the account that builds and registers models cannot pass it: an explicit Deny in the group's resource policy (kept in place by a guardrail) or a registry outside the build account must stop every principal there, its administrators included.",
      });
    }
    const independent = (evaluated?.access.approve ?? []).filter((g) => !buildAccounts.has(principals.principals.find((p) => p.arn === g.arn)?.accountId ?? ""));
    if (!independent.length) {
      findings.push({
        id: `access:APPROVAL_NO_INDEPENDENT_APPROVER:${group.id}`,
        source: "access",
        severity: "high",
        rule: "APPROVAL_NO_INDEPENDENT_APPROVER",
        resource: where,
        what: `nobody outside the build account${buildAccounts.size > 1 ? "s" : ""} (${accounts}) can approve models of ${group.name}`,
        why: "Models are approved by a later environment than the one that builds them; without such an approver every model is either approved inside the build account or never.",
      });
    }
  }
  return findings;
}
