/**
 * Key policies of the keys that encrypt shared data: the owning account administers the key
 * and uses it through S3; consumer roles get only what their grants need, only through S3
 * in the key's region, only from their own accounts, and only for the bucket the key
 * encrypts (the encryption context S3 sends).
 */
import { RoleRef } from "../config/grants";
import { Account, Topology } from "../config/model";
import { accountRootArn, regionalServiceHost } from "../config/naming";
import { Statement } from "../policies/document";
import { Conditions } from "../policies/document";
import { KMS_ADMIN, KMS_CREATE_GRANT, kmsActions, KMS_USE_VIA_S3 } from "../policies/perms";
import { accountIdsOf, admitRoles, groupBy } from "./principals";

/** A role's use of a key at an access level. */
export interface KeyUse {
  readonly role: RoleRef;
  readonly access: "read" | "read-write";
}

/** The service S3 calls KMS as, in a region. */
export function s3ViaService(region: string): string {
  return regionalServiceHost("s3", region);
}

/** The encryption context key in which S3 names the bucket (or object) a KMS request is for. */
export const S3_CONTEXT_KEY = "kms:EncryptionContext:aws:s3:arn";

/**
 * Binds key use to buckets: S3 sends the bucket's ARN as encryption context when the bucket
 * uses S3 Bucket Keys (every bucket mlshare makes), and the object's ARN for an object written
 * without one (a request that turns bucket keys off); both stay inside the bucket.
 */
export function bucketContext(bucketArns: readonly string[]): Conditions {
  return { StringLike: { [S3_CONTEXT_KEY]: [...new Set(bucketArns)].sort().flatMap((b) => [b, `${b}/*`]) } };
}

/**
 * The statements of a key policy owned by `owner`, encrypting the buckets `bucketArns`, and
 * used by `uses` (other accounts' roles).
 */
export function keyPolicyStatements(topology: Topology, owner: Account, uses: readonly KeyUse[], bucketArns: readonly string[]): Statement[] {
  const root = accountRootArn(owner.partition, owner.id);
  const via = s3ViaService(owner.region);
  const out: Statement[] = [
    {
      sid: "AccountAdministersKey",
      effect: "Allow",
      principals: { AWS: [root] },
      actions: [...KMS_ADMIN],
      resources: ["*"],
    },
    {
      // Grants let their grantee use the key without the conditions below; only an AWS
      // service making a grant for a resource of the account (an EBS volume, say) may.
      sid: "AccountGrantsForAwsResources",
      effect: "Allow",
      principals: { AWS: [root] },
      actions: [...KMS_CREATE_GRANT],
      resources: ["*"],
      conditions: { Bool: { "kms:GrantIsForAWSResource": true } },
    },
    {
      sid: "AccountUsesKeyThroughS3",
      effect: "Allow",
      principals: { AWS: [root] },
      actions: [...KMS_USE_VIA_S3],
      resources: ["*"],
      conditions: { StringEquals: { "kms:ViaService": via, "kms:CallerAccount": owner.id } },
    },
  ];
  const byAccess = groupBy(
    uses.filter((u) => u.role.account !== owner.key),
    (u) => u.access,
  );
  for (const access of ["read", "read-write"] as const) {
    const roles = byAccess.get(access)?.map((u) => u.role) ?? [];
    const unique = roles.filter((r, i) => roles.findIndex((x) => x.roleArn === r.roleArn) === i);
    if (!unique.length) continue;
    const who = admitRoles(topology, unique, {
      StringEquals: { "kms:ViaService": via, "kms:CallerAccount": accountIdsOf(topology, unique) },
      ...bucketContext(bucketArns),
    });
    out.push({
      sid: access === "read" ? "ConsumersDecryptThroughS3" : "ConsumersReadWriteThroughS3",
      effect: "Allow",
      principals: who.principals,
      actions: kmsActions(access),
      resources: ["*"],
      conditions: who.conditions,
    });
  }
  return out;
}
