/**
 * What the deploy role and the plan role of an account may do (`pipeline`), as statements
 * grouped by the part of the topology that needs them. The same statements serve the
 * management account's own roles (plain IAM, every value known) and the member accounts'
 * roles in the StackSet template (CloudFormation, where the account, the partition and the
 * parts an account plays are parameters of each stack instance).
 *
 * The deploy role writes only what mlshare names (`<project>-*` buckets, access points, IAM
 * roles and policies, `alias/<project>/*` keys it tagged, and the existing roles the topology
 * grants to), never AdministratorAccess. The plan role's statements, configuration reads
 * only, are in pipeline-plan-permissions.ts.
 */
import { Statement } from "./document";
import { DataPart, DataResources, dataDeployStatements } from "./pipeline-data-permissions";

/**
 * The parts of the deploy policy; `base` applies to every account. The data parts (adopted
 * buckets and keys, shared tables and resource links) are in pipeline-data-permissions.ts.
 */
export type PipelinePart = "base" | "provider" | "consumer" | "network" | "projects" | "ram" | "existing" | "management" | "hub" | DataPart;

/** A statement and the part that needs it. */
export interface PartStatement {
  readonly part: PipelinePart;
  readonly statement: Statement;
}

/**
 * Where the statements apply. In the StackSet template the values are CloudFormation
 * substitutions (`${AWS::AccountId}`), so the statements never depend on a literal account.
 */
export interface PermissionScope {
  readonly project: string;
  readonly partition: string;
  readonly accountId: string;
  /** The account's region, or `*` where one template serves every region. */
  readonly region: string;
  /** The existing roles the topology grants to in the account (ARNs), or a placeholder. */
  readonly existingRoleArns: readonly string[];
  /** The account's deploy role and plan role (ARNs): the deploy role may not change them. */
  readonly pipelineRoleArns: readonly string[];
  /** The OIDC provider ARNs the hub manages. */
  readonly oidcProviderArns: readonly string[];
  /** The StackSet's name (management). */
  readonly stackSetName: string;
  /** The S3 state bucket (ARN), which only the bootstrap stack's administrator may change. */
  readonly stateBucketArn?: string;
  /** Existing buckets and keys whose policies the account's stack adopts, and its tables' Glue names (ARNs, or placeholders). */
  readonly data: DataResources;
}

/** The tag every resource mlshare makes carries (provider default_tags). */
const MANAGED = { "aws:ResourceTag/ManagedBy": "mlshare" };

// Bucket reads the AWS provider makes when it refreshes a bucket and its settings.
/** Read actions shared with the plan role. */
export const BUCKET_READS = [
  "s3:ListBucket",
  "s3:GetBucket*",
  "s3:GetAccelerateConfiguration",
  "s3:GetEncryptionConfiguration",
  "s3:GetLifecycleConfiguration",
  "s3:GetReplicationConfiguration",
  "s3:GetIntelligentTieringConfiguration",
  "s3:GetAnalyticsConfiguration",
  "s3:GetInventoryConfiguration",
  "s3:GetMetricsConfiguration",
];
/** Read actions shared with the plan role. */
export const ACCESS_POINT_READS = ["s3:GetAccessPoint", "s3:GetAccessPointPolicy", "s3:GetAccessPointPolicyStatus"];
/** Read actions shared with the plan role. */
export const ROLE_READS = ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListRoleTags", "iam:ListInstanceProfilesForRole"];
/** Read actions shared with the plan role. */
export const POLICY_READS = ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:ListPolicyTags"];
/** Read actions shared with the plan role. */
export const KEY_READS = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"];

/** ARN builders over a scope. */
export function arns(s: PermissionScope) {
  const { partition: p, accountId: a, project } = s;
  return {
    // Every bucket mlshare makes is <project>-<kind>[-<name>]-<account id>-<region>: the
    // account id keeps the state bucket (a name of the user's) and other accounts' buckets out.
    buckets: `arn:${p}:s3:::${project}-*-${a}-*`,
    accessPoints: `arn:${p}:s3:${s.region}:${a}:accesspoint/${project}-*`,
    roles: `arn:${p}:iam::${a}:role/${project}-*`,
    policies: `arn:${p}:iam::${a}:policy/${project}-*`,
    keys: `arn:${p}:kms:${s.region}:${a}:key/*`,
    aliases: `arn:${p}:kms:${s.region}:${a}:alias/${project}/*`,
    sagemaker: `arn:${p}:sagemaker:${s.region}:${a}:*`,
    stackSet: `arn:${p}:cloudformation:${s.region}:${a}:stackset/${s.stackSetName}:*`,
  };
}

