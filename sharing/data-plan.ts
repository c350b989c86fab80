/**
 * The plan of one provider account's shared data: which bucket holds which dataset, which
 * key encrypts it, and the statements of the bucket, access point and key policies. A pure
 * function of the topology, so the consumer stacks compute the same plan and name the same
 * buckets, access points and keys in their identity policies.
 *
 * A provider's datasets share its data bucket, one prefix each, under the account's dataset
 * key; a `restricted` dataset has a bucket of its own (objects at its root) whose default
 * encryption is the dataset's own key, so no upload (multipart parts included) has to name it.
 */
import { DatasetAccess, datasetAccesses, RoleRef } from "../config/grants";
import { Account, accountOf, accountsByKey, Dataset, Topology } from "../config/model";
import * as naming from "../config/naming";
import { Statement } from "../policies/document";
import { baselineBucketStatements } from "../policies/bucket-baseline";
import { S3_LIST, s3ObjectActions, S3_READ_OBJECTS, S3_WRITE_OBJECTS } from "../policies/perms";
import { policySize, QUOTAS } from "../policies/quotas";
import { documentJson } from "../policies/document";
import { admitRoles, groupBy, RolePrincipals } from "./principals";

/** One role's access to one dataset through the bucket (or an access point). */
export interface RoleDatasetGrant {
  readonly role: RoleRef;
  readonly dataset: string;
  readonly access: "read" | "read-write";
}

/** An access point serving one consumer account. */
export interface AccessPointPlan {
  readonly name: string;
  readonly arn: string;
  readonly consumer: Account;
  readonly grants: readonly RoleDatasetGrant[];
  readonly statements: readonly Statement[];
}

/** A bucket holding datasets of a provider account, and how consumers reach it. */
export interface DataBucketPlan {
  readonly provider: Account;
  readonly bucketName: string;
  readonly bucketArn: string;
  /** The alias of the bucket's default key, which encrypts every object of the bucket. */
  readonly keyAlias: string;
  /**
   * The restricted dataset this bucket holds alone, at its root; undefined for the provider's
   * data bucket, which holds the other datasets, one prefix each.
   */
  readonly restricted?: Dataset;
  readonly datasets: readonly Dataset[];
  /** Every grant of the bucket's datasets. */
  readonly accesses: readonly DatasetAccess[];
  /**
   * `bucket-policy`: the bucket policy names the consumer roles. `access-points`: the grants
   * did not fit the bucket policy's 20 KB, so each consumer account reaches the data through
   * access points of its own, and the bucket policy only delegates to them.
   */
  readonly mode: "bucket-policy" | "access-points";
  /** The bucket policy's grant statements (the bucket adds its baseline Deny statements). */
  readonly grantStatements: readonly Statement[];
  readonly accessPoints: readonly AccessPointPlan[];
  /** The access point of each `<role ARN> <dataset>` grant, in access-point mode. */
  readonly accessPointIndex: ReadonlyMap<string, AccessPointPlan>;
}

/** The KMS alias of the key that encrypts a dataset. */
export function datasetKeyAlias(topology: Topology, dataset: Dataset, provider: Account): string {
  return dataset.classification === "restricted"
    ? naming.restrictedDatasetKeyAlias(topology.project, dataset.name)
    : provider.names.datasetKeyAlias;
}

/** The bucket that holds a dataset: its own when restricted, else its provider's data bucket. */
export function datasetBucketName(topology: Topology, dataset: Dataset, provider: Account): string {
  return dataset.classification === "restricted"
    ? naming.restrictedDatasetBucketName(topology.project, dataset.name, provider.id, provider.region)
    : provider.names.dataBucket;
}

/** The key prefix of a dataset's objects in its bucket: `<name>/`, or "" for a bucket of its own. */
export function datasetPrefix(dataset: Dataset): string {
  return dataset.classification === "restricted" ? "" : `${dataset.name}/`;
}

/**
 * Datasets by name, the first of each name as a search from the start finds it: policies
 * look a dataset up per resource they list, and searching the list each time was quadratic.
 */
