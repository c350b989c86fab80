/**
 * The resolved topology: defaults applied, references turned into objects, every name
 * computed. Stacks and constructs read only this; none of them parses or defaults anything.
 */
import * as naming from "./naming";
import { PolicyFileDocument, readPolicyFile } from "./rules/existing";
import { DatasetInput, TopologyInput } from "./schema";

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

/** Looks an account up by key; throws when the key is unknown (a bug: rules checked it). */
export function accountOf(t: Topology, key: string): Account {
  let index = accountIndex.get(t);
  if (!index) accountIndex.set(t, (index = new Map(t.accounts.map((a) => [a.key, a]))));
  const a = index.get(key);
  if (!a) throw new Error(`internal: account ${key} is not deployable`);
  return a;
}

/** Which roles each account plays, from what the topology gives it to do. */
function rolesOf(input: TopologyInput, key: string): AccountRole[] {
  const roles = new Set<AccountRole>();
  if (input.organization.managementAccount === key) roles.add("management");
  const projects = input.mlProjects ?? [];
  const firstEnv = (p: (typeof projects)[number]) => (input.environments ?? []).find((e) => e in p.accounts);
  const owns =
    (input.datasets ?? []).some((d) => d.account === key) ||
    (input.modelArtifacts ?? []).some((m) => m.account === key) ||
    (input.ramShares ?? []).some((r) => r.account === key) ||
    (input.tables ?? []).some((t) => t.account === key) ||
    projects.some((p) => p.accounts[firstEnv(p) ?? ""] === key);
  if (owns) roles.add("provider");
  const receives =
    (input.datasets ?? []).some((d) => (d.consumers ?? []).some((c) => c.account === key)) ||
    (input.modelArtifacts ?? []).some((m) => (m.consumers ?? []).some((c) => c.account === key)) ||
    (input.sagemaker?.domains ?? []).some((d) => d.account === key) ||
    (input.tables ?? []).some((t) => (t.consumers ?? []).some((c) => c.account === key)) ||
    projects.some((p) => Object.values(p.accounts).includes(key));
  if (receives) roles.add("consumer");
  return ROLE_ORDER.filter((r) => roles.has(r));
}

/** The account's own network, else its SageMaker domain's. */
function networkOf(input: TopologyInput, key: string): Network | undefined {
  const own = input.accounts[key]?.network;
  if (own) return { vpcId: own.vpcId, subnetIds: own.subnetIds, source: "account" };
  const domain = (input.sagemaker?.domains ?? []).find((d) => d.account === key);
  return domain ? { vpcId: domain.vpcId, subnetIds: domain.subnetIds, source: "domain" } : undefined;
}

/** Deploy rank: management 0, providers 1, consumers 2, accounts with nothing to do 3. */
export function deployRank(a: Pick<Account, "roles">): number {
  return a.roles.length ? ROLE_ORDER.indexOf(a.roles[0]) : ROLE_ORDER.length;
}

/**
 * A dataset's `existing` with its defaults and its current policies read (the rules checked
 * the files); `baseDir` is the topology file's folder.
 */
function resolveExisting(d: DatasetInput, baseDir: string): ExistingData | undefined {
  const e = d.existing;
  if (!e) return undefined;
  const policies = e.policies ?? "access-points";
  const read = (file: string, kind: "bucket" | "key"): CurrentPolicy => {
    const r = readPolicyFile(baseDir, file, kind);
    if ("error" in r) throw new Error(`internal: ${r.error}`);
    return { file: r.file, source: file, document: r.document };
  };
  const current = policies === "adopt" && e.currentPolicies?.bucket
    ? { bucket: read(e.currentPolicies.bucket, "bucket"), ...(e.currentPolicies.key ? { key: read(e.currentPolicies.key, "key") } : {}) }
    : undefined;
  return {
    bucket: e.bucket,
    prefix: e.prefix ?? `${d.name}/`,
    ...(e.kmsKeyArn ? { kmsKeyArn: e.kmsKeyArn } : {}),
    policies,
    ...(current ? { currentPolicies: current } : {}),
  };
}

/** How {@link resolveTopology} reads files the topology names. */
export interface ResolveOptions {
  /** The topology file's folder, where relative `currentPolicies` paths start. @default the working directory */
  readonly baseDir?: string;
}

