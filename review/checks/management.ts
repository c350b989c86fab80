/**
 * Workloads in the management account. No SCP or RCP ever applies to the management account,
 * so every guardrail of the organization stops at its door: a dataset or model it provides, a
 * role of it that reads or writes shared data, a SageMaker domain there, or a role SageMaker
 * may assume there (an ML project's or a Studio user's), is a high finding. The management
 * account is the one that makes the organization policies, or the stack whose `account`
 * output says it plays the `management` part.
 */
import { Collection, JsonValue } from "../collect";
import { OrganizationContext } from "../evaluate";
import { asList, isRecord, statementsOf } from "../evaluate/policies";
import { ReviewFinding, SharedResource } from "../model";
import { PrincipalSet } from "../principals";

/** The management account id, from the organization policies or the stacks' `account` outputs. */
export function managementAccountOf(collection: Collection, org: OrganizationContext): string | undefined {
  if (org.managementAccountId) return org.managementAccountId;
  const plays = (v: JsonValue | undefined) => isRecord(v) && asList(v.roles).includes("management");
  return collection.stacks.find((s) => plays(s.outputs.account))?.accountId;
}

/** The management-workload findings. */
export function checkManagementWorkloads(collection: Collection, org: OrganizationContext, matrix: readonly SharedResource[], principals: PrincipalSet): ReviewFinding[] {
  const mgmt = managementAccountOf(collection, org);
  if (!mgmt) return [];
  const label = principals.accountLabel(mgmt);
  const findings: ReviewFinding[] = [];
  const add = (key: string, resource: string, what: string) =>
    findings.push({
      id: `access:MANAGEMENT_ACCOUNT_WORKLOAD:${key}`,
      source: "access",
      severity: "high",
      rule: "MANAGEMENT_ACCOUNT_WORKLOAD",
      resource,
      what: `the management account ${label} ${what}`,
      why: "No SCP or RCP applies to the management account: guardrails and data perimeters do not protect what runs or is stored there. Keep datasets, consumers, SageMaker domains and ML projects in member accounts.",
    });
  for (const r of matrix) {
    if (r.kind === "ram-share") continue;
    if (r.ownerAccountId === mgmt) add(`owns:${r.id}`, `${r.owner}/${r.name}`, `owns ${r.kind} ${r.name}`);
    for (const [verb, grants] of Object.entries(r.access)) {
      for (const g of grants) {
        if (g.kind !== "role" || principals.principals.find((p) => p.arn === g.arn)?.accountId !== mgmt || r.ownerAccountId === mgmt) continue;
        add(`grant:${r.id}:${verb}:${g.arn}`, `${r.owner}/${r.name}`, `holds a role that can ${verb} ${r.kind} ${r.name}: ${g.principal}`);
      }
    }
  }
  for (const d of collection.sagemakerDomains) if (d.accountId === mgmt) add(`domain:${d.stack}/${d.address}`, `${d.stack}/${d.address}`, `hosts SageMaker domain ${d.name}`);
  for (const role of collection.roles) {
    if (role.accountId !== mgmt || !role.address) continue;
    const sagemaker = statementsOf(role.trustPolicy?.document).some(
      (s) => s.Effect === "Allow" && isRecord(s.Principal) && asList(s.Principal.Service).some((v) => typeof v === "string" && v.startsWith("sagemaker.")),
    );
    if (sagemaker) add(`role:${role.arn}`, `${role.stack}/${role.address}`, `holds ${role.name}, a role SageMaker may assume (an ML project's or a Studio user's)`);
  }
  return findings;
}
