/**
 * The consumer side of every grant: for each role of an account, the identity statements
 * that match what the provider's bucket, access point and key policies admit. Cross-account
 * resources are named by computed ARNs, and keys by alias (`kms:ResourceAliases`), so no
 * value of another stack is needed.
 */
import { DatasetAccess, datasetAccesses, RoleRef } from "../config/grants";
import { Topology } from "../config/model";
import { Statement } from "../policies/document";
import { kmsActions, S3_LIST, s3ObjectActions, STS_ASSUME } from "../policies/perms";
import { planArtifacts } from "./artifact-plan";
import { accessPointFor, dataPlanFor, datasetListPrefix, datasetObjectsArn, datasetPrefix } from "./data-plan";
import { existingBucketPlanFor } from "./existing-plan";
import { bucketContext, s3ViaService } from "./key-plan";

/** What one role may reach, before it is merged into statements. */
interface Reach {
  /** S3 object actions -> resources. */
  readonly objects: Map<string, Set<string>>;
  /** Bucket or access point ARN -> s3:prefix values (undefined: the whole bucket). */
  readonly lists: Map<string, Set<string> | undefined>;
  /** "region account actions" -> key aliases, and the buckets they encrypt. */
  readonly keys: Map<string, { region: string; accountId: string; partition: string; actions: string[]; aliases: Set<string>; buckets: Set<string> }>;
  /** Existing keys, named by ARN (they have no mlshare alias): "region actions" -> key ARNs and the buckets they encrypt. */
  readonly keyArns: Map<string, { region: string; actions: string[]; arns: Set<string>; buckets: Set<string> }>;
  readonly assume: Set<string>;
}

/** A role of the account and its identity statements. */
export interface RoleStatements {
  readonly role: RoleRef;
  readonly statements: readonly Statement[];
}

function reachOf(map: Map<string, { role: RoleRef; reach: Reach }>, role: RoleRef): Reach {
  let entry = map.get(role.roleArn);
  if (!entry) {
    entry = { role, reach: { objects: new Map(), lists: new Map(), keys: new Map(), keyArns: new Map(), assume: new Set() } };
    map.set(role.roleArn, entry);
  }
  return entry.reach;
}

function addObjects(reach: Reach, actions: string[], resource: string): void {
  const key = actions.join(",");
  if (!reach.objects.has(key)) reach.objects.set(key, new Set());
  reach.objects.get(key)!.add(resource);
}

function addList(reach: Reach, base: string, prefix: string | undefined): void {
  if (prefix === undefined) {
    reach.lists.set(base, undefined);
    return;
  }
  if (reach.lists.has(base) && reach.lists.get(base) === undefined) return;
  if (!reach.lists.has(base)) reach.lists.set(base, new Set());
  reach.lists.get(base)!.add(prefix);
}

function addKey(reach: Reach, owner: { region: string; id: string; partition: string }, actions: string[], alias: string, bucketArn: string): void {
  const key = `${owner.partition} ${owner.region} ${owner.id} ${actions.join(",")}`;
  if (!reach.keys.has(key)) reach.keys.set(key, { region: owner.region, accountId: owner.id, partition: owner.partition, actions, aliases: new Set(), buckets: new Set() });
  reach.keys.get(key)!.aliases.add(alias);
  reach.keys.get(key)!.buckets.add(bucketArn);
}

function addKeyArn(reach: Reach, region: string, actions: string[], keyArn: string, bucketArn: string): void {
  const key = `${region} ${actions.join(",")}`;
  if (!reach.keyArns.has(key)) reach.keyArns.set(key, { region, actions, arns: new Set(), buckets: new Set() });
  reach.keyArns.get(key)!.arns.add(keyArn);
  reach.keyArns.get(key)!.buckets.add(bucketArn);
}

const byConsumer = new WeakMap<Topology, Map<string, DatasetAccess[]>>();

/**
 * The dataset grants of a consumer account, grouped once per topology: every consumer stack
 * asks for its own, and filtering every grant of the organization per account made synthesis
 * quadratic in the number of accounts.
 */
export function accessesOfConsumer(topology: Topology, accountKey: string): readonly DatasetAccess[] {
  let map = byConsumer.get(topology);
  if (!map) {
    map = new Map();
    for (const a of datasetAccesses(topology)) {
      const list = map.get(a.consumer.key);
      if (list) list.push(a);
      else map.set(a.consumer.key, [a]);
    }
    byConsumer.set(topology, map);
  }
  return map.get(accountKey) ?? [];
}

const statementsCache = new WeakMap<Topology, Map<string, RoleStatements[]>>();