/** Applies defaults and resolves references. The input must have passed every rule. */
export function resolveTopology(input: TopologyInput, options: ResolveOptions = {}): Topology {
  const baseDir = options.baseDir ?? process.cwd();
  const project = input.project;
  const accounts: Account[] = [];
  const pendingAccounts: PendingAccount[] = [];
  const externalAccounts: Record<string, string> = {};
  for (const [key, a] of Object.entries(input.accounts)) {
    const deployRole = a.deployRole ?? DEFAULT_DEPLOY_ROLE;
    if (a.outsideOrganization) {
      externalAccounts[key] = a.id!;
      continue;
    }
    if (!a.id) {
      pendingAccounts.push({ key, email: a.email!, name: a.name!, deployRole });
      continue;
    }
    const region = a.region ?? input.defaultRegion;
    const partition = naming.partitionOf(region);
    accounts.push({
      key,
      id: a.id,
      region,
      partition,
      deployRole,
      deployRoleArn: naming.roleArn(partition, a.id, deployRole),
      deployExternalId: a.deployExternalId,
      environment: a.environment,
      roles: rolesOf(input, key),
      names: naming.accountNames(project, a.id, region),
      network: networkOf(input, key),
      membership: a.email && a.name ? { email: a.email, name: a.name, create: a.create === true } : undefined,
    });
  }
  // Stable sort: deploy order first, topology order within a rank.
  accounts.sort((x, y) => deployRank(x) - deployRank(y));

  const s = input.state;
  const state: S3State | CloudState =
    (s.backend ?? "s3") === "cloud"
      ? { backend: "cloud", organization: s.organization!, workspacePrefix: s.workspacePrefix ?? "", hostname: s.hostname }
      : {
          backend: "s3",
          bucket: s.bucket!,
          region: s.region!,
          keyPrefix: s.keyPrefix ?? project,
          locking: s.locking ?? "lockfile",
          dynamodbTable: s.dynamodbTable,
          roleArn: s.roleArn,
          account: s.account ?? input.organization.managementAccount,
        };

  const environments = input.environments ?? [];
  return {
    project,
    defaultRegion: input.defaultRegion,
    tags: { ...(input.tags ?? {}), ManagedBy: "mlshare" },
    organization: {
      id: input.organization.id,
      rootId: input.organization.rootId,
      managementAccount: input.organization.managementAccount,
      organizationalUnits: (input.organization.organizationalUnits ?? []).map((o) => ({
        name: o.name,
        parent: o.parent ?? "root",
        accounts: o.accounts ?? [],
        id: o.id,
      })),
      guardrails: input.organization.guardrails ?? [],
      ramSharingWithOrganization: input.organization.ramSharingWithOrganization ?? false,
    },
    state,
    accounts,
    pendingAccounts,
    externalAccounts,
    environments,
    datasets: (input.datasets ?? []).map((d) => ({
      name: d.name,
      account: d.account,
      classification: d.classification ?? "confidential",
      consumers: (d.consumers ?? []).map((c) => ({
        account: c.account,
        access: c.access ?? "read",
        via: c.via ?? "bucket-policy",
        roles: c.roles ?? ["sagemaker"],
      })),
      ...(d.existing ? { existing: resolveExisting(d, baseDir) } : {}),
    })),
    modelArtifacts: [
      ...(input.modelArtifacts ?? []).map((m) => ({
        name: m.name,
        account: m.account,
        consumers: (m.consumers ?? []).map((c) => c.account),
      })),
      // A project that names no set gets one: built in its first environment, read by the later ones.
      ...(input.mlProjects ?? [])
        .filter((p) => p.modelArtifacts === undefined)
        .map((p) => {
          const accounts = environments.filter((e) => e in p.accounts).map((e) => p.accounts[e]);
          return { name: naming.projectArtifactSetName(p.name), account: accounts[0], consumers: accounts.slice(1) };
        }),
    ],
    sagemakerDomains: (input.sagemaker?.domains ?? []).map((d) => ({
      account: d.account,
      vpcId: d.vpcId,
      subnetIds: d.subnetIds,
      users: (d.users ?? []).map((u) => ({ name: u.name, datasets: u.datasets ?? [], modelArtifacts: u.modelArtifacts ?? [], tables: u.tables ?? [] })),
    })),
    mlProjects: (input.mlProjects ?? []).map((p) => ({
      name: p.name,
      serviceCatalogProductId: p.serviceCatalogProductId,
      provisioningArtifactId: p.provisioningArtifactId,
      accounts: environments.filter((e) => e in p.accounts).map((e) => ({ environment: e, account: p.accounts[e] })),
      modelPackageGroup: p.modelPackageGroup,
      artifactSet: p.modelArtifacts ?? naming.projectArtifactSetName(p.name),
    })),
    ramShares: (input.ramShares ?? []).map((r) => ({
      name: r.name,
      account: r.account,
      resources: r.resources.map((x) => x.arn),
      principals: r.principals,
      allowExternalPrincipals: r.allowExternalPrincipals ?? false,
    })),
    tables: (input.tables ?? []).map((t) => ({
      name: t.name,
      account: t.account,
      database: t.database,
      table: t.table,
      // The rules let through exactly one of include / exclude.
      ...(t.columns ? { columns: t.columns.include ? { include: t.columns.include } : { exclude: t.columns.exclude ?? [] } } : {}),
      ...(t.rowFilter !== undefined ? { rowFilter: t.rowFilter } : {}),
      consumers: (t.consumers ?? []).map((c) => ({ account: c.account, roles: c.roles ?? ["sagemaker"] })),
    })),
    suppressions: input.compliance?.suppressions ?? [],
    ...(input.pipeline ? { pipeline: resolvePipeline(input, accounts) } : {}),
  };
}

/** The pipeline with its defaults; the hub is deployable (rules checked it). */
function resolvePipeline(input: TopologyInput, accounts: readonly Account[]): Pipeline {
  const p = input.pipeline!;
  const hubKey = p.account ?? input.organization.managementAccount;
  const hub = accounts.find((a) => a.key === hubKey)!;
  const ciPlanRole = naming.ciPlanRoleName(input.project);
  const ciApplyRole = naming.ciApplyRoleName(input.project);
  return {
    account: hubKey,
    planRole: p.planRole ?? naming.DEFAULT_PLAN_ROLE,
    ciPlanRole,
    ciApplyRole,
    ciPlanRoleArn: naming.roleArn(hub.partition, hub.id, ciPlanRole),
    ciApplyRoleArn: naming.roleArn(hub.partition, hub.id, ciApplyRole),
    github: p.github && { repository: p.github.repository, applyRef: p.github.applyRef ?? "refs/heads/main", environment: p.github.environment },
    terraformCloud: p.terraformCloud && { organization: p.terraformCloud.organization, hostname: p.terraformCloud.hostname ?? "app.terraform.io" },
  };
}
