/**
 * Key policies of the keys that encrypt shared data: the owning account administers the key
 * and uses it through S3; consumer accounts of the organization use it only through S3 in
 * the key's region, only for the bucket the key encrypts (the encryption context S3 sends),
 * and only at the access level some grant gives the account.
 *
 * Which roles of a consumer account may read which dataset is decided by the bucket or
 * access point policy, which names the roles: S3 checks it before it calls KMS, and KMS
 * answers only requests S3 makes (`kms:ViaService`) for this key's bucket. So the key policy
 * names accounts, never roles: it grows with the consumer accounts (15 characters each), not
 * with roles x accounts, and never with datasets.
 */
import { RoleRef } from "../config/grants";
import { Account, accountsByKey, Topology } from "../config/model";
import { accountRootArn, regionalServiceHost } from "../config/naming";
import { Statement } from "../policies/document";
import { Conditions } from "../policies/document";
import { KMS_ADMIN, KMS_CREATE_GRANT, kmsActions, KMS_USE_VIA_S3 } from "../policies/perms";
import { QuotaError, QUOTAS, policySize } from "../policies/quotas";
import { documentJson } from "../policies/document";

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
  out.push(...consumerAccountStatements(topology, owner, uses, bucketArns));
  return out;
}

/**
 * The consumer accounts' statements: principal "*" narrowed to the organization
 * (`aws:PrincipalOrgID`), to the granted accounts (`kms:CallerAccount`), to requests S3
 * makes in the key's region (`kms:ViaService`) and to the key's buckets (the encryption
 * context). An account with a read-write grant is listed once, in the read-write statement
 * (whose actions include Decrypt); the read statement lists the others.
 */
export function consumerAccountStatements(topology: Topology, owner: Account, uses: readonly KeyUse[], bucketArns: readonly string[]): Statement[] {
  const accounts = accountsByKey(topology);
  const writers = new Set<string>();
  const readers = new Set<string>();
  for (const u of uses) {
    if (u.role.account === owner.key) continue;
    (u.access === "read-write" ? writers : readers).add(accounts.get(u.role.account)?.id as string);
  }
  for (const id of writers) readers.delete(id);
  const via = s3ViaService(owner.region);
  const out: Statement[] = [];
  for (const [access, accounts] of [["read", readers], ["read-write", writers]] as const) {
    if (!accounts.size) continue;
    out.push({
      sid: access === "read" ? "ConsumerAccountsDecryptThroughS3" : "ConsumerAccountsReadWriteThroughS3",
      effect: "Allow",
      principals: { any: true },
      actions: kmsActions(access),
      resources: ["*"],
      conditions: {
        StringEquals: { "kms:ViaService": via, "kms:CallerAccount": [...accounts].sort(), "aws:PrincipalOrgID": topology.organization.id },
        ...bucketContext(bucketArns),
      },
    });
  }
  return out;
}

/** The characters one more consumer account adds to a key policy (`"123456789012",`). */
export const KEY_POLICY_CHARS_PER_ACCOUNT = 15;

/**
 * Checks a key policy's statements against the KMS key policy quota, which AWS does not
 * raise; the error says how many consumer accounts the key can serve, and what to change.
 */
export function assertKeyPolicyFits(name: string, statements: readonly Statement[], consumerAccounts: number): void {
  const size = policySize("key", JSON.stringify(documentJson(statements)));
  const limit = QUOTAS.key.limit;
  if (size <= limit) return;
  const fixed = size - consumerAccounts * KEY_POLICY_CHARS_PER_ACCOUNT;
  const most = Math.max(0, Math.floor((limit - fixed) / KEY_POLICY_CHARS_PER_ACCOUNT));
  throw new QuotaError(
    name,
    size,
    QUOTAS.key,
    limit,
    `it lists ${consumerAccounts} consumer accounts (${KEY_POLICY_CHARS_PER_ACCOUNT} characters each) and can list about ${most}: share these datasets with at most ${most} consumer accounts from this provider account, or provide the datasets of the other accounts from a second provider account`,
  );
}
