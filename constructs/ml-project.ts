import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SagemakerModelPackageGroup } from "@cdktf/provider-aws/lib/sagemaker-model-package-group";
import { SagemakerModelPackageGroupPolicy } from "@cdktf/provider-aws/lib/sagemaker-model-package-group-policy";
import { SagemakerProject } from "@cdktf/provider-aws/lib/sagemaker-project";
import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { ProjectEnvironment, projectEnvironments } from "../config/grants";
import { Account, Topology } from "../config/model";
import { PolicyDocument, Statement } from "../policies/document";
import { APPROVAL_DECISIONS, modelPackageGroupArn, modelPackagesArn, projectRoleStatements, projectSourceArns } from "../policies/ml-project";
import { registryDenyStatements } from "../policies/registry-guard";
import { assertWithinQuota } from "../policies/quotas";
import { admitRoles } from "../sharing/principals";
import { optional } from "./outputs";

/** Props of {@link MlProjects}. */
export interface MlProjectsProps {
  readonly topology: Topology;
  readonly account: Account;
  /** The provider aliased `consumer`: projects and their roles. */
  readonly consumer: AwsProvider;
  /** The provider aliased `provider`: model package groups (registry account only). */
  readonly provider?: AwsProvider;
}

/** The trust of a project role: SageMaker, for this account and this project's resources only. */
export function projectTrust(env: ProjectEnvironment): PolicyDocument {
  const doc = new PolicyDocument(`trust policy of ${env.role.roleName}`, "trust").add({
    sid: "SageMakerForThisProjectOnly",
    effect: "Allow",
    principals: { Service: ["sagemaker.amazonaws.com"] },
    actions: ["sts:AssumeRole"],
    conditions: {
      StringEquals: { "aws:SourceAccount": env.account.id },
      ArnLike: { "aws:SourceArn": projectSourceArns(env) },
    },
  });
  assertWithinQuota("trust", doc.name, doc.toString());
  return doc;
}

/**
 * The model package group's resource policy: later environments read it, the approving
 * environments (policies/registry-guard.ts) decide, and nobody else, in the build account or
 * elsewhere, can approve or register a decided version.
 */
export function registryPolicyStatements(topology: Topology, registryEnv: ProjectEnvironment, later: readonly ProjectEnvironment[]): Statement[] {
  const group = registryEnv.project.modelPackageGroup!;
  const resources = [modelPackageGroupArn(registryEnv, group), modelPackagesArn(registryEnv, group)];
  const out: Statement[] = [];
  if (later.length) {
    const who = admitRoles(topology, later.map((e) => e.role));
    out.push({
      sid: "LaterEnvironmentsReadRegistry",
      effect: "Allow",
      principals: who.principals,
      actions: ["sagemaker:DescribeModelPackageGroup", "sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"],
      resources,
      conditions: who.conditions,
    });
  }
  const approvers = later.filter((e) => e.approves);
  if (approvers.length) {
    const who = admitRoles(topology, approvers.map((e) => e.role), {
      StringEquals: { "sagemaker:ModelApprovalStatus": [...APPROVAL_DECISIONS] },
    });
    out.push({
      sid: "ApproversApproveOrReject",
      effect: "Allow",
      principals: who.principals,
      actions: ["sagemaker:UpdateModelPackage"],
      resources: [modelPackagesArn(registryEnv, group)],
      conditions: who.conditions,
    });
  }
  out.push(...registryDenyStatements({ build: registryEnv, group, approvers: approvers.map((e) => e.role.roleArn) }));
  return out;
}

/**
 * The ML projects of one account: per environment it hosts, a SageMaker project from the
 * Service Catalog product and the environment's role; in the first environment's account,
 * the model package group that later environments read (and test environments approve in).
 */
export class MlProjects extends Construct {
  /** The project roles made here, by role name: artifact grants attach to them. */
  readonly roles = new Map<string, IamRole>();
  /** Per role name, the characters its project policy takes of the role's inline quota. */
  readonly inlineUsed = new Map<string, number>();

  constructor(scope: Construct, id: string, props: MlProjectsProps) {
    super(scope, id);
    const { topology, account, consumer } = props;
    const all = projectEnvironments(topology);
    const output: Record<string, unknown> = {};
    for (const env of all.filter((e) => e.account.key === account.key)) {
      const name = env.project.name;
      const role = new IamRole(this, `Role-${name}`, {
        provider: consumer,
        name: env.role.roleName,
        description: `mlshare: ML project ${name}, ${env.environment} (${env.stage})`,
        assumeRolePolicy: projectTrust(env).toString(),
      });
      this.roles.set(env.role.roleName, role);
      const policy = new PolicyDocument(`identity policy of ${env.role.roleName}`, "identity");
      for (const s of projectRoleStatements(env, topology.organization.id)) policy.add(s);
      const size = assertWithinQuota("role-inline", policy.name, policy.toString());
      this.inlineUsed.set(env.role.roleName, size);
      new IamRolePolicy(this, `Policy-${name}`, { provider: consumer, name: `${topology.project}-ml-project`, role: role.name, policy: policy.toString() });
      const project = new SagemakerProject(this, `Project-${name}`, {
        provider: consumer,
        projectName: name,
        projectDescription: `mlshare: ${name}, ${env.environment}`,
        serviceCatalogProvisioningDetails: {
          productId: env.project.serviceCatalogProductId,
          provisioningArtifactId: env.project.provisioningArtifactId,
        },
      });

      let groupArn: string | undefined;
      const group = env.project.modelPackageGroup;
      if (env.stage === "build" && group) {
        if (!props.provider) throw new Error(`internal: ${account.key} holds a model registry but has no provider alias`);
        const pkgGroup = new SagemakerModelPackageGroup(this, `ModelPackageGroup-${name}`, {
          provider: props.provider,
          modelPackageGroupName: group,
          modelPackageGroupDescription: `mlshare: model registry of ${name}`,
        });
        const later = all.filter((e) => e.project.name === name && e.stage !== "build");
        const doc = new PolicyDocument(`model package group policy of ${group}`, "resource");
        for (const s of registryPolicyStatements(topology, env, later)) doc.add(s);
        new SagemakerModelPackageGroupPolicy(this, `ModelPackageGroupPolicy-${name}`, {
          provider: props.provider,
          modelPackageGroupName: pkgGroup.modelPackageGroupName,
          resourcePolicy: doc.toString(),
        });
        groupArn = modelPackageGroupArn(env, group);
      }
      output[name] = {
        environment: env.environment,
        stage: env.stage,
        projectId: project.projectId,
        roleArn: role.arn,
        modelArtifactSet: env.project.artifactSet,
        ...optional("modelPackageGroupArn", group ? (groupArn ?? modelPackageGroupArn(env, group)) : undefined),
      };
    }
    if (Object.keys(output).length) {
      new TerraformOutput(this, "ml_projects", { staticId: true, description: "ML projects in this account: environment, project id, role", value: output });
    }
  }
}
