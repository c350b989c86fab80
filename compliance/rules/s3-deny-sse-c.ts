import { Rule } from "../rule";
import { asList, bucketHandles, bucketPolicyOf } from "../s3-helpers";

/** The condition key S3 sets on an upload with a customer-provided key (IAM compares key names case-insensitively). */
const SSE_C_KEY = "s3:x-amz-server-side-encryption-customer-algorithm";

/** Every bucket's policy denies uploads with a customer-provided key (SSE-C), on all its objects. */
export const S3DenySseC: Rule = {
  id: "S3_DENY_SSE_C",
  severity: "medium",
  info: "The bucket policy denies s3:PutObject with a customer-provided key (SSE-C) on all objects.",
  explanation:
    "An object encrypted with a key only its writer holds cannot be read by the owner or any other grantee, and a " +
    "writer overwriting current versions that way destroys the data for everyone; the KMS upload Deny does not see " +
    "SSE-C requests. hashicorp/aws 5.100.0 cannot set S3's BlockedEncryptionTypes, so the bucket policy must.",
  check(e) {
    if (e.kind !== "resource" || e.type !== "aws_s3_bucket") return "not-applicable";
    const doc = bucketPolicyOf(e);
    // The bucket's objects as a literal ARN of any partition, or through the resource's reference.
    const objects = new Set([`\${${e.type}.${e.name}.arn}/*`]);
    for (const h of bucketHandles(e)) if (!h.startsWith("${")) for (const p of ["aws", "aws-cn", "aws-us-gov"]) objects.add(`arn:${p}:s3:::${h}/*`);
    const ok = asList(doc?.Statement).some((raw) => {
      const s = raw as Record<string, any>;
      const actions = asList(s.Action).map(String);
      const condition = s.Condition ?? {};
      const operators = Object.keys(condition);
      const keys = operators.length === 1 && operators[0] === "Null" ? Object.entries(condition.Null ?? {}) : [];
      return (
        s.Effect === "Deny" &&
        (s.Principal === "*" || asList(s.Principal?.AWS).includes("*")) &&
        actions.some((a) => a === "s3:PutObject" || a === "s3:*" || a === "*") &&
        asList(s.Resource).some((r) => objects.has(String(r))) &&
        // Exactly "the header is present": any further condition denies some SSE-C uploads only.
        keys.length === 1 &&
        keys[0][0].toLowerCase() === SSE_C_KEY &&
        String(keys[0][1]) === "false"
      );
    });
    return ok ? "compliant" : "non-compliant";
  },
};
