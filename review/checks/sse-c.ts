/**
 * SSE-C: a bucket policy must refuse uploads encrypted with a customer-provided key
 * (`s3:x-amz-server-side-encryption-customer-algorithm` set). Such an object is encrypted
 * with a key neither the bucket's owner nor its other readers hold, so any writer could
 * replace current versions with data nobody else can read. Each bucket the stacks make is
 * asked, for its root and every shared prefix in it, as principals allowed to write there
 * (the writers of the access matrix, over every route, and an administrator of the bucket's
 * account, straight to the bucket: a request through an access point meets the same bucket
 * policy): the upload must not get past S3.
 */
import { Collection } from "../collect";
import { AccessEvaluator } from "../evaluate";
import { acceptedByS3, decidingSteps, SAMPLE_OBJECT, statementsInWords } from "../matrix";
import { ReviewFinding, SharedResource } from "../model";
import { PrincipalSet } from "../principals";
import { SharedData, SharedTarget } from "../shared";

/** The SSE-C findings: one per bucket that accepts such an upload. */
export async function checkSseC(ev: AccessEvaluator, collection: Collection, targets: readonly SharedTarget[], matrix: readonly SharedResource[], principals: PrincipalSet): Promise<ReviewFinding[]> {
  const findings: ReviewFinding[] = [];
  const data = targets.filter((t): t is SharedData => t.kind === "dataset" || t.kind === "model-artifacts");
  for (const bucket of collection.buckets) {
    if (!bucket.address) continue;
    const where = `${bucket.stack}/${bucket.address}`;
    const mine = data.filter((t) => t.bucket === bucket.name);
    const admin = principals.anyOtherRole.get(bucket.accountId);
    const asked: { prefix: string; arns: string[] }[] = [
      ...mine.map((t) => ({ prefix: t.prefix, arns: (matrix.find((r) => r.id === t.id)?.access.write ?? []).map((g) => g.arn) })),
      { prefix: "", arns: [] },
    ].map((q) => ({ ...q, arns: [...q.arns, ...(admin ? [admin.arn] : [])] }));
    const direct = { kind: "bucket" } as const;
    probe: for (const { prefix, arns } of asked) {
      for (const arn of arns) {
        try {
          const r = await ev.s3({ principalArn: arn, action: "s3:PutObject", bucket: bucket.name, key: `${prefix}${SAMPLE_OBJECT}`, encryption: { customerAlgorithm: "AES256" }, ...(arn === admin?.arn ? { via: direct } : {}) });
          const steps = acceptedByS3(r);
          if (!steps) continue;
          findings.push({
            id: `access:S3_SSE_C_ACCEPTED:${where}`,
            source: "access",
            severity: "medium",
            rule: "S3_SSE_C_ACCEPTED",
            resource: where,
            what: `bucket ${bucket.name} accepts s3:PutObject with a customer-provided key (SSE-C) on ${prefix ? `${prefix}*` : "its objects"}, asked as ${principals.labelOf(arn)} (${statementsInWords(decidingSteps(steps))})`,
            why: "An object written with SSE-C is encrypted with a key neither the owner nor the other readers hold: a writer can overwrite current versions with data nobody else can read. The bucket policy must deny s3:PutObject when s3:x-amz-server-side-encryption-customer-algorithm is present.",
          });
          break probe;
        } catch (e) {
          findings.push({
            id: `evaluation:EVALUATION_ERROR:${where}:sse-c`,
            source: "evaluation",
            severity: "high",
            rule: "EVALUATION_ERROR",
            resource: where,
            what: `could not evaluate an SSE-C upload to ${bucket.name}: ${e instanceof Error ? e.message : String(e)}`,
            why: "The review cannot vouch for access it cannot evaluate.",
          });
          break probe;
        }
      }
    }
  }
  return findings;
}