export function datasetsByName(datasets: readonly Dataset[]): ReadonlyMap<string, Dataset> {
  const out = new Map<string, Dataset>();
  for (const d of datasets) if (!out.has(d.name)) out.set(d.name, d);
  return out;
}

/** The ARN of the objects under a prefix, through the bucket or an access point (`base`). */
export function datasetObjectsArn(base: string, viaAccessPoint: boolean, prefix: string): string {
  return viaAccessPoint ? `${base}/object/${prefix}*` : `${base}/${prefix}*`;
}

/**
 * The s3:prefix value that lists a prefix (StringLike `<name>/*` also matches `<name>/`);
 * undefined for a whole bucket, which is listed without a prefix condition.
 */
export function datasetListPrefix(prefix: string): string | undefined {
  return prefix ? `${prefix}*` : undefined;
}

/** A key ARN of the size AWS will see, for measuring policies before keys exist. */
export function sizingKeyArn(account: Account): string {
  return `arn:${account.partition}:kms:${account.region}:${account.id}:key/00000000-0000-0000-0000-000000000000`;
}

/** The role grants of bucket-policy accesses, one per (role, dataset). */
function roleGrants(accesses: readonly DatasetAccess[]): RoleDatasetGrant[] {
  return accesses
    .filter((a) => a.via === "bucket-policy")
    .flatMap((a) => a.roles.map((role) => ({ role, dataset: a.dataset.name, access: a.access })));
}

/** Roles with the same access to the same datasets, which share statements. */
export interface GrantGroup {
  readonly access: "read" | "read-write";
  /** The datasets, sorted. */
  readonly datasets: readonly string[];
  readonly who: RolePrincipals;
}

/** Groups grants by role and access level, then roles by the datasets they reach. */
export function groupGrants(topology: Topology, grants: readonly RoleDatasetGrant[]): GrantGroup[] {
  // Per role and access level, the datasets it reaches.
  const perRole = groupBy(grants, (g) => `${g.role.roleArn} ${g.access}`);
  const withDatasets = [...perRole.values()].map((gs) => ({ gs, datasets: [...new Set(gs.map((g) => g.dataset))].sort() }));
  const groups = groupBy(withDatasets, (r) => `${r.gs[0].access} ${r.datasets.join(",")}`);
  return [...groups.values()].map((members) => ({
    access: members[0].gs[0].access,
    datasets: members[0].datasets,
    who: admitRoles(topology, members.map((m) => m.gs[0].role)),
  }));
}

/**
 * Statements granting roles their datasets on a resource (`base` = bucket or access point
 * ARN; `prefixOf` gives a dataset's key prefix in the bucket). Roles with the same access to
 * the same datasets share statements, so a policy grows with the number of distinct grants,
 * not with roles times datasets.
 */
export function grantStatements(
  topology: Topology,
  grants: readonly RoleDatasetGrant[],
  base: string,
  viaAccessPoint: boolean,
  sidPrefix: string,
  prefixOf: (dataset: string) => string,
): Statement[] {
  return groupStatements(groupGrants(topology, grants), base, viaAccessPoint, sidPrefix, prefixOf);
}

/** The statements of grouped grants on a resource (see {@link grantStatements}). */
export function groupStatements(groups: readonly GrantGroup[], base: string, viaAccessPoint: boolean, sidPrefix: string, prefixOf: (dataset: string) => string): Statement[] {
  const out: Statement[] = [];
  let n = 0;
  for (const { access, datasets, who } of groups) {
    n++;
    out.push({
      sid: `${sidPrefix}${n}Objects`,
      effect: "Allow",
      principals: who.principals,
      actions: s3ObjectActions(access),
      resources: datasets.map((d) => datasetObjectsArn(base, viaAccessPoint, prefixOf(d))),
      conditions: who.conditions,
    });
    const prefixes = datasets.map((d) => datasetListPrefix(prefixOf(d)));
    out.push({
      sid: `${sidPrefix}${n}List`,
      effect: "Allow",
      principals: who.principals,
      actions: [...S3_LIST],
      resources: [base],
      // A dataset with a bucket of its own is listed whole; the others by their prefix.
      conditions: prefixes.includes(undefined) ? who.conditions : { ...who.conditions, StringLike: { "s3:prefix": prefixes as string[] } },
    });
  }
  return out;
}

