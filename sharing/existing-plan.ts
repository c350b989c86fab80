/**
 * The plan of data that already lives in buckets (and under keys) mlshare does not create
 * (`datasets[].existing`). A pure function of the topology, like sharing/data-plan.ts, so the
 * consumer stacks name the same access points and keys.
 *
 * - `access-points`: per existing bucket, access points for each consumer account (more when
 *   one policy would pass its quota), admitting exactly the granted roles to the prefixes. The
 *   bucket and key policies stay the owner's: the plan holds the statements the owner adds once
 *   (the bucket's delegation to mlshare's access points; the consumer accounts' use of the key
 *   through S3, bound to the bucket, as for mlshare's own keys).
 * - `adopt`: mlshare manages the bucket policy (and the key policy): the current statements,
 *   verbatim, then mlshare's. A Sid both define, or a document over its quota, is an error.
 */
import { DatasetAccess, datasetAccesses, RoleRef } from "../config/grants";
import { TopologyError } from "../config/errors";
import { Account, accountOf, CurrentPolicy, Dataset, Topology } from "../config/model";
import * as naming from "../config/naming";
import { sseCDenyStatement, tlsDenyStatement, uploadEncryptionStatements } from "../policies/bucket-baseline";
import { documentJson, PolicyDocument, Statement } from "../policies/document";
import { kmsActions, S3_LIST, S3_READ_OBJECTS, S3_WRITE_OBJECTS } from "../policies/perms";
import { policySize, QUOTAS, QuotaKind } from "../policies/quotas";
import { AccessPointPlan, datasetsByName, grantStatements, planAccessPoints, RoleDatasetGrant } from "./data-plan";
import { bucketContext, consumerAccountStatements, KeyUse, s3ViaService } from "./key-plan";
import { admitRoles, groupBy } from "./principals";

/** An existing bucket holding datasets of one provider account, and how consumers reach it. */
export interface ExistingBucketPlan {
  readonly provider: Account;
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly mode: "access-points" | "adopt";
  readonly datasets: readonly Dataset[];
  readonly accesses: readonly DatasetAccess[];
  /** `access-points`: mlshare's access points on the bucket. */
  readonly accessPoints: readonly AccessPointPlan[];
  /** The access point of each `<role ARN> <dataset>` grant, in access-points mode. */
  readonly accessPointIndex: ReadonlyMap<string, AccessPointPlan>;
  /**
   * `access-points`: the statements the owner adds once to the bucket policy.
   * `adopt`: mlshare's statements, added after the current ones.
   */
  readonly statements: readonly Statement[];
  /** `adopt`: the bucket policy as it is today. */
  readonly current?: CurrentPolicy;
  /** `adopt`: the current policy had no TLS-only Deny, so mlshare adds one. */
  readonly tlsDenyAdded: boolean;
}

/** An existing key encrypting datasets of one provider account. */
export interface ExistingKeyPlan {
  readonly provider: Account;
  readonly keyArn: string;
  readonly mode: "access-points" | "adopt";
  readonly datasets: readonly Dataset[];
  /** The buckets whose objects the key encrypts (the encryption context binding). */
  readonly bucketArns: readonly string[];
  /** `access-points`: the owner's one-time statements; `adopt`: mlshare's, after the current ones. */
  readonly statements: readonly Statement[];
  /** `adopt`: the key policy as it is today. */
  readonly current?: CurrentPolicy;
}

/** Everything existing of one provider account. */
export interface ExistingPlan {
  readonly buckets: readonly ExistingBucketPlan[];
  readonly keys: readonly ExistingKeyPlan[];
}

/** The Sid prefix of every statement mlshare adds to a policy it adopts, so its own are easy to tell apart. */
export const ADOPTED_SID_PREFIX = "Mlshare";

/** The path of a dataset's `existing` in the topology, for errors. */
function existingPath(topology: Topology, dataset: Dataset): string {
  return `datasets[${topology.datasets.indexOf(dataset)}].existing`;
}

/** The role grants of bucket-policy accesses, one per (role, dataset). */
function roleGrants(accesses: readonly DatasetAccess[]): RoleDatasetGrant[] {
  return accesses.filter((a) => a.via === "bucket-policy").flatMap((a) => a.roles.map((role) => ({ role, dataset: a.dataset.name, access: a.access })));
}

