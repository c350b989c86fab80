import { Rule } from "../rule";
import { firstBlock } from "../s3-helpers";
import { phaseExpressionArns } from "../../constructs/pipeline-phase";

/** Every AWS provider assumes a deploy role and is pinned to its account. */
export const ProviderAssumesDeployRole: Rule = {
  id: "PROVIDER_ASSUMES_DEPLOY_ROLE",
  severity: "high",
  info: "The AWS provider assumes a role (assume_role.role_arn) and lists allowed_account_ids.",
  explanation:
    "A stack must change only its own account: the deploy role limits what it may do there, and the allowed " +
    "account ids stop a plan run with the wrong credentials from touching another account.",
  check(e) {
    if (e.kind !== "provider" || e.type !== "aws") return "not-applicable";
    const role = firstBlock(e.config.assume_role)?.role_arn;
    const pinned = Array.isArray(e.config.allowed_account_ids) && e.config.allowed_account_ids.length > 0;
    // With pipeline, the role is the plan or the deploy role by mlshare_phase: both are checked.
    const roles = typeof role === "string" ? (phaseExpressionArns(role) ?? [role]) : [];
    return roles.length > 0 && roles.every((r) => /^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(r)) && pinned ? "compliant" : "non-compliant";
  },
};
