/**
 * The resolved topology: defaults applied, references turned into objects, every name
 * computed. Stacks and constructs read only this; none of them parses or defaults anything.
 * config/resolve.ts builds it from a validated file.
 */
import * as naming from "./naming";
import { PolicyFileDocument } from "./rules/existing";

/** The part an account plays; each part gets its own aliased AWS provider. */
export type AccountRole = "management" | "provider" | "consumer";

/** Where an account's deploy order puts it: management, then providers, then consumers. */
export const ROLE_ORDER: readonly AccountRole[] = ["management", "provider", "consumer"];

/** The default deploy role of an account. */
export const DEFAULT_DEPLOY_ROLE = "mlshare-deploy";

/** An account the app deploys a stack to. */
export interface Account {
  /** The key of the account in the topology; also its stack name. */
  readonly key: string;
  readonly id: string;
  readonly region: string;
  readonly partition: string;
  readonly deployRole: string;
  readonly deployRoleArn: string;
  readonly deployExternalId?: string;
  readonly environment?: string;
  /** What the account does, in deploy order; empty when the topology gives it nothing to do. */
  readonly roles: readonly AccountRole[];
  /** The names of the account's own shared resources. */
  readonly names: naming.AccountNames;
  /**
   * Where the account's ML project jobs and models run: its `network`, else its SageMaker
   * domain's VPC and subnets; absent when it has neither.
   */
  readonly network?: Network;
  /** Present when the management stack manages (or creates) this account. */
  readonly membership?: { readonly email: string; readonly name: string; readonly create: boolean };
}

/** A VPC and subnets where SageMaker jobs and models run. */
export interface Network {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  /** `account`: the account's own `network`; `domain`: its SageMaker domain's. */
  readonly source: "account" | "domain";
}

/** An account the management stack creates that has no id yet; no stack references it. */
export interface PendingAccount {
  readonly key: string;
  readonly email: string;
  readonly name: string;
  readonly deployRole: string;
}

/** One consumer account's access to a dataset. */
export interface DatasetGrant {
  /** The consumer account's key. */
  readonly account: string;
  readonly access: "read" | "read-write";
  readonly via: "bucket-policy" | "assume-role";
  /** `sagemaker` and/or names of roles that exist in the consumer account. */
  readonly roles: readonly string[];
}

/** A dataset: the prefix `<name>/` of its provider's data bucket, or data in an existing bucket. */
export interface Dataset {
  readonly name: string;
  readonly account: string;
  readonly classification: "internal" | "confidential" | "restricted";
  readonly consumers: readonly DatasetGrant[];
  /** Present when the data lives in a bucket mlshare does not create. */
  readonly existing?: ExistingData;
}

/** A current policy read from its file (`currentPolicies`), statements verbatim. */
export interface CurrentPolicy {
  /** The file's absolute path. */
  readonly file: string;
  /** The path as the topology writes it (relative to the topology file, or absolute). */
  readonly source: string;
  readonly document: PolicyFileDocument;
}

/** Where an existing dataset lives, and whose its bucket and key policies are. */
export interface ExistingData {
  readonly bucket: string;
  /** The dataset's key prefix, ending with `/`. */
  readonly prefix: string;
  /** The existing key its objects use; absent: SSE-S3. */
  readonly kmsKeyArn?: string;
  /** `access-points`: the policies stay the owner's; `adopt`: mlshare manages them. */
  readonly policies: "access-points" | "adopt";
  /** With adopt: the policies as they are today. */
  readonly currentPolicies?: { readonly bucket: CurrentPolicy; readonly key?: CurrentPolicy };
}

/** A model artifact bucket shared read-only. */
export interface ModelArtifactSet {
  readonly name: string;
  readonly account: string;
  readonly consumers: readonly string[];
}

/** One consumer account's SELECT on a shared table. */
export interface TableGrant {
  /** The consumer account's key. */
  readonly account: string;
  /** `sagemaker` and/or names of roles that exist in the consumer account. */
  readonly roles: readonly string[];
}

/** A Glue Data Catalog table shared through Lake Formation, to the column and the row. */
export interface Table {
  /** The entry's name (unique among tables). */
  readonly name: string;
  /** The provider account whose Data Catalog holds the table. */
  readonly account: string;
  readonly database: string;
  readonly table: string;
  /** The columns shared (`include`) or withheld (`exclude`); absent: every column. */
  readonly columns?: { readonly include: readonly string[] } | { readonly exclude: readonly string[] };
  /** A PartiQL row filter; absent: every row. */
  readonly rowFilter?: string;
  readonly consumers: readonly TableGrant[];
}

/** A SageMaker Studio user. */
export interface SagemakerUser {
  readonly name: string;
  readonly datasets: readonly string[];
  readonly modelArtifacts: readonly string[];
  /** Shared tables (names of `tables` entries) the user reads. */
  readonly tables: readonly string[];
}

/** A SageMaker domain. */
export interface SagemakerDomain {
  readonly account: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly users: readonly SagemakerUser[];
}