/** A dataset name as a part of a Sid (letters and digits only). */
function sidPart(name: string): string {
  return name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join("");
}

/**
 * Whether a policy already denies every request not made over TLS on the bucket and its
 * objects: a Deny to everyone of `s3:*` (or `*`) whose only condition is aws:SecureTransport false.
 */
export function hasTlsDeny(statements: readonly Record<string, unknown>[], bucketArn: string): boolean {
  const list = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  return statements.some((s) => {
    const principal = s.Principal as { AWS?: unknown } | string | undefined;
    const everyone = principal === "*" || (typeof principal === "object" && list(principal?.AWS).includes("*"));
    const cond = (s.Condition ?? {}) as Record<string, Record<string, unknown>>;
    const ops = Object.keys(cond);
    const resources = list(s.Resource).map(String);
    return (
      s.Effect === "Deny" &&
      everyone &&
      list(s.Action).some((a) => a === "s3:*" || a === "*") &&
      ops.length === 1 &&
      ops[0] === "Bool" &&
      Object.keys(cond.Bool).length === 1 &&
      String(cond.Bool["aws:SecureTransport"]) === "false" &&
      resources.includes(bucketArn) &&
      (resources.includes(`${bucketArn}/*`) || resources.includes("*"))
    );
  });
}

/**
 * The JSON text of an adopted policy: the current document's Version and Id, its statements
 * verbatim, then mlshare's. Throws a TopologyError naming a Sid both define, or the sizes
 * when the whole document passes its quota.
 */
export function adoptedPolicyText(
  what: string,
  kind: Extract<QuotaKind, "bucket" | "key">,
  current: CurrentPolicy,
  added: readonly Statement[],
  errorPath: string,
): string {
  const checked = new PolicyDocument(`mlshare's statements of ${what}`, kind);
  for (const s of added) checked.add(s);
  const currentSids = new Set(current.document.Statement.map((s) => s.Sid).filter((s): s is string => typeof s === "string" && s !== ""));
  const clashes = added.filter((s) => currentSids.has(s.sid)).map((s) => s.sid);
  if (clashes.length) {
    throw new TopologyError(
      clashes.map((sid) => ({
        path: errorPath,
        message: `the Sid ${JSON.stringify(sid)} is defined both by the current ${what} (${current.file}) and by mlshare; rename it in the current policy (and in AWS) so each statement keeps its own Sid`,
      })),
    );
  }
  const doc = {
    Version: current.document.Version ?? "2012-10-17",
    ...(current.document.Id !== undefined ? { Id: current.document.Id } : {}),
    Statement: [...current.document.Statement, ...(documentJson(added).Statement as unknown[])],
  };
  const text = JSON.stringify(doc);
  const size = policySize(kind, text);
  const quota = QUOTAS[kind];
  if (size > quota.limit) {
    const currentSize = policySize(kind, JSON.stringify({ ...doc, Statement: current.document.Statement }));
    throw new TopologyError([
      {
        path: errorPath,
        message: `the adopted ${what} would be ${size} characters, over the ${quota.description} quota: the current statements (${current.file}) take ${currentSize} and mlshare's ${size - currentSize}; remove statements the bucket no longer needs, or use policies: access-points, whose grants live in access point policies`,
      },
    ]);
  }
  return terraformLiteral(text);
}

/**
 * A text as a literal string of Terraform's JSON syntax: `${` and `%{` (a current policy may
 * hold policy variables such as `${aws:username}`) doubled, so Terraform writes them as they
 * are instead of evaluating a template.
 */
