import { Rule } from "../rule";
import {
  allowsOf,
  homeAccountsOf,
  policyDocumentsOf,
  principalAccount,
  principalsOf,
  requiredValues,
  StatementJson,
} from "../policy-helpers";

/** True when the condition pins `key` to values with no wildcard: an org id, an external id, an account. */
function pinsId(s: StatementJson, key: string): boolean {
  return requiredValues(s, key).some((values) => values.length > 0 && values.every((v) => v !== "" && !/[*?]/.test(v)));
}

/** True when aws:SourceArn is pinned to ARNs that name an account (`arn:aws:sagemaker:us-east-1:333333333333:*`). */
function pinsSourceArn(s: StatementJson): boolean {
  const namesAccount = (arn: string) => /^arn:[^:*?]+:[^:]+:[^:]*:\d{12}:/.test(arn) || /^arn:[^:*?]+:s3:::[^*?]+/.test(arn);
  return requiredValues(s, "aws:SourceArn").some((values) => values.length > 0 && values.every(namesAccount));
}

/** True when the statement may be used as it stands by a principal of another account, or by anyone. */
function admitsOtherAccount(s: StatementJson, home: readonly string[]): boolean {
  return principalsOf(s).aws.some((p) => {
    const account = principalAccount(p);
    return account !== "home" && !home.includes(account);
  });
}

/** True when every principal the statement admits is held to the condition its kind needs. */
function guarded(s: StatementJson, home: readonly string[]): boolean {
  const accountsOk = !admitsOtherAccount(s, home) || pinsId(s, "aws:PrincipalOrgID") || pinsId(s, "sts:ExternalId");
  const servicesOk = principalsOf(s).service.length === 0 || pinsId(s, "aws:SourceAccount") || pinsSourceArn(s);
  return accountsOk && servicesOk;
}

/** A role that other accounts or AWS services may assume says which ones, in the trust policy itself. */
export const CrossAccountTrustCondition: Rule = {
  id: "CROSS_ACCOUNT_TRUST_CONDITION",
  severity: "high",
  info:
    "A role trust statement that admits another account (or anyone) requires aws:PrincipalOrgID or sts:ExternalId; " +
    "one that admits an AWS service requires aws:SourceAccount or aws:SourceArn.",
  explanation:
    "Trusting an account's root lets anyone that account's administrators choose assume the role. Pinning the " +
    "organization (or an external id agreed with a third party) keeps a lookalike or compromised account out; " +
    "pinning the source account keeps another customer's use of the same service from assuming the role (the " +
    "confused deputy). The account the stack deploys into is its provider's allowed_account_ids; a principal whose " +
    "account only a plan can tell counts as another account, and a trust policy that cannot be read fails.",
  check(e) {
    if (e.kind !== "resource" || e.type !== "aws_iam_role") return "not-applicable";
    const trust = policyDocumentsOf(e).find((p) => p.kind === "trust");
    if (!trust) return "not-applicable";
    if (!trust.document) return "non-compliant";
    const home = homeAccountsOf(e);
    return allowsOf(trust.document).every((s) => guarded(s, home)) ? "compliant" : "non-compliant";
  },
};