/** The identity statements of every role of an account that takes part in a grant (computed once per topology and account). */
export function identityStatementsOf(topology: Topology, accountKey: string): RoleStatements[] {
  let cache = statementsCache.get(topology);
  if (!cache) statementsCache.set(topology, (cache = new Map()));
  let found = cache.get(accountKey);
  if (!found) cache.set(accountKey, (found = computeIdentityStatements(topology, accountKey)));
  return found;
}

function computeIdentityStatements(topology: Topology, accountKey: string): RoleStatements[] {
  const roles = new Map<string, { role: RoleRef; reach: Reach }>();

  for (const access of accessesOfConsumer(topology, accountKey)) {
    for (const role of access.roles) {
      const reach = reachOf(roles, role);
      if (access.via === "assume-role") {
        reach.assume.add(access.readerRole!.roleArn);
        continue;
      }
      if (access.dataset.existing) {
        // Through mlshare's access point (access-points), or the adopted bucket policy.
        const existing = access.dataset.existing;
        const plan = existingBucketPlanFor(topology, access.dataset);
        const ap = plan.accessPointIndex.get(`${role.roleArn} ${access.dataset.name}`);
        const base = ap ? ap.arn : plan.bucketArn;
        addObjects(reach, s3ObjectActions(access.access), datasetObjectsArn(base, !!ap, existing.prefix));
        addList(reach, base, datasetListPrefix(existing.prefix));
        if (existing.kmsKeyArn) addKeyArn(reach, access.provider.region, kmsActions(access.access), existing.kmsKeyArn, plan.bucketArn);
        continue;
      }
      const plan = dataPlanFor(topology, access.dataset);
      const ap = accessPointFor(plan, role, access.dataset.name);
      const base = ap ? ap.arn : plan.bucketArn;
      const prefix = datasetPrefix(access.dataset);
      addObjects(reach, s3ObjectActions(access.access), datasetObjectsArn(base, !!ap, prefix));
      addList(reach, base, datasetListPrefix(prefix));
      addKey(reach, access.provider, kmsActions(access.access), plan.keyAlias, plan.bucketArn);
    }
  }

  for (const plan of planArtifacts(topology)) {
    const { owner } = plan.access;
    const users: { role: RoleRef; access: "read" | "read-write" }[] = [
      ...plan.access.writers.map((role) => ({ role, access: "read-write" as const })),
      ...plan.access.readers.map((role) => ({ role, access: "read" as const })),
    ];
    for (const { role, access } of users) {
      if (role.account !== accountKey) continue;
      const reach = reachOf(roles, role);
      addObjects(reach, s3ObjectActions(access), `${plan.bucketArn}/*`);
      addList(reach, plan.bucketArn, undefined);
      addKey(reach, owner, kmsActions(access), plan.keyAlias, plan.bucketArn);
    }
  }

  return [...roles.values()].map(({ role, reach }) => ({ role, statements: statementsOf(reach) }));
}

/** Merges a role's reach into few statements. */
function statementsOf(reach: Reach): Statement[] {
  const out: Statement[] = [];
  let n = 0;
  for (const [actions, resources] of reach.objects) {
    out.push({ sid: `DataObjects${++n}`, effect: "Allow", actions: actions.split(","), resources: [...resources].sort() });
  }
  // Listing: bases with the same prefixes share a statement.
  const whole = [...reach.lists].filter(([, p]) => p === undefined).map(([base]) => base);
  if (whole.length) out.push({ sid: "ListBuckets", effect: "Allow", actions: [...S3_LIST], resources: whole.sort() });
  n = 0;
  for (const [base, prefixes] of reach.lists) {
    if (!prefixes) continue;
    out.push({
      sid: `ListDatasets${++n}`,
      effect: "Allow",
      actions: [...S3_LIST],
      resources: [base],
      conditions: { StringLike: { "s3:prefix": [...prefixes].sort() } },
    });
  }
  n = 0;
  for (const k of reach.keys.values()) {
    out.push({
      sid: `DataKeys${++n}`,
      effect: "Allow",
      actions: k.actions,
      resources: [`arn:${k.partition}:kms:${k.region}:${k.accountId}:key/*`],
      conditions: {
        "ForAnyValue:StringEquals": { "kms:ResourceAliases": [...k.aliases].sort() },
        StringEquals: { "kms:ViaService": s3ViaService(k.region) },
        ...bucketContext([...k.buckets]),
      },
    });
  }
  n = 0;
  for (const k of reach.keyArns.values()) {
    out.push({
      sid: `DataKeyArns${++n}`,
      effect: "Allow",
      actions: k.actions,
      resources: [...k.arns].sort(),
      conditions: { StringEquals: { "kms:ViaService": s3ViaService(k.region) }, ...bucketContext([...k.buckets]) },
    });
  }
  if (reach.assume.size) out.push({ sid: "AssumeDatasetReaderRoles", effect: "Allow", actions: [...STS_ASSUME], resources: [...reach.assume].sort() });
  return out;
}