export function terraformLiteral(text: string): string {
  // Replacement functions, not strings: in a replacement string "$$" means one "$".
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/**
 * Plans one provider account's existing buckets and keys. Access points are numbered per
 * consumer account across the account's existing buckets.
 */
export function planExisting(topology: Topology, provider: Account): ExistingPlan {
  const datasets = topology.datasets.filter((d) => d.account === provider.key && d.existing);
  const accesses = datasetAccesses(topology).filter((a) => a.provider.key === provider.key && a.dataset.existing);
  const used = new Map<string, number>();
  const next = (consumerKey: string) => {
    const n = (used.get(consumerKey) ?? 0) + 1;
    used.set(consumerKey, n);
    return n;
  };
  const buckets = [...groupBy(datasets, (d) => d.existing!.bucket).values()].map((ds) => planBucket(topology, provider, ds, accesses, next));
  const keyed = datasets.filter((d) => d.existing!.kmsKeyArn);
  const keys = [...groupBy(keyed, (d) => d.existing!.kmsKeyArn!).values()].map((ds) => planKey(topology, provider, ds, accesses));
  return { buckets, keys };
}

function planBucket(topology: Topology, provider: Account, datasets: readonly Dataset[], providerAccesses: readonly DatasetAccess[], next: (consumerKey: string) => number): ExistingBucketPlan {
  const first = datasets[0].existing!;
  const bucketName = first.bucket;
  const bucketArn = naming.bucketArn(provider.partition, bucketName);
  const names = new Set(datasets.map((d) => d.name));
  const accesses = providerAccesses.filter((a) => names.has(a.dataset.name));
  const byName = datasetsByName(datasets);
  const prefixOf = (name: string) => byName.get(name)!.existing!.prefix;
  const grants = roleGrants(accesses);
  const prefixObjects = datasets.map((d) => `${bucketArn}/${d.existing!.prefix}*`);
  const base = { provider, bucketName, bucketArn, mode: first.policies, datasets, accesses };

  if (first.policies === "adopt") {
    const current = first.currentPolicies!.bucket;
    const tlsDenyAdded = !hasTlsDeny(current.document.Statement, bucketArn);
    const statements: Statement[] = [
      ...grantStatements(topology, grants, bucketArn, false, `${ADOPTED_SID_PREFIX}Grant`, prefixOf),
      sseCDenyStatement(prefixObjects, `${ADOPTED_SID_PREFIX}DenySseCUploads`),
      ...datasets.flatMap((d) => uploadEncryptionStatements([`${bucketArn}/${d.existing!.prefix}*`], d.existing!.kmsKeyArn, `${ADOPTED_SID_PREFIX}${sidPart(d.name)}`)),
      ...(tlsDenyAdded ? [tlsDenyStatement(bucketArn, `${ADOPTED_SID_PREFIX}DenyInsecureTransport`)] : []),
    ];
    return { ...base, accessPoints: [], accessPointIndex: new Map(), statements, current, tlsDenyAdded };
  }

  // The access points refuse SSE-C uploads themselves: the bucket policy is not mlshare's.
  const accessPoints = planAccessPoints(
    topology,
    provider,
    grants,
    prefixOf,
    next,
    (consumer, n) => naming.existingAccessPointName(topology.project, consumer.id, n),
    (arn) => [
      sseCDenyStatement([`${arn}/object/*`]),
      ...datasets.flatMap((d) => uploadEncryptionStatements([`${arn}/object/${d.existing!.prefix}*`], d.existing!.kmsKeyArn, sidPart(d.name))),
    ],
  );
  const accessPointIndex = new Map<string, AccessPointPlan>();
  for (const ap of accessPoints) for (const g of ap.grants) accessPointIndex.set(`${g.role.roleArn} ${g.dataset}`, ap);
  const writes = grants.some((g) => g.access === "read-write");
  // Only mlshare's access points of this account, only to the datasets' prefixes: a new
  // dataset needs the owner again, a new role of a consumer account does not.
  const delegation: Statement = {
    sid: `${ADOPTED_SID_PREFIX}DelegateToAccessPoints`,
    effect: "Allow",
    principals: { any: true },
    actions: [...new Set([...S3_READ_OBJECTS, ...(writes ? S3_WRITE_OBJECTS : []), ...S3_LIST])],
    resources: [bucketArn, ...prefixObjects],
    conditions: {
      StringEquals: { "s3:DataAccessPointAccount": provider.id, "aws:PrincipalOrgID": topology.organization.id },
      ArnLike: { "s3:DataAccessPointArn": naming.accessPointArn(provider.partition, provider.region, provider.id, naming.existingAccessPointPattern(topology.project)) },
    },
  };
  return { ...base, accessPoints, accessPointIndex, statements: accesses.some((a) => a.via === "bucket-policy" && a.roles.length) ? [delegation] : [], tlsDenyAdded: false };
}

/**
 * The key statements of an existing key, in both modes: the consumer accounts' use through S3
 * as for mlshare's own keys (Principal "*" within the organization, `kms:CallerAccount` of the
 * granted accounts, `kms:ViaService` S3 in the key's region, the encryption context bound to
 * the key's buckets), so the statements grow with consumer accounts, not roles or datasets;
 * which roles may read stays with the access point (access-points) or bucket (adopt) policy,
 * which S3 checks before it calls KMS. Reader roles (provider account) are named exactly: the
 * key's current policy may not let the account's IAM policies use it.
 */
function planKey(topology: Topology, provider: Account, datasets: readonly Dataset[], providerAccesses: readonly DatasetAccess[]): ExistingKeyPlan {
  const first = datasets[0].existing!;
  const keyArn = first.kmsKeyArn!;
  const names = new Set(datasets.map((d) => d.name));
  const accesses = providerAccesses.filter((a) => names.has(a.dataset.name));
  const bucketArns = [...new Set(datasets.map((d) => naming.bucketArn(provider.partition, d.existing!.bucket)))].sort();
  const via = s3ViaService(provider.region);
  const uses: KeyUse[] = accesses.filter((a) => a.via === "bucket-policy").flatMap((a) => a.roles.map((role) => ({ role, access: a.access })));
  const out: Statement[] = consumerAccountStatements(topology, provider, uses, bucketArns).map((s) => ({ ...s, sid: `${ADOPTED_SID_PREFIX}${s.sid}` }));
  for (const access of ["read", "read-write"] as const) {
    // Reader roles (via: assume-role) live in the provider account; named exactly in both modes.
    const readers = unique(accesses.filter((a) => a.access === access && a.via === "assume-role" && a.roles.length).map((a) => a.readerRole!));
    if (readers.length) {
      const who = admitRoles(topology, readers, { StringEquals: { "kms:ViaService": via, "kms:CallerAccount": provider.id }, ...bucketContext(bucketArns) });
      out.push({
        sid: `${ADOPTED_SID_PREFIX}${access === "read" ? "ReaderRolesDecryptThroughS3" : "ReaderRolesReadWriteThroughS3"}`,
        effect: "Allow",
        principals: who.principals,
        actions: kmsActions(access),
        resources: ["*"],
        conditions: who.conditions,
      });
    }
  }
  return { provider, keyArn, mode: first.policies, datasets, bucketArns, statements: out, ...(first.currentPolicies?.key ? { current: first.currentPolicies.key } : {}) };
}

function unique(roles: readonly RoleRef[]): RoleRef[] {
  return roles.filter((r, i) => roles.findIndex((x) => x.roleArn === r.roleArn) === i);
}

const plans = new WeakMap<Topology, Map<string, ExistingPlan>>();

/** The existing plan of a provider account, computed once per topology. */
export function existingPlanOf(topology: Topology, providerKey: string): ExistingPlan {
  let byProvider = plans.get(topology);
  if (!byProvider) plans.set(topology, (byProvider = new Map()));
  let found = byProvider.get(providerKey);
  if (!found) byProvider.set(providerKey, (found = planExisting(topology, accountOf(topology, providerKey))));
  return found;
}

/** The plan of the existing bucket holding a dataset. */
export function existingBucketPlanFor(topology: Topology, dataset: Dataset): ExistingBucketPlan {
  const plan = existingPlanOf(topology, dataset.account).buckets.find((b) => b.datasets.includes(dataset));
  if (!plan) throw new Error(`internal: no existing bucket plan holds dataset ${dataset.name}`);
  return plan;
}

/** The owner's one-time statements (access-points mode) as a policy document, ready to merge. */
export function ownerStatementsJson(statements: readonly Statement[]): string {
  return JSON.stringify(documentJson(statements), null, 2);
}

/** The path of a dataset's `existing`, for messages of the constructs. */
export { existingPath };
