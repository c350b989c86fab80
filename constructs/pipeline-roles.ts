/**
 * The management stack's part of `pipeline`: a service-managed StackSet that makes the deploy
 * role and the plan role in every member account of the topology (and, through
 * auto-deployment, in accounts that join a targeted OU later), and the same two roles in the
 * management account itself, which service-managed StackSets never reach.
 */
import { CloudformationStackSet } from "@cdktf/provider-aws/lib/cloudformation-stack-set";
import { CloudformationStackSetInstance } from "@cdktf/provider-aws/lib/cloudformation-stack-set-instance";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { Account, Topology } from "../config/model";
import * as naming from "../config/naming";
import { PolicyDocument } from "../policies/document";
import { dataResources } from "../policies/pipeline-data-permissions";
import { deployStatements, PartStatement, PermissionScope, stateBucketDenial } from "../policies/pipeline-permissions";
import { planStatements } from "../policies/pipeline-plan-permissions";
import { accountParts, checkMemberRoleSizes, existingRoles, memberParameters, oidcHosts, pipelineRolesTemplate } from "../policies/pipeline-template";
import { accountRoleTrust } from "../policies/pipeline-trust";
import { policySize, QUOTAS, QuotaError } from "../policies/quotas";
import { planRoleArn } from "./pipeline-phase";

/** Props of {@link PipelineRoles}. */
export interface PipelineRolesProps {
  readonly topology: Topology;
  /** The management account. */
  readonly account: Account;
  readonly provider: AwsProvider;
  /** The OU ids the management stack knows, by OU name. */
  readonly ouIds: ReadonlyMap<string, string>;
}

/** The StackSet of member roles and the management account's own roles. */
export class PipelineRoles extends Construct {
  readonly stackSet: CloudformationStackSet;
  readonly instances = new Map<string, CloudformationStackSetInstance>();
  readonly deployRole: IamRole;
  readonly planRole: IamRole;

