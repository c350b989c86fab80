/**
 * Who may assume the pipeline's roles (`pipeline`):
 * - every account's plan role: the hub's plan CI role only; its deploy role: the hub's apply
 *   CI role only (`aws:PrincipalArn` within the organization, never an account root);
 * - the hub's CI roles: GitHub Actions and Terraform Cloud runs, through their OIDC providers,
 *   by the claims that tell a pull request (or a plan phase) from an apply.
 */
import { Pipeline, Topology } from "../config/model";
import { roleArn } from "../config/naming";
import { Statement } from "./document";

/** GitHub Actions' OIDC issuer host. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** The audience GitHub's AWS action requests. */
export const GITHUB_AUDIENCE = "sts.amazonaws.com";
/** The audience Terraform Cloud's AWS dynamic credentials use by default. */
export const TFC_AUDIENCE = "aws.workload.identity";

/** The trust of an account's plan or deploy role: one CI role of the hub, inside the organization. */
export function accountRoleTrust(ciRoleArn: string, orgId: string, externalId?: string): Statement[] {
  return [
    {
      sid: "HubCiRole",
      effect: "Allow",
      principals: { any: true },
      actions: ["sts:AssumeRole"],
      conditions: {
        ArnEquals: { "aws:PrincipalArn": ciRoleArn },
        StringEquals: { "aws:PrincipalOrgID": orgId, ...(externalId ? { "sts:ExternalId": externalId } : {}) },
      },
    },
  ];
}

/** Which of the two CI roles. */
export type CiPhase = "plan" | "apply";

/** The GitHub `sub` claims a CI role accepts. */
export function githubSubjects(github: NonNullable<Pipeline["github"]>, phase: CiPhase): string[] {
  const repo = `repo:${github.repository}`;
  if (phase === "plan") return [`${repo}:pull_request`];
  // With an environment GitHub puts the environment, not the ref, in `sub`: the
  // environment's deployment branch rule (README) keeps it to applyRef.
  return [github.environment ? `${repo}:environment:${github.environment}` : `${repo}:ref:${github.applyRef}`];
}

/** The Terraform Cloud workspaces of the topology's stacks. */
export function terraformCloudWorkspaces(topology: Topology): string[] {
  const s = topology.state;
  if (s.backend !== "cloud") return [];
  return topology.accounts.map((a) => `${s.workspacePrefix}${a.key}`);
}

/** The Terraform Cloud `sub` claims a CI role accepts: its run phase in the topology's workspaces. */
export function terraformCloudSubjects(topology: Topology, phase: CiPhase): string[] {
  const tfc = topology.pipeline?.terraformCloud;
  if (!tfc) return [];
  return terraformCloudWorkspaces(topology).map((w) => `organization:${tfc.organization}:project:*:workspace:${w}:run_phase:${phase}`);
}

/** The trust of a hub CI role: the OIDC providers, their audiences and the phase's subjects. */
export function ciRoleTrust(topology: Topology, phase: CiPhase, providerArn: (host: string) => string): Statement[] {
  const p = topology.pipeline!;
  const out: Statement[] = [];
  if (p.github) {
    out.push({
      sid: "GithubActions",
      effect: "Allow",
      principals: { Federated: [providerArn(GITHUB_OIDC_HOST)] },
      actions: ["sts:AssumeRoleWithWebIdentity"],
      conditions: {
        StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_AUDIENCE, [`${GITHUB_OIDC_HOST}:sub`]: githubSubjects(p.github, phase) },
      },
    });
  }
  if (p.terraformCloud) {
    const host = p.terraformCloud.hostname;
    out.push({
      sid: "TerraformCloud",
      effect: "Allow",
      principals: { Federated: [providerArn(host)] },
      actions: ["sts:AssumeRoleWithWebIdentity"],
      conditions: {
        StringEquals: { [`${host}:aud`]: TFC_AUDIENCE },
        StringLike: { [`${host}:sub`]: terraformCloudSubjects(topology, phase) },
      },
    });
  }
  return out;
}

/** What a CI role may do: assume its phase's role in every account, and reach the state. */
export function ciRolePermissions(topology: Topology, phase: CiPhase): Statement[] {
  const p = topology.pipeline!;
  const targets = topology.accounts.map((a) => (phase === "plan" ? roleArn(a.partition, a.id, p.planRole) : a.deployRoleArn));
  const out: Statement[] = [{ sid: phase === "plan" ? "AssumePlanRoles" : "AssumeDeployRoles", effect: "Allow", actions: ["sts:AssumeRole"], resources: targets }];
  const s = topology.state;
  if (s.backend !== "s3") return out;
  if (s.roleArn) {
    out.push({ sid: "AssumeStateRole", effect: "Allow", actions: ["sts:AssumeRole"], resources: [s.roleArn] });
    return out;
  }
  const partition = topology.accounts[0]?.partition ?? "aws";
  const bucket = `arn:${partition}:s3:::${s.bucket}`;
  out.push({
    sid: "ListState",
    effect: "Allow",
    actions: ["s3:ListBucket"],
    resources: [bucket],
    conditions: { StringLike: { "s3:prefix": [`${s.keyPrefix}/*`] } },
  });
  out.push({
    sid: phase === "plan" ? "ReadState" : "WriteState",
    effect: "Allow",
    actions: phase === "plan" ? ["s3:GetObject"] : ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
    resources: [`${bucket}/${s.keyPrefix}/*`],
  });
  if (phase === "apply" && s.locking === "dynamodb" && s.dynamodbTable) {
    const state = topology.accounts.find((a) => a.key === s.account);
    if (state) {
      out.push({
        sid: "LockState",
        effect: "Allow",
        actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable"],
        resources: [`arn:${state.partition}:dynamodb:${s.region}:${state.id}:table/${s.dynamodbTable}`],
      });
    }
  }
  return out;
}
