import { Rule } from "../rule";
import { allowsOf, policyDocumentsOf, StatementJson, valuesOf } from "../policy-helpers";

/** True when the statement lists the resources it grants (`*` counts: key policies must use it). */
function namesItsResources(s: StatementJson): boolean {
  return s.NotResource === undefined && valuesOf(s.Resource).some((r) => r.length > 0);
}

/** Every Allow statement, outside trust policies, names the resources it grants. */
export const IamAllowHasResource: Rule = {
  id: "IAM_ALLOW_HAS_RESOURCE",
  severity: "high",
  info: "Every Allow statement names its Resource (no NotResource); trust policies, which have none, are exempt.",
  explanation:
    "A grant without a Resource is a grant on everything, and NotResource grants everything it does not list, " +
    "including resources created later; either way a reviewer cannot tell what the grant reaches. Writing the " +
    "resources (even an explicit *) makes the scope visible in review. A policy that cannot be read fails.",
  check(e) {
    const policies = policyDocumentsOf(e).filter((p) => p.kind !== "trust");
    if (policies.length === 0) return "not-applicable";
    const ok = policies.every((p) => p.document && allowsOf(p.document).every(namesItsResources));
    return ok ? "compliant" : "non-compliant";
  },
};
