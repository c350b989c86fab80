/**
 * Every name and ARN the stacks use, derived from the topology and nothing else. Stacks never
 * read another stack's state: a value one account needs from another is computed here, the
 * same way on both sides (DESIGN.md, decision 2).
 */
import { createHash } from "crypto";

/** AWS name length limits. */
export const LIMITS = {
  bucket: 63,
  role: 64,
  policy: 128,
  kmsAlias: 256,
  sessionName: 64,
  accessPoint: 50,
} as const;

/** The AWS partition a region belongs to. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.includes("-isob-")) return "aws-iso-b";
  if (region.includes("-iso-")) return "aws-iso";
  return "aws";
}

/** The account's root principal ARN (what `Principal: {AWS: ...}` names for an account). */
export function accountRootArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

/** An IAM role's ARN. */
export function roleArn(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** An IAM customer managed policy's ARN. */
export function policyArn(partition: string, accountId: string, policyName: string): string {
  return `arn:${partition}:iam::${accountId}:policy/${policyName}`;
}

/** An S3 bucket's ARN. */
export function bucketArn(partition: string, bucket: string): string {
  return `arn:${partition}:s3:::${bucket}`;
}

/** A KMS alias ARN. */
export function kmsAliasArn(partition: string, region: string, accountId: string, alias: string): string {
  return `arn:${partition}:kms:${region}:${accountId}:${alias}`;
}

/** The organization's ARN (for RAM principals). */
export function organizationArn(partition: string, managementAccountId: string, orgId: string): string {
  return `arn:${partition}:organizations::${managementAccountId}:organization/${orgId}`;
}

/** The state object key of a stack. */
export function stateKey(keyPrefix: string, stack: string): string {
  return `${keyPrefix.replace(/\/+$/, "")}/${stack}.tfstate`;
}

/** The session name the deploy role is assumed with: it names the stack in CloudTrail. */
export function deploySessionName(project: string, stack: string): string {
  return `${project}-${stack}`.slice(0, LIMITS.sessionName);
}

/** Names derived from the project prefix for one account. */
export interface AccountNames {
  /** The data bucket holding every dataset of a provider account, one prefix per dataset. */
  readonly dataBucket: string;
  /** The bucket receiving the access logs of the account's buckets. */
  readonly logBucket: string;
  /** The KMS alias of the account's dataset key. */
  readonly datasetKeyAlias: string;
}

/** The names of one account's shared resources. */
export function accountNames(project: string, accountId: string, region: string): AccountNames {
  return {
    dataBucket: `${project}-data-${accountId}-${region}`,
    logBucket: `${project}-logs-${accountId}-${region}`,
    datasetKeyAlias: `alias/${project}/datasets`,
  };
}

/** The KMS alias of a restricted dataset's own key. */
export function restrictedDatasetKeyAlias(project: string, dataset: string): string {
  return `alias/${project}/dataset/${dataset}`;
}

/**
 * The bucket of a restricted dataset: a bucket of its own, whose default encryption is the
 * dataset's own key (so uploads, multipart parts included, need no encryption header).
 */
export function restrictedDatasetBucketName(project: string, dataset: string, accountId: string, region: string): string {
  return `${project}-rd-${dataset}-${accountId}-${region}`;
}

/** The bucket of a model artifact set. */
export function artifactBucketName(project: string, set: string, accountId: string, region: string): string {
  return `${project}-ma-${set}-${accountId}-${region}`;
}

/** The KMS alias of a model artifact set's key. */
export function artifactKeyAlias(project: string, set: string): string {
  return `alias/${project}/artifacts/${set}`;
}

/**
 * The reader role a provider account makes for one consumer account's roles and access
 * (via: assume-role): one per distinct (consumer account, granted roles, access), however
 * many datasets it reads. The hash of the access and the sorted role names (all of the
 * consumer account) keeps the name stable when datasets are added to or removed from the grant.
 */
export function readerRoleName(project: string, consumerAccountId: string, access: string, roleNames: readonly string[]): string {
  const hash = createHash("sha256").update([access, ...[...roleNames].sort()].join("\n")).digest("hex").slice(0, 10);
  return `${project}-reader-${consumerAccountId}-${hash}`;
}

/** The managed policy names holding a role's dataset grants, numbered from 1. */
export function grantPolicyName(project: string, roleName: string, index: number): string {
  return `${project}-grants-${roleName}-${index}`;
}

/** The state bucket's lock table default name. */
export function defaultLockTable(project: string): string {
  return `${project}-tf-locks`;
}

/** A name checked against its limit: the error text when it is too long, else undefined. */
export function lengthError(kind: keyof typeof LIMITS, name: string): string | undefined {
  const limit = LIMITS[kind];
  if (name.length <= limit) return undefined;
  return `the derived ${kind} name "${name}" is ${name.length} characters, over AWS's limit of ${limit}; shorten the project prefix or the name`;
}

/** The execution role of a SageMaker Studio user (one domain per account, so unique per account). */
export function sagemakerUserRoleName(project: string, user: string): string {
  return `${project}-sm-${user}`;
}

/** An S3 access point of a provider's data bucket, serving one consumer account (numbered from 1). */
export function accessPointName(project: string, consumerAccountId: string, index: number): string {
  return `${project}-${consumerAccountId}-${index}`;
}

/** An S3 access point's ARN. */
export function accessPointArn(partition: string, region: string, accountId: string, name: string): string {
  return `arn:${partition}:s3:${region}:${accountId}:accesspoint/${name}`;
}

/**
 * The external id of a reader role: it names what the role grants (the project, the consumer
 * account, the access and the granted role names), so a consumer's configuration says which
 * grant it uses. Past the STS limit of 1,224 characters the role names give way to a hash.
 */
export function readerExternalId(project: string, consumerKey: string, access: string, roleNames: readonly string[]): string {
  const full = `${project}:${consumerKey}:${access}:${[...roleNames].sort().join(",")}`;
  if (full.length <= 1224) return full;
  return `${project}:${consumerKey}:${access}:roles-${createHash("sha256").update([...roleNames].sort().join(",")).digest("hex").slice(0, 16)}`;
}

/** The inline policy holding a role's dataset grants. */
export function grantInlinePolicyName(project: string): string {
  return `${project}-data-grants`;
}

/** The KMS alias of an account's SageMaker domain storage key. */
export function sagemakerDomainKeyAlias(project: string): string {
  return `alias/${project}/sagemaker-domain`;
}

/** The SageMaker domain's default execution role (no permissions). */
export function sagemakerDefaultRoleName(project: string): string {
  return `${project}-sm-default-execution`;
}

/** The managed policy that opens one user's Studio. */
export function studioAccessPolicyName(project: string, user: string): string {
  return `${project}-studio-access-${user}`;
}

/** The role of an ML project in one environment. */
export function projectRoleName(project: string, mlProject: string, environment: string): string {
  return `${project}-${mlProject}-${environment}`;
}

/** The model artifact set a project gets when it names none. */
export function projectArtifactSetName(mlProject: string): string {
  return `${mlProject}-project`;
}

/** An organizational unit's ARN (for RAM principals). */
export function organizationalUnitArn(partition: string, managementAccountId: string, orgId: string, ouId: string): string {
  return `arn:${partition}:organizations::${managementAccountId}:ou/${orgId}/${ouId}`;
}

/** The name of the organization policy (SCP or RCP) a guardrail kind makes. */
export function guardrailPolicyName(project: string, kind: string): string {
  return `${project}-${kind}`;
}

/** The name a regional AWS service calls KMS as (`kms:ViaService`): China regions use amazonaws.com.cn. */
export function regionalServiceHost(service: string, region: string): string {
  return `${service}.${region}.${region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com"}`;
}

/** The SCP that keeps one build account from approving its own models. */
export function registryGuardPolicyName(project: string, accountKey: string): string {
  return `${project}-protect-model-registry-${accountKey}`;
}

/** An account's Data Catalog (the Glue root catalog) ARN. */
export function glueCatalogArn(partition: string, region: string, accountId: string): string {
  return `arn:${partition}:glue:${region}:${accountId}:catalog`;
}

/** A Glue database's ARN. */
export function glueDatabaseArn(partition: string, region: string, accountId: string, database: string): string {
  return `arn:${partition}:glue:${region}:${accountId}:database/${database}`;
}

/** A Glue table's ARN. */
export function glueTableArn(partition: string, region: string, accountId: string, database: string, table: string): string {
  return `arn:${partition}:glue:${region}:${accountId}:table/${database}/${table}`;
}

/** The Lake Formation data cells filter of a shared table (entry names are unique among tables). */
export function tableFilterName(project: string, table: string): string {
  return `${project}-${table}`;
}

/**
 * The resource link a consumer account makes to a provider's database. Glue database names
 * are lower case letters, digits and `_`, so the project's hyphens become `_`; the provider's
 * 12-digit account id between two `_` keeps links of different providers (or databases)
 * apart whatever their names hold.
 */
export function tableLinkName(project: string, providerAccountId: string, database: string): string {
  return `${project.replace(/-/g, "_")}_${providerAccountId}_${database}`;
}

/** The inline policy holding a role's IAM side of its table grants (Lake Formation holds the rest). */
export function tablesInlinePolicyName(project: string): string {
  return `${project}-table-grants`;
}

/** The plan role's name in every account when `pipeline.planRole` is not given. */
export const DEFAULT_PLAN_ROLE = "mlshare-plan";

/** The hub's CI role that pull requests and plan runs assume. */
export function ciPlanRoleName(project: string): string {
  return `${project}-ci-plan`;
}

/** The hub's CI role that only the apply ref (and environment) or apply runs assume. */
export function ciApplyRoleName(project: string): string {
  return `${project}-ci-apply`;
}

/** The StackSet that makes the plan and deploy roles in the member accounts. */
export function pipelineStackSetName(project: string): string {
  return `${project}-pipeline-roles`;
}

/** The ARN of an IAM OIDC identity provider for a host. */
export function oidcProviderArn(partition: string, accountId: string, host: string): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${host}`;
}


/**
 * An S3 access point mlshare makes on an existing bucket, serving one consumer account
 * (numbered from 1). Named apart from the access points of mlshare's own buckets, so both
 * number from 1, and so the owner's delegation can name mlshare's access points by pattern.
 */
export function existingAccessPointName(project: string, consumerAccountId: string, index: number): string {
  return `${project}-ex-${consumerAccountId}-${index}`;
}

/** The pattern of every access point name {@link existingAccessPointName} gives in a project. */
export function existingAccessPointPattern(project: string): string {
  return `${project}-ex-*`;
}
