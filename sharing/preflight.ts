/**
 * Checks a topology against the AWS quotas that grow with the organization, before any stack
 * is built: the key policies, the consumer roles' identity policies (with the whole inline
 * quota, so a role refused here is refused for certain), and the reader roles and access
 * points each provider account would hold. A topology that cannot fit is refused in seconds
 * with the quota error, never after building thousands of resources, nor by the heap.
 * The exact counts of every account are checked again over the synthesized stacks
 * (sharing/counts.ts).
 */
import { datasetAccesses } from "../config/grants";
import { Topology } from "../config/model";
import { packStatements } from "../policies/pack";
import { QUOTAS } from "../policies/quotas";
import { planArtifacts } from "./artifact-plan";
import { assertCounts } from "./counts";
import { dataPlansOf } from "./data-plan";
import { identityStatementsOf } from "./identity-plan";
import { assertKeyPolicyFits, keyPolicyStatements, KeyUse } from "./key-plan";

/** The most managed policies mlshare attaches to one role (constructs/role-grants.ts). */
const MAX_MANAGED = 10;

/** Throws the first QuotaError the topology cannot avoid. */
export function preflight(topology: Topology): void {
  const accesses = datasetAccesses(topology);
  const providers = new Set([...accesses.map((a) => a.provider.key), ...topology.modelArtifacts.map((m) => m.account)]);
  for (const account of topology.accounts) {
    if (!providers.has(account.key)) continue;
    const plans = dataPlansOf(topology, account.key);
    for (const plan of plans) {
      const uses: KeyUse[] = plan.accesses.filter((a) => a.via === "bucket-policy").flatMap((a) => a.roles.map((role) => ({ role, access: a.access })));
      assertKeyPolicyFits(`key policy of ${plan.keyAlias}`, keyPolicyStatements(topology, account, uses, [plan.bucketArn]), consumerAccounts(account.key, uses));
    }
    for (const a of planArtifacts(topology, account.key)) {
      assertKeyPolicyFits(`key policy of ${a.keyAlias}`, keyPolicyStatements(topology, account, a.keyUses, [a.bucketArn]), consumerAccounts(account.key, a.keyUses));
    }
    const readerRoles = new Set(accesses.filter((a) => a.provider.key === account.key && a.via === "assume-role" && a.roles.length).map((a) => a.readerRole!.roleArn));
    const accessPoints = plans.reduce((n, p) => n + p.accessPoints.length, 0);
    assertCounts(account, { roles: readerRoles.size, managedPolicies: 0, accessPoints });
  }
  for (const account of topology.accounts) {
    let managed = 0;
    for (const { role, statements } of identityStatementsOf(topology, account.key)) {
      if (!statements.length) continue;
      const docs = packStatements(statements, {
        quota: "managed",
        capacities: [QUOTAS["role-inline"].limit, QUOTAS.managed.limit],
        maxDocuments: 1 + MAX_MANAGED,
        name: `identity policy of role ${role.roleName} in ${account.key}`,
        documents: `one inline policy and ${MAX_MANAGED} managed policies`,
        fix: "grant the role fewer datasets (or datasets of fewer buckets), or grant some through a reader role (via: assume-role); raising the managed policies per role quota does not help, mlshare attaches at most 10",
      });
      managed += docs.length - 1;
    }
    assertCounts(account, { roles: 0, managedPolicies: managed, accessPoints: 0 });
  }
}

function consumerAccounts(owner: string, uses: readonly KeyUse[]): number {
  return new Set(uses.filter((u) => u.role.account !== owner).map((u) => u.role.account)).size;
}
