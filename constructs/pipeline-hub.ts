/**
 * The hub of `pipeline` (in `pipeline.account`): the OIDC identity providers of the CI
 * systems and the two CI roles, `<project>-ci-plan` (pull requests, plan phases) and
 * `<project>-ci-apply` (the apply ref and environment, apply phases). Each may only assume
 * its own kind of role in the accounts of the topology, and reach the state.
 */
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { Account, Topology } from "../config/model";
import { oidcProviderArn } from "../config/naming";
import { PolicyDocument } from "../policies/document";
import { oidcHosts } from "../policies/pipeline-template";
import { ciRolePermissions, ciRoleTrust, CiPhase, GITHUB_AUDIENCE, GITHUB_OIDC_HOST, TFC_AUDIENCE, terraformCloudWorkspaces } from "../policies/pipeline-trust";
import { assertWithinQuota } from "../policies/quotas";
import { PHASE_VARIABLE } from "./pipeline-phase";

/** Props of {@link PipelineHub}. */
export interface PipelineHubProps {
  readonly topology: Topology;
  /** The hub account. */
  readonly account: Account;
  readonly provider: AwsProvider;
}

/** The OIDC providers and CI roles of the hub account. */
export class PipelineHub extends Construct {
  readonly oidcProviders = new Map<string, IamOpenidConnectProvider>();
  readonly ciRoles = new Map<CiPhase, IamRole>();

  constructor(scope: Construct, id: string, props: PipelineHubProps) {
    super(scope, id);
    const { topology, account, provider } = props;
    const pipeline = topology.pipeline!;
    for (const host of oidcHosts(pipeline)) {
      this.oidcProviders.set(
        host,
        new IamOpenidConnectProvider(this, `Oidc-${host}`, {
          provider,
          url: `https://${host}`,
          clientIdList: [host === GITHUB_OIDC_HOST ? GITHUB_AUDIENCE : TFC_AUDIENCE],
        }),
      );
    }
    for (const phase of ["plan", "apply"] as const) {
      const name = phase === "plan" ? pipeline.ciPlanRole : pipeline.ciApplyRole;
      const trust = new PolicyDocument(`trust of ${name}`, "trust");
      // The providers' ARNs are known before they exist: written out, a review reads them
      // without resolving references; depends_on orders the role after them.
      for (const s of ciRoleTrust(topology, phase, (host) => oidcProviderArn(account.partition, account.id, host))) trust.add(s);
      const permissions = new PolicyDocument(`permissions of ${name}`, "identity");
      for (const s of ciRolePermissions(topology, phase)) permissions.add(s);
      const trustJson = trust.toString();
      assertWithinQuota("trust", `trust of ${name}`, trustJson);
      assertWithinQuota("role-inline", `permissions of ${name}`, permissions.toString());
      const role = new IamRole(this, `Ci-${phase}`, {
        provider,
        name,
        description:
          phase === "plan"
            ? `mlshare ${topology.project}: pull-request and plan-phase runs; assumes the accounts' plan roles only`
            : `mlshare ${topology.project}: runs of the apply ref (and environment) and apply phases; assumes the accounts' deploy roles only`,
        maxSessionDuration: 3600,
        assumeRolePolicy: trustJson,
        dependsOn: [...this.oidcProviders.values()],
      });
      new IamRolePolicy(this, `Ci-${phase}-policy`, { provider, role: role.name, name: `${name}-assume`, policy: permissions.toString() });
      this.ciRoles.set(phase, role);
    }

    new TerraformOutput(this, "pipeline_hub", {
      description: "The CI identities: the roles CI assumes through OIDC, and the OIDC providers",
      value: {
        account: account.key,
        ci_plan_role_arn: this.ciRoles.get("plan")!.arn,
        ci_apply_role_arn: this.ciRoles.get("apply")!.arn,
        oidc_provider_arns: Object.fromEntries([...this.oidcProviders].map(([host, p]) => [host, p.arn])),
      },
    });
    if (pipeline.terraformCloud) {
      new TerraformOutput(this, "terraform_cloud_workspace_variables", {
        description: "Per Terraform Cloud workspace, the variables to set: environment variables for dynamic credentials, and the Terraform variable mlshare_phase",
        value: Object.fromEntries(
          terraformCloudWorkspaces(topology).map((w) => [
            w,
            {
              env: {
                TFC_AWS_PROVIDER_AUTH: "true",
                TFC_AWS_PLAN_ROLE_ARN: pipeline.ciPlanRoleArn,
                TFC_AWS_APPLY_ROLE_ARN: pipeline.ciApplyRoleArn,
              },
              terraform: { [PHASE_VARIABLE]: "run-phase" },
            },
          ]),
        ),
      });
    }
  }
}
