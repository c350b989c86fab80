import { Rule } from "../rule";
import { firstBlock } from "../s3-helpers";

/** Every AWS provider tags what it makes with ManagedBy = mlshare. */
export const ProviderDefaultTags: Rule = {
  id: "PROVIDER_DEFAULT_TAGS",
  severity: "low",
  info: "The AWS provider has default_tags including ManagedBy = mlshare.",
  explanation: "Tags say who owns a resource and what manages it; cost reports and clean-ups depend on them.",
  check(e) {
    if (e.kind !== "provider" || e.type !== "aws") return "not-applicable";
    const tags = firstBlock(e.config.default_tags)?.tags as Record<string, unknown> | undefined;
    return tags?.ManagedBy === "mlshare" ? "compliant" : "non-compliant";
  },
};