  constructor(scope: Construct, id: string, props: PipelineRolesProps) {
    super(scope, id);
    const { topology, account, provider } = props;
    const pipeline = topology.pipeline!;
    const template = JSON.stringify(pipelineRolesTemplate(topology));
    if (template.length > 51_200) {
      throw new Error(`internal: the pipeline StackSet template is ${template.length} bytes, over CloudFormation's 51,200 for a template body`);
    }

    this.stackSet = new CloudformationStackSet(this, "StackSet", {
      provider,
      name: naming.pipelineStackSetName(topology.project),
      description: `mlshare ${topology.project}: deploy and plan roles of the member accounts`,
      permissionModel: "SERVICE_MANAGED",
      callAs: "SELF",
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ["CAPABILITY_NAMED_IAM"],
      templateBody: template,
      operationPreferences: { failureToleranceCount: 0, maxConcurrentPercentage: 100, regionConcurrencyType: "PARALLEL" },
      // AWS sets the administration role of a service-managed StackSet itself.
      lifecycle: { ignoreChanges: ["administration_role_arn"] },
    });

    // One instance per member account: its own parameters (role name, parts, existing roles),
    // reached through the OU the topology places it in, or the root.
    const ouOf = new Map<string, string>();
    for (const ou of topology.organization.organizationalUnits) for (const a of ou.accounts) ouOf.set(a, ou.name);
    for (const member of topology.accounts) {
      if (member.key === account.key) continue;
      const ou = ouOf.get(member.key);
      const target = ou !== undefined ? props.ouIds.get(ou) : topology.organization.rootId;
      if (!target) throw new Error(`internal: no OU or root id reaches account ${member.key} (rules check organization.rootId)`);
      const overrides = memberParameters(topology, member);
      checkMemberRoleSizes(topology, member);
      this.instances.set(
        member.key,
        new CloudformationStackSetInstance(this, `Instance-${member.key}`, {
          provider,
          stackSetName: this.stackSet.name,
          callAs: "SELF",
          region: account.region,
          deploymentTargets: { organizationalUnitIds: [target], accounts: [member.id], accountFilterType: "INTERSECTION" },
          parameterOverrides: Object.keys(overrides).length ? overrides : undefined,
          retainStack: false,
        }),
      );
    }

    // The management account's own roles, with the same trust and the same statements.
    const scopeOf: PermissionScope = {
      project: topology.project,
      partition: account.partition,
      accountId: account.id,
      region: account.region,
      existingRoleArns: existingRoles(topology, account.key).map((r) => naming.roleArn(account.partition, account.id, r)),
      pipelineRoleArns: [account.deployRoleArn, planRoleArn(account, pipeline)],
      oidcProviderArns: oidcHosts(pipeline).map((h) => naming.oidcProviderArn(account.partition, account.id, h)),
      stackSetName: naming.pipelineStackSetName(topology.project),
      stateBucketArn: topology.state.backend === "s3" ? naming.bucketArn(account.partition, topology.state.bucket) : undefined,
      data: dataResources(topology, account),
    };
    const parts = accountParts(topology, account);
    const trust = (ci: string) => {
      const doc = new PolicyDocument(`trust of a pipeline role of ${account.key}`, "trust");
      for (const s of accountRoleTrust(ci, topology.organization.id, account.deployExternalId)) doc.add(s);
      return doc.toString();
    };
    this.deployRole = new IamRole(this, "DeployRole", {
      provider,
      name: account.deployRole,
      description: `mlshare ${topology.project}: applies the management stack; assumed by ${pipeline.ciApplyRole} only`,
      maxSessionDuration: 3600,
      assumeRolePolicy: trust(pipeline.ciApplyRoleArn),
    });
    this.planRole = new IamRole(this, "PlanRole", {
      provider,
      name: pipeline.planRole,
      description: `mlshare ${topology.project}: plans the management stack, reads configuration only; assumed by ${pipeline.ciPlanRole} only`,
      maxSessionDuration: 3600,
      assumeRolePolicy: trust(pipeline.ciPlanRoleArn),
    });
    const deploy = [...deployStatements(scopeOf), ...stateBucketDenial(scopeOf).map((statement) => ({ part: "base" as const, statement }))];
    this.inlinePolicies("Deploy", this.deployRole, `${topology.project}-deploy`, deploy, parts);
    this.inlinePolicies("Plan", this.planRole, `${topology.project}-plan`, planStatements(scopeOf), parts);

    new TerraformOutput(this, "pipeline_roles", {
      description: "The pipeline's roles: the StackSet making them in the member accounts, and the management account's own",
      value: {
        stack_set: this.stackSet.name,
        management_deploy_role_arn: this.deployRole.arn,
        management_plan_role_arn: this.planRole.arn,
        member_accounts: topology.accounts.filter((a) => a.key !== account.key).map((a) => a.key),
      },
    });
  }

  /** One inline policy per part the account plays; together within the role's inline quota. */
  private inlinePolicies(id: string, role: IamRole, prefix: string, statements: readonly PartStatement[], parts: ReadonlySet<string>): void {
    const byPart = new Map<string, PolicyDocument>();
    for (const s of statements) {
      if (!parts.has(s.part)) continue;
      const doc = byPart.get(s.part) ?? new PolicyDocument(`${prefix}-${s.part}`, "identity");
      byPart.set(s.part, doc.add(s.statement));
    }
    let total = 0;
    for (const [part, doc] of byPart) {
      const json = doc.toString();
      total += policySize("role-inline", json);
      new IamRolePolicy(this, `${id}-${part}`, { provider: role.provider, role: role.name, name: `${prefix}-${part}`, policy: json });
    }
    if (total > QUOTAS["role-inline"].limit) throw new QuotaError(`the inline policies of ${prefix}`, total, QUOTAS["role-inline"]);
  }
}
