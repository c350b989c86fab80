/**
 * The principals the review asks about: every role the synthesized output creates or names
 * (roles with policies attached, roles the outputs list, roles resource policies name by
 * `aws:PrincipalArn` or `Principal`), plus per account a synthetic "any other role" that
 * allows itself everything (what an administrator of that account could create), and one
 * role of an account outside the organization that allows itself everything.
 *
 * The synthetic roles make the resource side answer on its own: a grant that admits a whole
 * account, or everyone, shows up as that account's "any other role" (or the outsider) being
 * able to read.
 */
import { partitionOf } from "../config/naming";
import { Collection, JsonValue, PolicyJson } from "./collect";
import { NamedPolicy, OrganizationContext } from "./evaluate";
import { ReviewPrincipal } from "./model";
import { roleArn } from "../config/naming";

/** The identity policy of the synthetic principals: everything, anywhere. */
export const ALLOWS_ITSELF_EVERYTHING: NamedPolicy = {
  name: "(review) a role that allows itself everything",
  document: { Version: "2012-10-17", Statement: [{ Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" }] },
};

/** The name of the synthetic role in each account. */
export const ANY_OTHER_ROLE = "mlshare-review-any-other-role";
/** The name of the synthetic role outside the organization. */
export const OUTSIDER_ROLE = "mlshare-review-outsider";
/** The `aws:PrincipalOrgID` of the outsider's organization. */
export const OUTSIDER_ORG_ID = "o-mlsharereviewx";

/** The principals of a review and how to name them. */
export interface PrincipalSet {
  /** Every principal, in a stable order: roles by label, then the synthetic ones. */
  readonly principals: readonly ReviewPrincipal[];
  /** The synthetic "any other role" of each account, by account id. */
  readonly anyOtherRole: ReadonlyMap<string, ReviewPrincipal>;
  readonly outsider: ReviewPrincipal;
  /** Identity policies of the synthetic principals, for the evaluator. */
  readonly extraIdentityPolicies: Readonly<Record<string, readonly NamedPolicy[]>>;
  /** The outsider's organization, for the evaluator. */
  readonly otherOrgIds: Readonly<Record<string, string>>;
  /** The account key (stack name) of an account id, or the id. */
  accountLabel(accountId: string): string;
  /** The label of a principal ARN. */
  labelOf(arn: string): string;
}

const ROLE_ARN = /^arn:([^:]+):iam::(\d{12}):role\/(.+)$/;

/** Every role ARN (no wildcards, no references) in a JSON value. */
function roleArnsIn(value: JsonValue | undefined, out: Set<string>): void {
  if (typeof value === "string") {
    if (ROLE_ARN.test(value) && !/[*?]|\$\{/.test(value)) out.add(value);
  } else if (Array.isArray(value)) for (const v of value) roleArnsIn(v, out);
  else if (value && typeof value === "object") for (const v of Object.values(value)) roleArnsIn(v, out);
}

/** Role ARNs a resource-side policy names: `aws:PrincipalArn` conditions and `Principal.AWS`. */
function namedInPolicy(doc: PolicyJson, out: Set<string>): void {
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  for (const s of statements) {
    if (!s || typeof s !== "object" || Array.isArray(s)) continue;
    const st = s as { readonly [key: string]: JsonValue };
    const principal = st.Principal;
    if (principal && typeof principal === "object" && !Array.isArray(principal)) roleArnsIn((principal as { [k: string]: JsonValue }).AWS, out);
    const condition = st.Condition;
    if (condition && typeof condition === "object" && !Array.isArray(condition)) {
      for (const block of Object.values(condition)) {
        if (!block || typeof block !== "object" || Array.isArray(block)) continue;
        for (const [key, v] of Object.entries(block)) if (key.toLowerCase() === "aws:principalarn") roleArnsIn(v, out);
      }
    }
  }
}

/** The account outside the organization: 999999999999, or the next id no stack uses. */
function outsideAccount(org: OrganizationContext): string {
  let n = 999999999999;
  while (org.accountIds.includes(String(n))) n--;
  return String(n);
}

/** The principals to evaluate for a collection. */
export function reviewPrincipals(collection: Collection, org: OrganizationContext): PrincipalSet {
  const accountKeys = new Map<string, string>();
  // A stack per account; the bootstrap stack shares an account and names none of its own.
  for (const s of [...collection.stacks].sort((a, b) => Number(a.name === "bootstrap") - Number(b.name === "bootstrap"))) {
    if (!accountKeys.has(s.accountId)) accountKeys.set(s.accountId, s.name);
  }
  const accountLabel = (id: string) => accountKeys.get(id) ?? id;
  const partition = partitionOf(collection.stacks[0]?.region ?? "us-east-1");

  const arns = new Set<string>();
  for (const r of collection.roles) arns.add(r.arn);
  for (const s of collection.stacks) roleArnsIn(s.outputs, arns);
  for (const p of collection.policies) {
    if (p.document && ["bucket", "access-point", "key", "trust", "model-package-group"].includes(p.kind)) namedInPolicy(p.document, arns);
  }

  const outside = outsideAccount(org);
  const roles: ReviewPrincipal[] = [...arns]
    .map((arn) => {
      const m = ROLE_ARN.exec(arn)!;
      return { arn, label: `${accountLabel(m[2])}/${m[3].split("/").pop()}`, kind: "role" as const, accountId: m[2] };
    })
    .sort((a, b) => a.label.localeCompare(b.label) || a.arn.localeCompare(b.arn));
  const anyOtherRole = new Map<string, ReviewPrincipal>();
  for (const id of [...org.accountIds].sort((a, b) => accountLabel(a).localeCompare(accountLabel(b)))) {
    anyOtherRole.set(id, { arn: roleArn(partition, id, ANY_OTHER_ROLE), label: `${accountLabel(id)}/(any other role)`, kind: "any-other-role", accountId: id });
  }
  const outsider: ReviewPrincipal = { arn: roleArn(partition, outside, OUTSIDER_ROLE), label: "(outside the organization)", kind: "outside-organization", accountId: outside };
  const synthetic = [...anyOtherRole.values(), outsider];
  const byArn = new Map([...roles, ...synthetic].map((p) => [p.arn, p]));
  return {
    principals: [...roles, ...synthetic],
    anyOtherRole,
    outsider,
    extraIdentityPolicies: Object.fromEntries(synthetic.map((p) => [p.arn, [ALLOWS_ITSELF_EVERYTHING]])),
    otherOrgIds: { [outside]: OUTSIDER_ORG_ID },
    accountLabel,
    labelOf: (arn) => {
      const known = byArn.get(arn);
      if (known) return known.label;
      const m = ROLE_ARN.exec(arn);
      return m ? `${accountLabel(m[2])}/${m[3].split("/").pop()}` : arn;
    },
  };
}
