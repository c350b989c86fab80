/**
 * The plan of one provider account's shared data: which bucket holds which dataset, which
 * key encrypts it, and the statements of the bucket, access point and key policies. A pure
 * function of the topology, so the consumer stacks compute the same plan and name the same
 * buckets, access points and keys in their identity policies.
 */
import { DatasetAccess, datasetAccesses, RoleRef } from "../config/grants";
import { Account, accountOf, Dataset, Topology } from "../config/model";
import * as naming from "../config/naming";
import { Statement } from "../policies/document";
import { baselineBucketStatements } from "../policies/bucket-baseline";
import { S3_LIST, s3ObjectActions, S3_READ_OBJECTS, S3_WRITE_OBJECTS } from "../policies/perms";
import { policySize, QUOTAS } from "../policies/quotas";
import { documentJson } from "../policies/document";
import { admitRoles, groupBy } from "./principals";

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

/** The data bucket of a provider account and how consumers reach it. */
export interface DataBucketPlan {
  readonly provider: Account;
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly datasets: readonly Dataset[];
  /** Every grant of the provider's datasets. */
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

/** The ARN of the objects of a dataset, through the bucket or an access point. */
export function datasetObjectsArn(base: string, viaAccessPoint: boolean, dataset: string): string {
  return viaAccessPoint ? `${base}/object/${dataset}/*` : `${base}/${dataset}/*`;
}

/** The s3:prefix values that list a dataset (StringLike `<name>/*` also matches `<name>/`). */
export function datasetListPrefix(dataset: string): string {
  return `${dataset}/*`;
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

/**
 * Statements granting roles their datasets on a resource (`base` = bucket or access point
 * ARN). Roles with the same access to the same datasets share statements, so a policy grows
 * with the number of distinct grants, not with roles times datasets.
 */
export function grantStatements(topology: Topology, grants: readonly RoleDatasetGrant[], base: string, viaAccessPoint: boolean, sidPrefix: string): Statement[] {
  // Per role and access level, the datasets it reaches.
  const perRole = groupBy(grants, (g) => `${g.role.roleArn} ${g.access}`);
  const groups = groupBy([...perRole.values()], (gs) => `${gs[0].access} ${[...new Set(gs.map((g) => g.dataset))].sort().join(",")}`);
  const out: Statement[] = [];
  let n = 0;
  for (const members of groups.values()) {
    n++;
    const access = members[0][0].access;
    const datasets = [...new Set(members[0].map((g) => g.dataset))].sort();
    const who = admitRoles(topology, members.map((gs) => gs[0].role));
    out.push({
      sid: `${sidPrefix}${n}Objects`,
      effect: "Allow",
      principals: who.principals,
      actions: s3ObjectActions(access),
      resources: datasets.map((d) => datasetObjectsArn(base, viaAccessPoint, d)),
      conditions: who.conditions,
    });
    out.push({
      sid: `${sidPrefix}${n}List`,
      effect: "Allow",
      principals: who.principals,
      actions: [...S3_LIST],
      resources: [base],
      conditions: { ...who.conditions, StringLike: { "s3:prefix": datasets.map(datasetListPrefix) } },
    });
  }
  return out;
}

/** The restricted datasets of a provider and their key ARNs, given how to name a key. */
export function restrictedKeys(topology: Topology, datasets: readonly Dataset[], keyArnOf: (alias: string) => string) {
  return datasets
    .filter((d) => d.classification === "restricted")
    .map((d) => ({ dataset: d.name, keyArn: keyArnOf(naming.restrictedDatasetKeyAlias(topology.project, d.name)) }));
}

/** Plans the data bucket of a provider account; undefined when it provides no dataset. */
export function planDataBucket(topology: Topology, provider: Account): DataBucketPlan | undefined {
  const datasets = topology.datasets.filter((d) => d.account === provider.key);
  if (!datasets.length) return undefined;
  const bucketName = provider.names.dataBucket;
  const bucketArn = naming.bucketArn(provider.partition, bucketName);
  const accesses = datasetAccesses(topology).filter((a) => a.provider.key === provider.key);
  const grants = roleGrants(accesses);

  const direct = grantStatements(topology, grants, bucketArn, false, "Grant");
  const sizingKey = sizingKeyArn(provider);
  const baseline = baselineBucketStatements(bucketArn, { keyArn: sizingKey, restricted: restrictedKeys(topology, datasets, () => sizingKey) });
  const size = policySize("bucket", JSON.stringify(documentJson([...direct, ...baseline])));
  if (size <= QUOTAS.bucket.limit) {
    return { provider, bucketName, bucketArn, datasets, accesses, mode: "bucket-policy", grantStatements: direct, accessPoints: [], accessPointIndex: new Map() };
  }

  const accessPoints = planAccessPoints(topology, provider, grants);
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
  return { provider, bucketName, bucketArn, datasets, accesses, mode: "access-points", grantStatements: [delegate], accessPoints, accessPointIndex };
}

/**
 * Access points per consumer account, each with a policy within 20 KB: a consumer's
 * datasets are halved across more access points until each policy fits.
 */
function planAccessPoints(topology: Topology, provider: Account, grants: readonly RoleDatasetGrant[]): AccessPointPlan[] {
  const out: AccessPointPlan[] = [];
  const accounts = new Map(topology.accounts.map((a) => [a.key, a]));
  for (const [consumerKey, consumerGrants] of groupBy(grants, (g) => g.role.account)) {
    const consumer = accounts.get(consumerKey)!;
    const slices: RoleDatasetGrant[][] = [];
    const split = (gs: RoleDatasetGrant[]) => {
      const datasets = [...new Set(gs.map((g) => g.dataset))];
      const probe = naming.accessPointArn(provider.partition, provider.region, provider.id, naming.accessPointName(topology.project, consumer.id, 999));
      const size = policySize("access-point", JSON.stringify(documentJson(grantStatements(topology, gs, probe, true, "Grant"))));
      if (size <= QUOTAS["access-point"].limit || datasets.length < 2) {
        slices.push(gs);
        return;
      }
      const half = new Set(datasets.slice(0, Math.ceil(datasets.length / 2)));
      split(gs.filter((g) => half.has(g.dataset)));
      split(gs.filter((g) => !half.has(g.dataset)));
    };
    split(consumerGrants);
    slices.forEach((slice, i) => {
      const name = naming.accessPointName(topology.project, consumer.id, i + 1);
      const arn = naming.accessPointArn(provider.partition, provider.region, provider.id, name);
      out.push({ name, arn, consumer, grants: slice, statements: grantStatements(topology, slice, arn, true, "Grant") });
    });
  }
  return out;
}

/** The access point (if any) through which a consumer role reaches a dataset. */
export function accessPointFor(plan: DataBucketPlan, role: RoleRef, dataset: string): AccessPointPlan | undefined {
  return plan.accessPointIndex.get(`${role.roleArn} ${dataset}`);
}

const plans = new WeakMap<Topology, Map<string, DataBucketPlan | undefined>>();

/** The data bucket plan of a provider, computed once per topology. */
export function dataPlanOf(topology: Topology, providerKey: string): DataBucketPlan | undefined {
  let byProvider = plans.get(topology);
  if (!byProvider) plans.set(topology, (byProvider = new Map()));
  if (!byProvider.has(providerKey)) byProvider.set(providerKey, planDataBucket(topology, accountOf(topology, providerKey)));
  return byProvider.get(providerKey);
}
