import { Rule } from "../rule";
import { attachedTo, firstBlock } from "../s3-helpers";

/** Every bucket disables ACLs (BucketOwnerEnforced). */
export const S3OwnerEnforced: Rule = {
  id: "S3_OWNER_ENFORCED",
  severity: "medium",
  info: "The bucket's object ownership is BucketOwnerEnforced (ACLs disabled).",
  explanation: "With ACLs on, objects written cross-account can belong to the writer and escape the bucket policy.",
  check(e) {
    if (e.kind !== "resource" || e.type !== "aws_s3_bucket") return "not-applicable";
    const ok = attachedTo(e, "aws_s3_bucket_ownership_controls").some(
      (c) => firstBlock(c.rule)?.object_ownership === "BucketOwnerEnforced",
    );
    return ok ? "compliant" : "non-compliant";
  },
};
