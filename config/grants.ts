/**
 * Who may reach which shared data, as the topology declares it: the one place that turns
 * `datasets`, `modelArtifacts` (and the roles later features make) into concrete role
 * grants. Provider and consumer stacks both read these, so both sides of every grant name
 * exactly the same roles.
 */
import { Account, accountOf, Dataset, MlProject, ModelArtifactSet, SagemakerUser, Topology } from "./model";
import * as naming from "./naming";

/** A role of an account, named. */
export interface RoleRef {
  /** The account key. */
  readonly account: string;
  readonly roleName: string;
  readonly roleArn: string;
}

/** One consumer account's grant on one dataset, with the roles it reaches. */
export interface DatasetAccess {
  readonly dataset: Dataset;
  readonly provider: Account;
  readonly consumer: Account;
  readonly access: "read" | "read-write";
  readonly via: "bucket-policy" | "assume-role";
  /** The consumer roles granted, resolved (`sagemaker` expanded); may be empty. */
  readonly roles: readonly RoleRef[];
  /**
   * With via: assume-role, the reader role in the provider account: shared by every dataset
   * the same consumer account grants to exactly the same roles with the same access.
   */
  readonly readerRole?: RoleRef & { readonly externalId: string };
}

function roleRef(account: Account, roleName: string): RoleRef {
  return { account: account.key, roleName, roleArn: naming.roleArn(account.partition, account.id, roleName) };
}

/** The SageMaker user execution roles of an account whose users list `select`. */
export function sagemakerRolesOf(
  topology: Topology,
  accountKey: string,
  select: (user: SagemakerUser) => boolean,
): RoleRef[] {
  const domain = topology.sagemakerDomains.find((d) => d.account === accountKey);
  if (!domain) return [];
  const account = accountOf(topology, accountKey);
  return domain.users.filter(select).map((u) => roleRef(account, naming.sagemakerUserRoleName(topology.project, u.name)));
}

const accessCache = new WeakMap<Topology, readonly DatasetAccess[]>();

/** Every dataset grant of the topology, in topology order (computed once per topology). */
export function datasetAccesses(topology: Topology): readonly DatasetAccess[] {
  const cached = accessCache.get(topology);
  if (cached) return cached;
  const out: DatasetAccess[] = [];
  for (const dataset of topology.datasets) {
    const provider = accountOf(topology, dataset.account);
    for (const grant of dataset.consumers) {
      const consumer = accountOf(topology, grant.account);
      const roles: RoleRef[] = [];
      for (const r of grant.roles) {
        if (r === "sagemaker") roles.push(...sagemakerRolesOf(topology, consumer.key, (u) => u.datasets.includes(dataset.name)));
        else roles.push(roleRef(consumer, r));
      }
      const unique = roles.filter((r, i) => roles.findIndex((x) => x.roleArn === r.roleArn) === i);
      out.push({
        dataset,
        provider,
        consumer,
        access: grant.access,
        via: grant.via,
        roles: unique,
        // One reader role per (consumer account, exact roles, access): never one whose trust
        // admits a role that was not granted every dataset the reader role reads.
        readerRole:
          grant.via === "assume-role"
            ? {
                ...roleRef(provider, naming.readerRoleName(topology.project, consumer.id, grant.access, unique.map((r) => r.roleName))),
                externalId: naming.readerExternalId(topology.project, consumer.key, grant.access, unique.map((r) => r.roleName)),
              }
            : undefined,
      });
    }
  }
  accessCache.set(topology, out);
  return out;
}

/** Who writes and who reads a model artifact set. */
export interface ArtifactAccess {
  readonly set: ModelArtifactSet;
  readonly owner: Account;
  /** Roles of the owning account that write (and read) the artifacts. */
  readonly writers: readonly RoleRef[];
  /** Roles of consumer accounts that read them. */
  readonly readers: readonly RoleRef[];
}

/** What an ML project's role does in one environment. */
export type ProjectStage = "build" | "test" | "deploy";

/** One environment of an ML project: its account, its stage and its role. */
export interface ProjectEnvironment {
  readonly project: MlProject;
  readonly environment: string;
  readonly stage: ProjectStage;
  readonly account: Account;
  readonly role: RoleRef;
  /** The account of the first environment, which holds the model registry and artifacts. */
  readonly registry: Account;
  /**
   * Whether this environment's role approves (or rejects) model versions: the environments
   * between the first and the last, or the last when there are only two. The first (build)
   * environment never approves its own models.
   */
  readonly approves: boolean;
}

/**
 * The environments of every ML project, in promotion order: the first builds and trains, the
 * last (when there are several) only deploys, those between test.
 */
export function projectEnvironments(topology: Topology): ProjectEnvironment[] {
  return topology.mlProjects.flatMap((project) => {
    const registry = accountOf(topology, project.accounts[0].account);
    return project.accounts.map(({ environment, account: key }, i, all) => {
      const account = accountOf(topology, key);
      const stage: ProjectStage = i === 0 ? "build" : i === all.length - 1 ? "deploy" : "test";
      const approves = stage === "test" || (all.length === 2 && stage === "deploy");
      return { project, environment, stage, account, registry, approves, role: roleRef(account, naming.projectRoleName(topology.project, project.name, environment)) };
    });
  });
}

/**
 * The roles of an account that use a model artifact set: the SageMaker users who list it,
 * and the roles of the ML projects whose models it holds.
 */
export function artifactRolesOf(topology: Topology, accountKey: string, set: string): RoleRef[] {
  const projectRoles = projectEnvironments(topology)
    .filter((e) => e.account.key === accountKey && e.project.artifactSet === set)
    .map((e) => e.role);
  return [...sagemakerRolesOf(topology, accountKey, (u) => u.modelArtifacts.includes(set)), ...projectRoles];
}

/** Every model artifact set with its writers and readers. */
export function artifactAccesses(topology: Topology): ArtifactAccess[] {
  return topology.modelArtifacts.map((set) => ({
    set,
    owner: accountOf(topology, set.account),
    writers: artifactRolesOf(topology, set.account, set.name),
    readers: set.consumers.flatMap((c) => artifactRolesOf(topology, c, set.name)),
  }));
}
