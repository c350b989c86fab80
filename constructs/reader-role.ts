import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import { DatasetAccess } from "../config/grants";
import { Account, Topology } from "../config/model";
import { Statement } from "../policies/document";
import { PolicyDocument } from "../policies/document";
import { kmsActions, S3_LIST, s3ObjectActions, STS_ASSUME } from "../policies/perms";
import { assertWithinQuota } from "../policies/quotas";
import { datasetListPrefix, datasetObjectsArn } from "../sharing/data-plan";
import { bucketContext, s3ViaService } from "../sharing/key-plan";
import { admitRoles, groupBy } from "../sharing/principals";
import { RoleGrants } from "./role-grants";

/** Where a reader role reads one dataset: the bucket, the dataset's prefix in it, and the key (none for SSE-S3). */
export interface ReaderTarget {
  readonly bucketArn: string;
  /** The dataset's key prefix ("" for a bucket of its own). */
  readonly prefix: string;
  /** The key's ARN (a reference for a key of the stack); undefined when the data is SSE-S3. */
  readonly keyArn?: string;
  /** The bucket's region (kms:ViaService). */
  readonly region: string;
}

/** One dataset grant through a reader role (via: assume-role), and where its data is. */
export interface ReaderGrant {
  readonly access: DatasetAccess;
  readonly target: ReaderTarget;
}

/**
 * The identity statements of a reader role: per bucket its datasets' objects and their
 * listing, per key its use through S3 for those buckets only. Nothing else: a role reads
 * exactly the datasets of its grants.
 */
export function readerStatements(grants: readonly ReaderGrant[]): Statement[] {
  const access = grants[0].access.access;
  const out: Statement[] = [];
  let n = 0;
  for (const targets of groupBy(
    grants.map((g) => g.target),
    (t) => t.bucketArn,
  ).values()) {
    n++;
    const bucketArn = targets[0].bucketArn;
    const prefixes = [...new Set(targets.map((t) => t.prefix))].sort();
    out.push({ sid: `DatasetObjects${n}`, effect: "Allow", actions: s3ObjectActions(access), resources: prefixes.map((p) => datasetObjectsArn(bucketArn, false, p)) });
    const list = prefixes.map((p) => datasetListPrefix(p));
    out.push({
      sid: `ListDatasets${n}`,
      effect: "Allow",
      actions: [...S3_LIST],
      resources: [bucketArn],
      // A dataset with a bucket of its own is listed whole; the others by their prefix.
      ...(list.includes(undefined) ? {} : { conditions: { StringLike: { "s3:prefix": list as string[] } } }),
    });
  }
  let k = 0;
  for (const targets of groupBy(
    grants.map((g) => g.target).filter((t) => t.keyArn),
    (t) => `${t.keyArn} ${t.region}`,
  ).values()) {
    k++;
    const buckets = [...new Set(targets.map((t) => t.bucketArn))].sort();
    out.push({
      sid: `DatasetKey${k}`,
      effect: "Allow",
      actions: kmsActions(access),
      resources: [targets[0].keyArn!],
      conditions: { StringEquals: { "kms:ViaService": s3ViaService(targets[0].region) }, ...bucketContext(buckets) },
    });
  }
  return out;
}

/**
 * The reader roles a provider account makes (via: assume-role): one per distinct (consumer
 * account, granted roles, access), trusted by exactly those roles with the external id that
 * names the grant, reading (or writing) only the datasets granted to exactly those roles with
 * that access, and using their keys only through S3 for their buckets. A role that may assume
 * a reader role was granted every dataset it reads.
 */
export function readerRoles(scope: Construct, topology: Topology, account: Account, provider: AwsProvider, grants: readonly ReaderGrant[]): void {
  const groups = groupBy(
    grants.filter((g) => g.access.via === "assume-role" && g.access.roles.length),
    (g) => g.access.readerRole!.roleArn,
  );
  const made = new Map<string, IamRole>();
  const roles = [...groups.values()].map((members) => {
    const first = members[0].access;
    const reader = first.readerRole!;
    const who = admitRoles(topology, first.roles, { StringEquals: { "sts:ExternalId": reader.externalId } });
    const trust = new PolicyDocument(`trust policy of ${reader.roleName}`, "trust").add({
      sid: "GrantedConsumerRolesAssume",
      effect: "Allow",
      principals: who.principals,
      actions: [...STS_ASSUME],
      conditions: who.conditions,
    });
    assertWithinQuota("trust", trust.name, trust.toString());
    const datasets = [...new Set(members.map((m) => m.access.dataset.name))];
    const description = `mlshare: ${first.access} of ${datasets.length} dataset(s) for ${first.consumer.key} roles ${first.roles.map((r) => r.roleName).join(", ")}`;
    made.set(
      reader.roleName,
      new IamRole(scope, `ReaderRole-${reader.roleName}`, {
        provider,
        name: reader.roleName,
        // IAM's limit on a description is 1,000 characters.
        description: description.length <= 1000 ? description : `${description.slice(0, 997)}...`,
        assumeRolePolicy: trust.toString(),
        maxSessionDuration: 3600,
      }),
    );
    return { role: reader, statements: readerStatements(members) };
  });
  if (roles.length) new RoleGrants(scope, "ReaderRoleGrants", { provider, account, project: topology.project, roles, roleName: (n) => made.get(n)!.name });
}
