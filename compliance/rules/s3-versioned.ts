import { Rule } from "../rule";
import { attachedTo, firstBlock } from "../s3-helpers";

/** Every bucket keeps object versions. */
export const S3Versioned: Rule = {
  id: "S3_VERSIONED",
  severity: "medium",
  info: "The bucket has versioning enabled.",
  explanation: "Versions let a team recover a dataset, a model or a state file that was overwritten or deleted.",
  check(e) {
    if (e.kind !== "resource" || e.type !== "aws_s3_bucket") return "not-applicable";
    const ok = attachedTo(e, "aws_s3_bucket_versioning").some(
      (v) => firstBlock(v.versioning_configuration)?.status === "Enabled",
    );
    return ok ? "compliant" : "non-compliant";
  },
};
