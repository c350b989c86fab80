import { Rule } from "../rule";
import { attachedTo, firstBlock, isAccessLogTarget } from "../s3-helpers";

/** Every bucket encrypts with SSE-KMS and bucket keys (access log targets: SSE-S3, which is all S3 logging supports). */
export const S3KmsEncrypted: Rule = {
  id: "S3_KMS_ENCRYPTED",
  severity: "high",
  info: "The bucket encrypts objects by default with SSE-KMS and bucket keys.",
  explanation:
    "A KMS key policy is a second gate on the data: a bucket policy mistake alone does not expose it. " +
    "Server access log targets are exempt to SSE-S3, since S3 cannot deliver logs to SSE-KMS buckets.",
  check(e) {
    if (e.kind !== "resource" || e.type !== "aws_s3_bucket") return "not-applicable";
    const rules = attachedTo(e, "aws_s3_bucket_server_side_encryption_configuration").map((c) => firstBlock(c.rule));
    const kms = rules.some(
      (r) => firstBlock(r?.apply_server_side_encryption_by_default)?.sse_algorithm === "aws:kms" && r?.bucket_key_enabled === true,
    );
    if (kms) return "compliant";
    const sseS3 = rules.some((r) => firstBlock(r?.apply_server_side_encryption_by_default)?.sse_algorithm === "AES256");
    return sseS3 && isAccessLogTarget(e) ? "compliant" : "non-compliant";
  },
};