/** Everything the deploy role of an account may do, by part. */
export function deployStatements(s: PermissionScope): PartStatement[] {
  const r = arns(s);
  const out: PartStatement[] = [
    {
      part: "base",
      statement: {
        sid: "MlshareRoles",
        effect: "Allow",
        actions: [
          ...ROLE_READS,
          "iam:CreateRole",
          "iam:DeleteRole",
          "iam:UpdateRole",
          "iam:UpdateRoleDescription",
          "iam:UpdateAssumeRolePolicy",
          "iam:TagRole",
          "iam:UntagRole",
          "iam:PutRolePolicy",
          "iam:DeleteRolePolicy",
        ],
        resources: [r.roles],
      },
    },
    {
      part: "base",
      statement: {
        sid: "MlsharePolicies",
        effect: "Allow",
        actions: [...POLICY_READS, "iam:CreatePolicy", "iam:DeletePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"],
        resources: [r.policies],
      },
    },
    {
      // Only mlshare's own managed policies, never an AWS managed one such as AdministratorAccess.
      part: "base",
      statement: {
        sid: "AttachMlsharePolicies",
        effect: "Allow",
        actions: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
        resources: [r.roles],
        conditions: { ArnLike: { "iam:PolicyARN": [r.policies] } },
      },
    },
    {
      part: "provider",
      statement: {
        sid: "MlshareBuckets",
        effect: "Allow",
        actions: [...BUCKET_READS, "s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucket*", "s3:DeleteBucketPolicy", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration"],
        resources: [r.buckets],
      },
    },
    {
      part: "provider",
      statement: {
        sid: "MlshareAccessPoints",
        effect: "Allow",
        actions: [...ACCESS_POINT_READS, "s3:CreateAccessPoint", "s3:DeleteAccessPoint", "s3:PutAccessPointPolicy", "s3:DeleteAccessPointPolicy"],
        resources: [r.accessPoints],
      },
    },
    {
      part: "base",
      statement: {
        sid: "CreateTaggedKeys",
        effect: "Allow",
        actions: ["kms:CreateKey"],
        resources: ["*"],
        // IfExists: the AWS SDK leaves the parameter out when it is false, which is how keys are made.
        conditions: { StringEquals: { "aws:RequestTag/ManagedBy": "mlshare" }, BoolIfExists: { "kms:BypassPolicyLockoutSafetyCheck": "false" } },
      },
    },
    {
      part: "base",
      statement: {
        sid: "MlshareKeys",
        effect: "Allow",
        actions: [...KEY_READS, "kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription", "kms:ScheduleKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
        resources: [r.keys],
        conditions: { StringEquals: MANAGED },
      },
    },
    {
      part: "base",
      statement: { sid: "MlshareAliases", effect: "Allow", actions: ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"], resources: [r.aliases] },
    },
    { part: "base", statement: { sid: "ListAliases", effect: "Allow", actions: ["kms:ListAliases"], resources: ["*"] } },
    {
      part: "consumer",
      statement: {
        sid: "SagemakerResources",
        effect: "Allow",
        actions: [
          "sagemaker:CreateDomain",
          "sagemaker:UpdateDomain",
          "sagemaker:DeleteDomain",
          "sagemaker:DescribeDomain",
          "sagemaker:CreateUserProfile",
          "sagemaker:UpdateUserProfile",
          "sagemaker:DeleteUserProfile",
          "sagemaker:DescribeUserProfile",
          "sagemaker:CreateModelPackageGroup",
          "sagemaker:DeleteModelPackageGroup",
          "sagemaker:DescribeModelPackageGroup",
          "sagemaker:PutModelPackageGroupPolicy",
          "sagemaker:GetModelPackageGroupPolicy",
          "sagemaker:DeleteModelPackageGroupPolicy",
          "sagemaker:AddTags",
          "sagemaker:DeleteTags",
          "sagemaker:ListTags",
        ],
        resources: [r.sagemaker],
      },
    },
    {
      part: "consumer",
      statement: {
        sid: "PassMlshareRolesToSagemaker",
        effect: "Allow",
        actions: ["iam:PassRole"],
        resources: [r.roles],
        conditions: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
      },
    },
    {
      part: "network",
      statement: {
        sid: "SagemakerSecurityGroups",
        effect: "Allow",
        actions: [
          "ec2:DescribeVpcs",
          "ec2:DescribeSubnets",
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeSecurityGroupRules",
          "ec2:DescribeNetworkInterfaces",
          "ec2:CreateSecurityGroup",
          "ec2:DeleteSecurityGroup",
          "ec2:AuthorizeSecurityGroupIngress",
          "ec2:AuthorizeSecurityGroupEgress",
          "ec2:RevokeSecurityGroupIngress",
          "ec2:RevokeSecurityGroupEgress",
          "ec2:CreateTags",
        ],
        resources: ["*"],
      },
    },
    {
      part: "projects",
      statement: {
        sid: "SagemakerProjects",
        effect: "Allow",
        actions: [
          "sagemaker:CreateProject",
          "sagemaker:UpdateProject",
          "sagemaker:DeleteProject",
          "sagemaker:DescribeProject",
          "servicecatalog:ProvisionProduct",
          "servicecatalog:UpdateProvisionedProduct",
          "servicecatalog:TerminateProvisionedProduct",
          "servicecatalog:DescribeProduct",
          "servicecatalog:DescribeProvisionedProduct",
          "servicecatalog:DescribeRecord",
          "servicecatalog:ListLaunchPaths",
        ],
        resources: ["*"],
      },
    },
    {
      part: "ram",
      statement: {
        sid: "ResourceShares",
        effect: "Allow",
        actions: [
          "ram:CreateResourceShare",
          "ram:UpdateResourceShare",
          "ram:DeleteResourceShare",
          "ram:AssociateResourceShare",
          "ram:DisassociateResourceShare",
          "ram:GetResourceShares",
          "ram:GetResourceShareAssociations",
          "ram:ListResourceSharePermissions",
          "ram:TagResource",
          "ram:UntagResource",
        ],
        resources: ["*"],
      },
    },
    {
      // The roles that exist in the account and receive grants: inline policies and
      // mlshare's managed policies only; their trust and other policies stay the owner's.
      part: "existing",
      statement: {
        sid: "GrantToExistingRoles",
        effect: "Allow",
        actions: ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:PutRolePolicy", "iam:DeleteRolePolicy"],
        resources: [...s.existingRoleArns],
      },
    },
    {
      part: "existing",
      statement: {
        sid: "AttachToExistingRoles",
        effect: "Allow",
        actions: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
        resources: [...s.existingRoleArns],
        conditions: { ArnLike: { "iam:PolicyARN": [r.policies] } },
      },
    },
    {
      part: "management",
      statement: {
        sid: "Organization",
        effect: "Allow",
        actions: [
          "organizations:Describe*",
          "organizations:List*",
          "organizations:CreateOrganizationalUnit",
          "organizations:UpdateOrganizationalUnit",
          "organizations:DeleteOrganizationalUnit",
          "organizations:CreatePolicy",
          "organizations:UpdatePolicy",
          "organizations:DeletePolicy",
          "organizations:AttachPolicy",
          "organizations:DetachPolicy",
          "organizations:CreateAccount",
          "organizations:MoveAccount",
          "organizations:TagResource",
          "organizations:UntagResource",
          "organizations:EnableAWSServiceAccess",
          "ram:EnableSharingWithAwsOrganization",
          "iam:CreateServiceLinkedRole",
        ],
        resources: ["*"],
      },
    },
    {
      part: "management",
      statement: {
        sid: "PipelineStackSet",
        effect: "Allow",
        actions: [
          "cloudformation:CreateStackSet",
          "cloudformation:UpdateStackSet",
          "cloudformation:DeleteStackSet",
          "cloudformation:DescribeStackSet",
          "cloudformation:DescribeStackSetOperation",
          "cloudformation:ListStackSetOperations",
          "cloudformation:CreateStackInstances",
          "cloudformation:UpdateStackInstances",
          "cloudformation:DeleteStackInstances",
          "cloudformation:DescribeStackInstance",
          "cloudformation:ListStackInstances",
          "cloudformation:TagResource",
          "cloudformation:UntagResource",
        ],
        resources: [r.stackSet, `arn:${s.partition}:cloudformation:*::type/resource/AWS-IAM-Role`, `arn:${s.partition}:cloudformation:*:*:stackset-target/${s.stackSetName}:*`],
      },
    },
    {
      part: "hub",
      statement: {
        sid: "CiIdentityProviders",
        effect: "Allow",
        actions: [
          "iam:CreateOpenIDConnectProvider",
          "iam:DeleteOpenIDConnectProvider",
          "iam:GetOpenIDConnectProvider",
          "iam:UpdateOpenIDConnectProviderThumbprint",
          "iam:AddClientIDToOpenIDConnectProvider",
          "iam:RemoveClientIDFromOpenIDConnectProvider",
          "iam:TagOpenIDConnectProvider",
          "iam:UntagOpenIDConnectProvider",
        ],
        resources: [...s.oidcProviderArns],
      },
    },
    ...dataDeployStatements(s.data, s.partition),
  ];
  return out;
}

/**
 * What the deploy role of a member account may never do: change its own role or the plan
 * role (the StackSet owns them), whatever names mlshare's other statements match.
 */
export function memberDeployDenials(s: PermissionScope): Statement[] {
  return [
    ...stateBucketDenial(s),
    {
      sid: "KeepPipelineRoles",
      effect: "Deny",
      actions: [
        "iam:UpdateAssumeRolePolicy",
        "iam:PutRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:DeleteRole",
        "iam:UpdateRole",
        "iam:PutRolePermissionsBoundary",
        "iam:DeleteRolePermissionsBoundary",
        "iam:TagRole",
        "iam:UntagRole",
      ],
      resources: [...s.pipelineRoleArns],
    },
  ];
}

/** The state bucket's settings stay the bootstrap stack's, whatever a name pattern matches. */
export function stateBucketDenial(s: PermissionScope): Statement[] {
  if (!s.stateBucketArn) return [];
  return [
    {
      sid: "KeepStateBucket",
      effect: "Deny",
      actions: ["s3:DeleteBucket", "s3:PutBucket*", "s3:DeleteBucketPolicy", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration"],
      resources: [s.stateBucketArn],
    },
  ];
}
