import { Rule } from "../rule";
import { allowsOf, policyDocumentsOf, valuesOf } from "../policy-helpers";

/** `*`, `*:*` and `<service>:*`: every action, or every action of a service. */
function isWildcardAction(action: string): boolean {
  const [service, name] = action.split(":", 2);
  return action === "*" || service.includes("*") || /^\*+$/.test(name ?? "");
}

/** No Allow statement grants every action, or every action of a service. */
export const IamNoWildcardActions: Rule = {
  id: "IAM_NO_WILDCARD_ACTIONS",
  severity: "high",
  info: 'No Allow statement in any policy has Action "*" or "<service>:*", or a NotAction.',
  explanation:
    "A wildcard grants every action the service has today and every one it adds later, including deletes, " +
    "policy changes and cross-account sharing; an Allow with NotAction grants everything it does not list. " +
    "Name the actions the grant needs (patterns such as s3:Get* are fine). A policy that cannot be read fails.",
  check(e) {
    const policies = policyDocumentsOf(e);
    if (policies.length === 0) return "not-applicable";
    const broad = policies.some(
      (p) =>
        !p.document || allowsOf(p.document).some((s) => s.NotAction !== undefined || valuesOf(s.Action).some(isWildcardAction)),
    );
    return broad ? "non-compliant" : "compliant";
  },
};
