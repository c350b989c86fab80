/**
 * The direct route to a bucket's data: the S3 request against the bucket (the caller's
 * identity policy and the bucket policy, with SCPs and RCPs), then the KMS request S3 makes
 * on the caller's behalf (review/evaluate/s3-kms.ts).
 */
import { s3ContextOf } from "./context";
import { named } from "./policies";
import type { AccessEvaluator } from "./access";
import { kmsStepOfS3 } from "./s3-kms";
import { RouteResult, S3AccessRequest, SimulationError, StepResult } from "./types";

/** The object or bucket ARN a data request names. */
export function bucketResourceOf(bucketArn: string, req: S3AccessRequest): string {
  const listing = req.action === "s3:ListBucket";
  if (!listing && req.key === undefined) throw new SimulationError(`${req.action} needs an object key`, req);
  return listing ? bucketArn : `${bucketArn}/${req.key}`;
}

/** Evaluates a data request straight to the bucket: every request it takes, up to the first denied. */
export async function directRoute(ev: AccessEvaluator, req: S3AccessRequest): Promise<RouteResult> {
  const route = { kind: "bucket" } as const;
  const bucket = ev.bucket(req.bucket);
  const steps: StepResult[] = [];
  const s3 = await ev.evaluate({
    step: "s3",
    principalArn: req.principalArn,
    action: req.action,
    resourceArn: bucketResourceOf(bucket.arn, req),
    resourceAccountId: bucket.accountId,
    resourcePolicy: named(bucket.policy),
    secureTransport: req.secureTransport,
    context: s3ContextOf(req),
  });
  steps.push(s3);
  if (s3.decision !== "Allowed") return { route, allowed: false, steps };
  const kms = await kmsStepOfS3(ev, req, bucket);
  if (kms) steps.push(kms);
  return { route, allowed: !kms || kms.decision === "Allowed", steps };
}
