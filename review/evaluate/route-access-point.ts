/**
 * The route through an access point: the request against the access point (identity policy
 * and access point policy), the bucket policy's check of the same request (delegation by
 * `s3:DataAccessPointAccount`), then the KMS request S3 makes (review/evaluate/s3-kms.ts).
 */
import { CollectedBucket } from "../collect";
import { accessPointContext, s3ContextOf } from "./context";
import { named } from "./policies";
import type { AccessEvaluator } from "./access";
import { bucketResourceOf } from "./route-direct";
import { kmsStepOfS3 } from "./s3-kms";
import { ACCESS_POINT_DELEGATION_KEYS, NamedPolicy, RouteResult, S3AccessRequest, SingleRequest, StepResult } from "./types";

/** Evaluates a data request through an access point: every request it takes, up to the first denied. */
export async function accessPointRoute(ev: AccessEvaluator, req: S3AccessRequest, arn: string): Promise<RouteResult> {
  const route = { kind: "access-point", arn } as const;
  const bucket = ev.bucket(req.bucket);
  const ap = ev.accessPoint(arn);
  const steps: StepResult[] = [];
  const done = (allowed: boolean): RouteResult => ({ route, allowed, steps });
  const listing = req.action === "s3:ListBucket";
  const bucketResource = bucketResourceOf(bucket.arn, req);
  const base = { principalArn: req.principalArn, action: req.action, resourceAccountId: ap.accountId, secureTransport: req.secureTransport, context: { ...s3ContextOf(req), ...accessPointContext(ap) } };
  const atAccessPoint = await ev.evaluate({ ...base, step: "s3", resourceArn: listing ? ap.arn : `${ap.arn}/object/${req.key}`, resourcePolicy: named(ap.policy) });
  steps.push(atAccessPoint);
  if (atAccessPoint.decision !== "Allowed") return done(false);
  const atBucket = await bucketCheckOfAccessPointRequest(ev, { ...base, step: "s3-bucket", resourceArn: bucketResource, resourceAccountId: bucket.accountId }, bucket);
  steps.push(atBucket);
  if (atBucket.decision !== "Allowed") return done(false);
  const kms = await kmsStepOfS3(ev, req, bucket);
  if (kms) steps.push(kms);
  return done(!kms || kms.decision === "Allowed");
}

/** The identity side of the bucket's check, per action: decided at the access point already. */
const authorizedAtAccessPoint = new Map<string, NamedPolicy>();

/**
 * The bucket policy's check of a request made through an access point. S3 evaluates the
 * bucket policy for it with the access point keys set; iam-data does not list those keys
 * for bucket resources, so only they are exempt from the ignored-key check. The identity
 * side was decided at the access point; here only the bucket policy (and RCPs) speak.
 */
async function bucketCheckOfAccessPointRequest(ev: AccessEvaluator, req: SingleRequest, bucket: CollectedBucket): Promise<StepResult> {
  let identity = authorizedAtAccessPoint.get(req.action);
  if (!identity) {
    identity = { name: "(identity authorized at the access point)", document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: req.action, Resource: "*" }] } };
    authorizedAtAccessPoint.set(req.action, identity);
  }
  return ev.evaluateWith({ ...req, resourcePolicy: named(bucket.policy) }, { identity: [identity], reportIdentity: false, scp: false, exemptKeys: ACCESS_POINT_DELEGATION_KEYS });
}
