import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import { DatasetAccess } from "../config/grants";
import { Topology } from "../config/model";
import * as naming from "../config/naming";
import { PolicyDocument } from "../policies/document";
import { kmsActions, S3_LIST, s3ObjectActions, STS_ASSUME } from "../policies/perms";
import { assertWithinQuota } from "../policies/quotas";
import { datasetListPrefix, datasetObjectsArn } from "../sharing/data-plan";
import { bucketContext, s3ViaService } from "../sharing/key-plan";
import { admitRoles } from "../sharing/principals";

/** Where a reader role reads: the bucket, the dataset's prefix in it, and the key (none for SSE-S3). */
export interface ReaderTarget {
  readonly bucketArn: string;
  /** The dataset's key prefix ("" for a bucket of its own). */
  readonly prefix: string;
  /** The key's ARN (a reference for a key of the stack); undefined when the data is SSE-S3. */
  readonly keyArn?: string;
  /** The bucket's region (kms:ViaService). */
  readonly region: string;
}

/**
 * The reader role a provider account makes for one consumer of one dataset (via:
 * assume-role): trusted by exactly the granted roles with the consumer's external id, reading
 * (or writing) only the dataset's prefix, and using its key only through S3 for that bucket.
 * Returns the role's ARN.
 */
export function readerRole(scope: Construct, topology: Topology, provider: AwsProvider, access: DatasetAccess, target: ReaderTarget): string {
  const reader = access.readerRole!;
  const who = admitRoles(topology, access.roles, { StringEquals: { "sts:ExternalId": reader.externalId } });
  const trust = new PolicyDocument(`trust policy of ${reader.roleName}`, "trust").add({
    sid: "GrantedConsumerRolesAssume",
    effect: "Allow",
    principals: who.principals,
    actions: [...STS_ASSUME],
    conditions: who.conditions,
  });
  assertWithinQuota("trust", trust.name, trust.toString());
  const role = new IamRole(scope, `ReaderRole-${access.dataset.name}-${access.consumer.key}`, {
    provider,
    name: reader.roleName,
    description: `mlshare: ${access.access} dataset ${access.dataset.name} for ${access.consumer.key}`,
    assumeRolePolicy: trust.toString(),
    maxSessionDuration: 3600,
  });
  const listPrefix = datasetListPrefix(target.prefix);
  const permissions = new PolicyDocument(`identity policy of ${reader.roleName}`, "identity")
    .add({
      sid: "DatasetObjects",
      effect: "Allow",
      actions: s3ObjectActions(access.access),
      resources: [datasetObjectsArn(target.bucketArn, false, target.prefix)],
    })
    .add({
      sid: "ListDataset",
      effect: "Allow",
      actions: [...S3_LIST],
      resources: [target.bucketArn],
      ...(listPrefix ? { conditions: { StringLike: { "s3:prefix": [listPrefix] } } } : {}),
    });
  if (target.keyArn) {
    permissions.add({
      sid: "DatasetKey",
      effect: "Allow",
      actions: kmsActions(access.access),
      resources: [target.keyArn],
      conditions: { StringEquals: { "kms:ViaService": s3ViaService(target.region) }, ...bucketContext([target.bucketArn]) },
    });
  }
  assertWithinQuota("role-inline", permissions.name, permissions.toString());
  new IamRolePolicy(scope, `ReaderPolicy-${access.dataset.name}-${access.consumer.key}`, {
    provider,
    name: naming.grantInlinePolicyName(topology.project),
    role: role.name,
    policy: permissions.toString(),
  });
  return reader.roleArn;
}
