/**
 * Turns a validated topology file into the resolved {@link Topology}: defaults applied,
 * references turned into objects, every name computed (config/model.ts holds the types).
 */
import * as naming from "./naming";
import { readPolicyFile } from "./rules/existing";
import { DatasetInput, TopologyInput } from "./schema";
import { Account, AccountRole, CloudState, CurrentPolicy, DEFAULT_DEPLOY_ROLE, deployRank, ExistingData, Network, PendingAccount, Pipeline, ROLE_ORDER, S3State, Topology } from "./model";

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