/**
 * Plans the buckets of a provider account: its data bucket (when it provides a dataset that
 * is not restricted), then one bucket per restricted dataset. Access points are numbered per
 * consumer account across all of them, so their names never collide.
 */
export function planDataBuckets(topology: Topology, provider: Account): DataBucketPlan[] {
  // Datasets in existing buckets are planned apart (sharing/existing-plan.ts).
  const datasets = topology.datasets.filter((d) => d.account === provider.key && !d.existing);
  const accesses = datasetAccesses(topology).filter((a) => a.provider.key === provider.key && !a.dataset.existing);
  const used = new Map<string, number>();
  const nextAccessPoint = (consumerKey: string) => {
    const n = (used.get(consumerKey) ?? 0) + 1;
    used.set(consumerKey, n);
    return n;
  };
  const shared = datasets.filter((d) => d.classification !== "restricted");
  const out: DataBucketPlan[] = [];
  if (shared.length) {
    out.push(planBucket(topology, provider, provider.names.dataBucket, provider.names.datasetKeyAlias, undefined, shared, accesses, nextAccessPoint));
  }
  for (const d of datasets.filter((x) => x.classification === "restricted")) {
    out.push(planBucket(topology, provider, datasetBucketName(topology, d, provider), datasetKeyAlias(topology, d, provider), d, [d], accesses, nextAccessPoint));
  }
  return out;
}

function planBucket(
  topology: Topology,
  provider: Account,
  bucketName: string,
  keyAlias: string,
  restricted: Dataset | undefined,
  datasets: readonly Dataset[],
  providerAccesses: readonly DatasetAccess[],
  nextAccessPoint: (consumerKey: string) => number,
): DataBucketPlan {
  const bucketArn = naming.bucketArn(provider.partition, bucketName);
  const names = new Set(datasets.map((d) => d.name));
  const byName = datasetsByName(datasets);
  const prefixOf = (name: string) => datasetPrefix(byName.get(name)!);
  const accesses = providerAccesses.filter((a) => names.has(a.dataset.name));
  const grants = roleGrants(accesses);
  const base = { provider, bucketName, bucketArn, keyAlias, ...(restricted ? { restricted } : {}), datasets, accesses };

  const direct = grantStatements(topology, grants, bucketArn, false, "Grant", prefixOf);
  const baseline = baselineBucketStatements(bucketArn, { keyArn: sizingKeyArn(provider) });
  const size = policySize("bucket", JSON.stringify(documentJson([...direct, ...baseline])));
  if (size <= QUOTAS.bucket.limit) {
    return { ...base, mode: "bucket-policy", grantStatements: direct, accessPoints: [], accessPointIndex: new Map() };
  }

  const accessPoints = planAccessPoints(topology, provider, grants, prefixOf, nextAccessPoint, (consumer, n) => naming.accessPointName(topology.project, consumer.id, n));
  const delegate: Statement = {
    sid: "DelegateToAccessPoints",
    effect: "Allow",
    principals: { any: true },
    actions: [...new Set([...S3_READ_OBJECTS, ...S3_WRITE_OBJECTS, ...S3_LIST])],
    resources: [bucketArn, `${bucketArn}/*`],
    conditions: {
      StringEquals: { "s3:DataAccessPointAccount": provider.id, "aws:PrincipalOrgID": topology.organization.id },
    },
  };
  const accessPointIndex = new Map<string, AccessPointPlan>();
  for (const ap of accessPoints) for (const g of ap.grants) accessPointIndex.set(`${g.role.roleArn} ${g.dataset}`, ap);
  return { ...base, mode: "access-points", grantStatements: [delegate], accessPoints, accessPointIndex };
}

