import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import { Account } from "../config/model";
import * as naming from "../config/naming";
import { documentOf, packStatements } from "../policies/pack";
import { QUOTAS } from "../policies/quotas";
import { RoleStatements } from "../sharing/identity-plan";

/** How many managed policies mlshare attaches to one role at most (AWS's default quota is 10 per role). */
export const MAX_MANAGED_POLICIES_PER_ROLE = 10;

/** Props of {@link RoleGrants}. */
export interface RoleGrantsProps {
  readonly provider: AwsProvider;
  readonly account: Account;
  readonly project: string;
  /** The roles and their identity statements (sharing/identity-plan.ts). */
  readonly roles: readonly RoleStatements[];
  /**
   * How to name a role in `role` attributes: roles this stack makes pass a reference, so
   * the policy waits for the role. @default the role's name (the role already exists)
   */
  readonly roleName?: (name: string) => string;
  /**
   * Characters of the role's inline-policy quota already used by other inline policies this
   * project attaches to it (a SageMaker user's Studio policy). @default 0
   */
  readonly inlineUsed?: (name: string) => number;
}

/**
 * The identity side of grants: attaches each role's statements as one inline policy, and
 * when they do not fit its 10,240 characters, as customer managed policies of up to 6,144
 * characters (at most 10) attached to the role.
 */
export class RoleGrants extends Construct {
  /** Per role name, the managed policy ARNs attached (empty when the inline policy sufficed). */
  readonly managedPolicyArns: Record<string, string[]> = {};

  constructor(scope: Construct, id: string, props: RoleGrantsProps) {
    super(scope, id);
    const { provider, account, project } = props;
    const nameOf = props.roleName ?? ((n: string) => n);
    for (const { role, statements } of props.roles) {
      if (!statements.length) continue;
      const label = `identity policy of role ${role.roleName} in ${account.key}`;
      const docs = packStatements(statements, {
        quota: "managed",
        capacities: [QUOTAS["role-inline"].limit - (props.inlineUsed?.(role.roleName) ?? 0), QUOTAS.managed.limit],
        maxDocuments: 1 + MAX_MANAGED_POLICIES_PER_ROLE,
        name: label,
        documents: `one inline policy and ${MAX_MANAGED_POLICIES_PER_ROLE} managed policies`,
        fix: "grant the role fewer datasets (or datasets of fewer buckets), or grant some through a reader role (via: assume-role); raising the managed policies per role quota does not help, mlshare attaches at most 10",
      });
      const scopeForRole = new Construct(this, role.roleName);
      const [inline, ...managed] = docs;
      new IamRolePolicy(scopeForRole, "Inline", {
        provider,
        name: naming.grantInlinePolicyName(project),
        role: nameOf(role.roleName),
        policy: documentOf(label, "identity", inline).toString(),
      });
      this.managedPolicyArns[role.roleName] = managed.map((statementsOfDoc, i) => {
        const name = naming.grantPolicyName(project, role.roleName, i + 1);
        const policy = new IamPolicy(scopeForRole, `Managed${i + 1}`, {
          provider,
          name,
          description: `mlshare data grants of role ${role.roleName} (${i + 1} of ${managed.length})`,
          policy: documentOf(`${label} (${name})`, "identity", statementsOfDoc).toString(),
        });
        new IamRolePolicyAttachment(scopeForRole, `Attach${i + 1}`, { provider, role: nameOf(role.roleName), policyArn: policy.arn });
        return naming.policyArn(account.partition, account.id, name);
      });
    }
  }
}
