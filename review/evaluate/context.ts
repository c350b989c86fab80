/**
 * The request context: the keys AWS sets on every signed request of a role, the S3 keys of a
 * data request and of a request through an access point, the KMS keys of the request S3
 * makes on the caller's behalf, and how context values are typed and compared for memo keys.
 */
import { isConditionKeyArray, typeForContextKey } from "@cloud-copilot/iam-simulate";
import { CollectedAccessPoint } from "../collect";
import { ContextIndex } from "../statements";
import { ContextValues, S3AccessRequest } from "./types";

/**
 * The global keys of a role's request: `aws:PrincipalArn`, `aws:PrincipalAccount`,
 * `aws:PrincipalType`, `aws:SecureTransport`, `aws:PrincipalIsAWSService`,
 * `aws:ViaAWSService`, and `aws:PrincipalOrgID` for an account of an organization.
 */
export function principalKeys(roleArn: string, accountId: string, orgId: string | undefined, secureTransport: boolean, viaAwsService: boolean): Record<string, string | readonly string[]> {
  const ctx: Record<string, string | readonly string[]> = {
    "aws:PrincipalArn": roleArn,
    "aws:PrincipalAccount": accountId,
    "aws:PrincipalType": "AssumedRole",
    "aws:SecureTransport": String(secureTransport),
    "aws:PrincipalIsAWSService": "false",
    "aws:ViaAWSService": String(viaAwsService),
  };
  if (orgId) ctx["aws:PrincipalOrgID"] = orgId;
  return ctx;
}

/** The S3 context keys of a data request: the listing prefix, a PutObject's encryption headers. */
export function s3ContextOf(req: S3AccessRequest): Record<string, string> {
  const out: Record<string, string> = {};
  if (req.action === "s3:ListBucket" && req.prefix !== undefined) out["s3:prefix"] = req.prefix;
  if (req.action === "s3:PutObject") {
    if (req.encryption?.algorithm) out["s3:x-amz-server-side-encryption"] = req.encryption.algorithm;
    if (req.encryption?.kmsKeyId) out["s3:x-amz-server-side-encryption-aws-kms-key-id"] = req.encryption.kmsKeyId;
    if (req.encryption?.customerAlgorithm) out["s3:x-amz-server-side-encryption-customer-algorithm"] = req.encryption.customerAlgorithm;
  }
  return out;
}

/** The S3 keys {@link s3ContextOf} may set for an action, lower case: what differs between requests of one kind. */
export function s3RequestKeys(action: string): ReadonlySet<string> {
  if (action === "s3:ListBucket") return LISTING_KEYS;
  if (action === "s3:PutObject") return UPLOAD_KEYS;
  return NO_KEYS;
}

const LISTING_KEYS: ReadonlySet<string> = new Set(["s3:prefix"]);
const UPLOAD_KEYS: ReadonlySet<string> = new Set(["s3:x-amz-server-side-encryption", "s3:x-amz-server-side-encryption-aws-kms-key-id", "s3:x-amz-server-side-encryption-customer-algorithm"]);
const NO_KEYS: ReadonlySet<string> = new Set();

/** The keys S3 sets on a request made through an access point. */
export function accessPointContext(ap: CollectedAccessPoint): Record<string, string> {
  return { "s3:DataAccessPointAccount": ap.accountId, "s3:DataAccessPointArn": ap.arn, "s3:AccessPointNetworkOrigin": "Internet" };
}

/** A context index with more keys. */
export function withKeys(base: ContextIndex, more: Record<string, string>): ContextIndex {
  const m = new Map(base);
  for (const [k, v] of Object.entries(more)) m.set(k.toLowerCase(), v);
  return m;
}


/**
 * The part of a request context that can change an answer: the global `aws:` keys, and the
 * other keys that a relevant statement's conditions read.
 */
export function contextKey(context: ContextValues, reads: ReadonlySet<string>): [string, string | readonly string[]][] {
  return Object.keys(context)
    .filter((k) => {
      const lower = k.toLowerCase();
      return lower.startsWith("aws:") || reads.has(lower);
    })
    .sort()
    .map((k) => [k, context[k]]);
}

/**
 * The shape of a resource ARN: for S3, the kind of resource (bucket, object, access point,
 * object through an access point) and, with `named`, the bucket or access point; for other
 * services the ARN itself. Requests on resources of one shape have the same resource type and
 * context keys, and, when every relevant statement matched exactly, the same answer.
 */
export function resourceShape(arn: string, named: boolean): string {
  const ap = /^arn:([^:]+):s3:([^:]*):(\d{12}):accesspoint\/([^/]+)(\/object\/.*)?$/s.exec(arn);
  if (ap) return `s3-${ap[5] ? "ap-object" : "ap"}${named ? `:${ap[1]}:${ap[2]}:${ap[3]}:${ap[4]}` : ""}`;
  const s3 = /^arn:([^:]+):s3:::([^/]+)(\/.*)?$/s.exec(arn);
  if (s3) return `s3-${s3[3] ? "object" : "bucket"}${named ? `:${s3[1]}:${s3[2]}` : ""}`;
  return arn;
}

/** Types context values as the simulator does: multi-valued keys as lists, others as one value (key types looked up once). */
export class ContextTypes {
  private readonly multi = new Map<string, boolean>();

  /** Context values typed as the simulator types them. */
  async normalize(context: ContextValues): Promise<ContextValues> {
    const out: Record<string, string | readonly string[]> = {};
    for (const [k, v] of Object.entries(context)) {
      const lower = k.toLowerCase();
      let multi = this.multi.get(lower);
      if (multi === undefined) {
        try {
          multi = isConditionKeyArray(await typeForContextKey(lower));
        } catch {
          multi = Array.isArray(v);
        }
        this.multi.set(lower, multi);
      }
      out[k] = multi ? [v].flat() : Array.isArray(v) ? (v as readonly string[])[0] : v;
    }
    return out;
  }
}