/**
 * Access points per consumer account, each with a policy within 20 KB: a consumer's
 * datasets are halved across more access points until each policy fits. `name` names the
 * n-th access point of a consumer; `extra` gives statements every access point policy adds
 * after the grants (counted in its size).
 */
export function planAccessPoints(
  topology: Topology,
  provider: Account,
  grants: readonly RoleDatasetGrant[],
  prefixOf: (dataset: string) => string,
  nextAccessPoint: (consumerKey: string) => number,
  name: (consumer: Account, n: number) => string,
  extra: (accessPointArn: string) => Statement[] = () => [],
): AccessPointPlan[] {
  const out: AccessPointPlan[] = [];
  const accounts = accountsByKey(topology);
  for (const [consumerKey, consumerGrants] of groupBy(grants, (g) => g.role.account)) {
    const consumer = accounts.get(consumerKey)!;
    // Each slice with its grants grouped: the groups that measured it make its statements.
    const slices: { grants: RoleDatasetGrant[]; groups: GrantGroup[] }[] = [];
    const split = (gs: RoleDatasetGrant[]) => {
      const datasets = [...new Set(gs.map((g) => g.dataset))];
      const probe = naming.accessPointArn(provider.partition, provider.region, provider.id, name(consumer, 999));
      const groups = groupGrants(topology, gs);
      const size = policySize("access-point", JSON.stringify(documentJson([...groupStatements(groups, probe, true, "Grant", prefixOf), ...extra(probe)])));
      if (size <= QUOTAS["access-point"].limit || datasets.length < 2) {
        slices.push({ grants: gs, groups });
        return;
      }
      const half = new Set(datasets.slice(0, Math.ceil(datasets.length / 2)));
      split(gs.filter((g) => half.has(g.dataset)));
      split(gs.filter((g) => !half.has(g.dataset)));
    };
    split(consumerGrants);
    for (const slice of slices) {
      const apName = name(consumer, nextAccessPoint(consumerKey));
      const arn = naming.accessPointArn(provider.partition, provider.region, provider.id, apName);
      out.push({ name: apName, arn, consumer, grants: slice.grants, statements: [...groupStatements(slice.groups, arn, true, "Grant", prefixOf), ...extra(arn)] });
    }
  }
  return out;
}

/** The access point (if any) through which a consumer role reaches a dataset. */
export function accessPointFor(plan: DataBucketPlan, role: RoleRef, dataset: string): AccessPointPlan | undefined {
  return plan.accessPointIndex.get(`${role.roleArn} ${dataset}`);
}

/** Per topology: the plans of each provider, and the plan holding each planned dataset. */
const plans = new WeakMap<Topology, { byProvider: Map<string, DataBucketPlan[]>; byDataset: Map<Dataset, DataBucketPlan> }>();

function plansOf(topology: Topology) {
  let found = plans.get(topology);
  if (!found) plans.set(topology, (found = { byProvider: new Map(), byDataset: new Map() }));
  return found;
}

/** The bucket plans of a provider (data bucket first, then restricted datasets), computed once per topology. */
export function dataPlansOf(topology: Topology, providerKey: string): DataBucketPlan[] {
  const { byProvider, byDataset } = plansOf(topology);
  let found = byProvider.get(providerKey);
  if (!found) {
    byProvider.set(providerKey, (found = planDataBuckets(topology, accountOf(topology, providerKey))));
    for (const plan of found) for (const d of plan.datasets) if (!byDataset.has(d)) byDataset.set(d, plan);
  }
  return found;
}

/**
 * The plan of the mlshare bucket that holds a dataset (not for a dataset in an existing bucket).
 * Looked up in an index: every consumer stack asks for the plan of each dataset it reads.
 */
export function dataPlanFor(topology: Topology, dataset: Dataset): DataBucketPlan {
  dataPlansOf(topology, dataset.account);
  const plan = plansOf(topology).byDataset.get(dataset);
  if (!plan) throw new Error(`internal: no bucket plan holds dataset ${dataset.name}`);
  return plan;
}