/** A multi-environment ML project. */
export interface MlProject {
  readonly name: string;
  readonly serviceCatalogProductId: string;
  readonly provisioningArtifactId?: string;
  /** Environment -> account key, in promotion order. */
  readonly accounts: readonly { readonly environment: string; readonly account: string }[];
  readonly modelPackageGroup?: string;
  /** The model artifact set holding the project's models (named, or made for the project). */
  readonly artifactSet: string;
}

/** A RAM resource share. */
export interface RamShare {
  readonly name: string;
  readonly account: string;
  readonly resources: readonly string[];
  readonly principals: readonly string[];
  readonly allowExternalPrincipals: boolean;
}

/** An organizational unit. */
export interface OrganizationalUnit {
  readonly name: string;
  /** `root` or another OU's name. */
  readonly parent: string;
  readonly accounts: readonly string[];
  readonly id?: string;
}

/** An organization policy and where it is attached. */
export interface Guardrail {
  readonly kind: "deny-leave-organization" | "require-sagemaker-vpc" | "data-perimeter";
  readonly targets: readonly string[];
}

/** Terraform state in S3. */
export interface S3State {
  readonly backend: "s3";
  readonly bucket: string;
  readonly region: string;
  readonly keyPrefix: string;
  readonly locking: "lockfile" | "dynamodb";
  readonly dynamodbTable?: string;
  readonly roleArn?: string;
  /** The account whose bootstrap stack makes the state bucket. */
  readonly account: string;
}

/** Terraform state in Terraform Cloud / HCP Terraform workspaces. */
export interface CloudState {
  readonly backend: "cloud";
  readonly organization: string;
  readonly workspacePrefix: string;
  readonly hostname?: string;
}

/**
 * The identities that run Terraform (`pipeline`): a plan role and a deploy role in every
 * account, and in the hub account the OIDC providers and the two CI roles that assume them.
 */
export interface Pipeline {
  /** The hub account's key. */
  readonly account: string;
  /** The role every account's stack assumes for plans (`planRole`). */
  readonly planRole: string;
  /** `<project>-ci-plan` and `<project>-ci-apply` in the hub, and their ARNs. */
  readonly ciPlanRole: string;
  readonly ciApplyRole: string;
  readonly ciPlanRoleArn: string;
  readonly ciApplyRoleArn: string;
  readonly github?: { readonly repository: string; readonly applyRef: string; readonly environment?: string };
  readonly terraformCloud?: { readonly organization: string; readonly hostname: string };
}

/** A compliance finding the topology accepts, with the reason. */
export interface Suppression {
  readonly rule: string;
  readonly resource: string;
  readonly reason: string;
}

/** A validated topology with every default applied. */
export interface Topology {
  readonly project: string;
  readonly defaultRegion: string;
  /** Default tags of every provider, ManagedBy included. */
  readonly tags: Readonly<Record<string, string>>;
  readonly organization: {
    readonly id: string;
    readonly rootId?: string;
    readonly managementAccount: string;
    readonly organizationalUnits: readonly OrganizationalUnit[];
    readonly guardrails: readonly Guardrail[];
    readonly ramSharingWithOrganization: boolean;
  };
  readonly state: S3State | CloudState;
  /** The accounts that get a stack, in deploy order (management, providers, consumers, others). */
  readonly accounts: readonly Account[];
  /** Accounts the management stack creates that have no id yet. */
  readonly pendingAccounts: readonly PendingAccount[];
  /** Accounts outside the organization: key -> id. */
  readonly externalAccounts: Readonly<Record<string, string>>;
  readonly environments: readonly string[];
  readonly datasets: readonly Dataset[];
  readonly modelArtifacts: readonly ModelArtifactSet[];
  readonly sagemakerDomains: readonly SagemakerDomain[];
  readonly mlProjects: readonly MlProject[];
  readonly ramShares: readonly RamShare[];
  readonly tables: readonly Table[];
  readonly suppressions: readonly Suppression[];
  /** Absent when the topology has no `pipeline`: the deploy roles are then the user's. */
  readonly pipeline?: Pipeline;
}

const accountIndex = new WeakMap<Topology, ReadonlyMap<string, Account>>();

/** The topology's accounts by key, indexed once per topology. */
export function accountsByKey(t: Topology): ReadonlyMap<string, Account> {
  let index = accountIndex.get(t);
  if (!index) accountIndex.set(t, (index = new Map(t.accounts.map((a) => [a.key, a]))));
  return index;
}

/** Looks an account up by key; throws when the key is unknown (a bug: rules checked it). */
export function accountOf(t: Topology, key: string): Account {
  const a = accountsByKey(t).get(key);
  if (!a) throw new Error(`internal: account ${key} is not deployable`);
  return a;
}

/** Deploy rank: management 0, providers 1, consumers 2, accounts with nothing to do 3. */
export function deployRank(a: Pick<Account, "roles">): number {
  return a.roles.length ? ROLE_ORDER.indexOf(a.roles[0]) : ROLE_ORDER.length;
}
