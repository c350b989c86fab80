import { Rule } from "../rule";
import { asList, bucketHandles, bucketPolicyOf } from "../s3-helpers";

/** Every bucket's policy denies requests not made over TLS, on the bucket and its objects. */
export const S3TlsOnly: Rule = {
  id: "S3_TLS_ONLY",
  severity: "high",
  info: "The bucket policy denies every request with aws:SecureTransport false, on the bucket and all objects.",
  explanation: "Data and state in transit must be encrypted; without the Deny, a plain-HTTP client is served.",
  check(e) {
    if (e.kind !== "resource" || e.type !== "aws_s3_bucket") return "not-applicable";
    const doc = bucketPolicyOf(e);
    // The bucket's ARN as a literal of any partition, or as a reference to the resource.
    const arns = new Set([`\${${e.type}.${e.name}.arn}`]);
    for (const h of bucketHandles(e)) if (!h.startsWith("${")) for (const p of ["aws", "aws-cn", "aws-us-gov"]) arns.add(`arn:${p}:s3:::${h}`);
    const ok = asList(doc?.Statement).some((raw) => {
      const s = raw as Record<string, any>;
      const actions = asList(s.Action);
      const resources = asList(s.Resource).map(String);
      return (
        s.Effect === "Deny" &&
        (s.Principal === "*" || asList(s.Principal?.AWS).includes("*")) &&
        (actions.includes("s3:*") || actions.includes("*")) &&
        String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false" &&
        // Any further condition narrows the Deny to some of the insecure requests only.
        Object.keys(s.Condition).length === 1 &&
        Object.keys(s.Condition.Bool).length === 1 &&
        resources.some((r) => arns.has(r)) &&
        resources.some((r) => arns.has(r.replace(/\/\*$/, "")) && r.endsWith("/*"))
      );
    });
    return ok ? "compliant" : "non-compliant";
  },
};
