/**
 * The approval gate of ML projects' model registries. A model package group lives in its
 * project's first (build) account, whose administrators could otherwise approve their own
 * models: an identity policy with `sagemaker:*` is enough inside one account. So:
 * - the group's resource policy denies UpdateModelPackage to every principal but the
 *   approvers, and registering a version in any status but PendingManualApproval;
 * - an SCP on each build account denies the same to its principals, and denies changing or
 *   deleting the group's policy (or the group) to all but the account's deploy role, so that
 *   an administrator of the build account cannot remove the Deny first.
 * The management account is never subject to SCPs: a build account there is a review finding.
 */
import { ProjectEnvironment } from "../config/grants";
import { Statement } from "./document";
import { modelPackageGroupArn, modelPackagesArn, PENDING_APPROVAL } from "./ml-project";

/** One model package group and who may decide on its versions. */
export interface GuardedRegistry {
  /** The build environment, whose account holds the group. */
  readonly build: ProjectEnvironment;
  readonly group: string;
  /** Role ARNs of the environments that approve or reject versions. */
  readonly approvers: readonly string[];
}

/** Every model package group of the topology with its approvers. */
export function guardedRegistries(environments: readonly ProjectEnvironment[]): GuardedRegistry[] {
  return environments
    .filter((e) => e.stage === "build" && e.project.modelPackageGroup)
    .map((build) => ({
      build,
      group: build.project.modelPackageGroup!,
      approvers: environments.filter((e) => e.project.name === build.project.name && e.approves).map((e) => e.role.roleArn),
    }));
}

/** The principal condition of "everyone but these roles" (no roles: everyone). */
function allBut(roleArns: readonly string[]): Statement["conditions"] | undefined {
  return roleArns.length ? { ArnNotEquals: { "aws:PrincipalArn": [...roleArns] } } : undefined;
}

/** The Deny statements of a group's resource policy: only approvers decide, versions register pending. */
export function registryDenyStatements(r: GuardedRegistry): Statement[] {
  const packages = modelPackagesArn(r.build, r.group);
  const only = allBut(r.approvers);
  return [
    {
      sid: "OnlyApproversDecide",
      effect: "Deny",
      principals: { any: true },
      actions: ["sagemaker:UpdateModelPackage"],
      resources: [packages],
      ...(only ? { conditions: only } : {}),
    },
    {
      sid: "RegisterPendingApprovalOnly",
      effect: "Deny",
      principals: { any: true },
      actions: ["sagemaker:CreateModelPackage"],
      resources: [packages],
      conditions: { StringNotEquals: { "sagemaker:ModelApprovalStatus": PENDING_APPROVAL } },
    },
  ];
}

/**
 * The SCP statements for one build account: its principals cannot decide on versions of the
 * groups it holds, register decided versions, nor
 * change or delete a group's policy or the group (its deploy role excepted).
 */
export function registryGuardStatements(registries: readonly GuardedRegistry[], deployRoleArn: string): Statement[] {
  const packages = registries.map((r) => modelPackagesArn(r.build, r.group));
  const groups = registries.map((r) => modelPackageGroupArn(r.build, r.group));
  // Approvers are never in the build account: each account holds one environment (config rules).
  return [
    {
      sid: "BuildAccountNeverApproves",
      effect: "Deny",
      actions: ["sagemaker:UpdateModelPackage"],
      resources: packages,
    },
    {
      sid: "BuildAccountRegistersPendingOnly",
      effect: "Deny",
      actions: ["sagemaker:CreateModelPackage"],
      resources: packages,
      conditions: { StringNotEquals: { "sagemaker:ModelApprovalStatus": PENDING_APPROVAL } },
    },
    {
      sid: "OnlyDeployRoleChangesRegistryPolicy",
      effect: "Deny",
      actions: ["sagemaker:PutModelPackageGroupPolicy", "sagemaker:DeleteModelPackageGroupPolicy", "sagemaker:DeleteModelPackageGroup"],
      resources: groups,
      conditions: { ArnNotEquals: { "aws:PrincipalArn": deployRoleArn } },
    },
  ];
}
