import { Rule } from "../rule";
import { attachedTo } from "../s3-helpers";

/** Every bucket has a public access block with all four settings on. */
export const S3PublicAccessBlocked: Rule = {
  id: "S3_PUBLIC_ACCESS_BLOCKED",
  severity: "high",
  info: "The bucket has a public access block with all four settings true.",
  explanation: "Without all four blocks, one ACL or policy mistake can make ML data or Terraform state public.",
  check(e) {
    if (e.kind !== "resource" || e.type !== "aws_s3_bucket") return "not-applicable";
    const keys = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
    const ok = attachedTo(e, "aws_s3_bucket_public_access_block").some((b) => keys.every((k) => b[k] === true));
    return ok ? "compliant" : "non-compliant";
  },
};
