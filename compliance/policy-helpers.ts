/**
 * What policy rules share: finding the IAM policy documents a synthesized element carries,
 * reading their statements, and telling which account a principal belongs to.
 *
 * Policies are JSON strings in the synthesized attributes (DESIGN.md, decision 2: every
 * policy is a literal document that can be reviewed before apply). Two things can stop a
 * string from being read:
 * - it is not JSON, or not a policy document (no Statement list of objects);
 * - it is a Terraform expression rather than a literal (`${data.aws_iam_policy_document.x.json}`,
 *   `${jsonencode(...)}`), whose value is only known at plan time.
 * Such a document is still returned, with `document` undefined and `unreadable` saying why.
 * Rules fail it (fail closed): a document nobody can read might hold any statement, and a
 * compliance gate that passes what it cannot see gates nothing.
 *
 * Terraform interpolations inside JSON string values (`"Resource": "${aws_s3_bucket.x.arn}/*"`)
 * parse as ordinary strings and stay as written; rules treat them as opaque values.
 */
import { Element, StackJson } from "./rule";
import { asList, firstBlock } from "./s3-helpers";

/**
 * Where a policy document is attached, which decides what its statements mean:
 * `identity` (a role's, user's or group's permissions), `resource` (a bucket, access point or
 * model group policy), `trust` (who may assume a role), `key` (a KMS key policy),
 * `scp` and `rcp` (organization guardrails).
 */
export type PolicyAttachment = "identity" | "resource" | "trust" | "key" | "scp" | "rcp";

/** A policy document as JSON data. */
export interface PolicyJson {
  readonly Version?: string;
  readonly Statement: readonly StatementJson[];
  readonly [key: string]: unknown;
}

/** One statement as JSON data: every element may be a single value or a list. */
export interface StatementJson {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** One policy document an element carries. */
export interface CarriedPolicy {
  /** The attribute holding it: `policy`, `assume_role_policy`, `inline_policy[0].policy`. */
  readonly attribute: string;
  readonly kind: PolicyAttachment;
  /** The parsed document; undefined when it could not be read. */
  readonly document?: PolicyJson;
  /** Why the document could not be read; set exactly when `document` is undefined. */
  readonly unreadable?: string;
}

/**
 * The resource types whose attributes hold IAM policy documents, and what each is.
 * Organization policies are listed separately: their kind depends on their `type`.
 */
const POLICY_ATTRIBUTES: Readonly<Record<string, readonly (readonly [string, PolicyAttachment])[]>> = {
  aws_iam_role: [["assume_role_policy", "trust"]],
  aws_iam_role_policy: [["policy", "identity"]],
  aws_iam_user_policy: [["policy", "identity"]],
  aws_iam_group_policy: [["policy", "identity"]],
  aws_iam_policy: [["policy", "identity"]],
  aws_kms_key: [["policy", "key"]],
  aws_kms_key_policy: [["policy", "key"]],
  aws_s3_bucket: [["policy", "resource"]],
  aws_s3_bucket_policy: [["policy", "resource"]],
  aws_s3_access_point: [["policy", "resource"]],
  aws_s3control_access_point_policy: [["policy", "resource"]],
  aws_s3control_bucket_policy: [["policy", "resource"]],
  aws_sagemaker_model_package_group_policy: [["resource_policy", "resource"]],
};

/** Organization policy types that hold IAM policy documents (tag, backup and AI opt-out policies do not). */
const ORGANIZATION_POLICY_KINDS: Readonly<Record<string, PolicyAttachment>> = {
  SERVICE_CONTROL_POLICY: "scp",
  RESOURCE_CONTROL_POLICY: "rcp",
};

/**
 * Every IAM policy document an element carries, including unreadable ones. Provider blocks
 * carry none: an `assume_role.policy` session policy only narrows the deploy role and is
 * not checked here.
 */
export function policyDocumentsOf(element: Element): CarriedPolicy[] {
  if (element.kind !== "resource") return [];
  const c = element.config;
  const out: CarriedPolicy[] = [];
  for (const [attribute, kind] of POLICY_ATTRIBUTES[element.type] ?? []) {
    if (present(c[attribute])) out.push(carried(attribute, kind, c[attribute]));
  }
  if (element.type === "aws_iam_role") {
    asList(c.inline_policy).forEach((block, i) => {
      const policy = (block as Record<string, unknown> | null)?.policy;
      if (present(policy)) out.push(carried(`inline_policy[${i}].policy`, "identity", policy));
    });
  }
  if (element.type === "aws_organizations_policy") {
    const kind = ORGANIZATION_POLICY_KINDS[String(c.type ?? "SERVICE_CONTROL_POLICY")];
    if (kind && present(c.content)) out.push(carried("content", kind, c.content));
  }
  return out;
}

/** Absent, null and "" all mean "no policy" to the AWS provider. */
function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== "";
}

function carried(attribute: string, kind: PolicyAttachment, value: unknown): CarriedPolicy {
  const read = readPolicy(value);
  return typeof read === "string" ? { attribute, kind, unreadable: read } : { attribute, kind, document: read };
}

/** The document in an attribute value, or why there is none to read. */
export function readPolicy(value: unknown): PolicyJson | string {
  if (typeof value !== "string") return `the policy is not a JSON string (found ${typeof value})`;
  if (!/^\s*[{[]/.test(value) && isInterpolated(value)) {
    return "the policy is a Terraform expression, not a literal document: only a plan can tell what it holds";
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (e) {
    return `the policy is not valid JSON (${(e as Error).message})`;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return "the policy is not a JSON object";
  const statements = (parsed as Record<string, unknown>).Statement;
  if (statements === undefined) return "the policy has no Statement";
  const list = asList(statements);
  if (list.some((s) => !s || typeof s !== "object" || Array.isArray(s))) return "a Statement is not an object";
  return { ...(parsed as Record<string, unknown>), Statement: list as StatementJson[] };
}

/** A statement element's values as strings (a non-string value is kept as its JSON text). */
export function valuesOf(value: unknown): string[] {
  return asList(value).map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
}

/** The Allow statements of a document. */
export function allowsOf(document: PolicyJson): StatementJson[] {
  return document.Statement.filter((s) => s.Effect === "Allow");
}

/**
 * True when a string contains a Terraform interpolation (`${...}`) whose value is known only
 * at plan time. `$${` is Terraform's escape for a literal `${`, as IAM policy variables
 * (`$${aws:username}`) are written.
 */
export function isInterpolated(value: string): boolean {
  return /(^|[^$])\$\{/.test(value);
}

/** The 12-digit account ids the AWS provider of an element is pinned to (`allowed_account_ids`). */
export function homeAccountsOf(element: Element): string[] {
  const providers = ((element.stackJson as StackJson).provider?.aws ?? []) as Record<string, unknown>[];
  // A resource names its provider as `aws.<alias>`; without one it uses the unaliased provider.
  const ref = typeof element.config.provider === "string" ? element.config.provider : "aws";
  const alias = ref.startsWith("aws.") ? ref.slice(4) : undefined;
  const provider = providers.find((p) => (alias === undefined ? p.alias === undefined : p.alias === alias));
  return valuesOf(provider?.allowed_account_ids).filter((id) => /^\d{12}$/.test(id));
}

/**
 * The account an AWS principal belongs to: a 12-digit id, `home` when it is a reference to a
 * role, user or data source of the element's own stack (which deploys into one account),
 * `anyone` for `*`, or `unknown` when only plan time can tell (a variable, a local).
 */
export function principalAccount(principal: string): string {
  if (principal === "*") return "anyone";
  if (/^\d{12}$/.test(principal)) return principal;
  // A reference to a role or user of this stack (or looked up in its account), or to the caller's account.
  if (/^\$\{(data\.)?aws_iam_(role|user)\.[^.}]+\.arn\}$/.test(principal)) return "home";
  if (/^\$\{data\.aws_caller_identity\.[^.}]+\.account_id\}$/.test(principal)) return "home";
  const arn = /^arn:[^:]+:(?:iam|sts)::([^:]*):/.exec(principal);
  if (!arn) return "unknown";
  if (/^\d{12}$/.test(arn[1])) return arn[1];
  if (/^\$\{data\.aws_caller_identity\.[^.}]+\.account_id\}$/.test(arn[1])) return "home";
  return "unknown";
}

/** The AWS and Service principals a statement admits; `NotPrincipal` in an Allow admits anyone. */
export function principalsOf(statement: StatementJson): { aws: string[]; service: string[] } {
  if (statement.NotPrincipal !== undefined && statement.Effect === "Allow") return { aws: ["*"], service: [] };
  const p = statement.Principal;
  if (p === undefined) return { aws: [], service: [] };
  if (typeof p === "string") return { aws: [p], service: [] };
  const map = (firstBlock(p) ?? {}) as Record<string, unknown>;
  return { aws: valuesOf(map.AWS), service: valuesOf(map.Service) };
}

/** Condition operators that admit a request only when the key is present and matches. */
const RESTRICTING_OPERATORS = new Set(["StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"]);

/**
 * The values a statement's condition requires of a key, for each restricting operator that
 * tests it (keys compare case-insensitively, as IAM does). Negated operators, `...IfExists`
 * and `ForAllValues:` are left out: each admits a request that lacks the key, so none of
 * them restricts who may act.
 */
export function requiredValues(statement: StatementJson, key: string): string[][] {
  const out: string[][] = [];
  for (const [operator, tests] of Object.entries(statement.Condition ?? {})) {
    const base = operator.replace(/^ForAnyValue:/, "");
    if (!RESTRICTING_OPERATORS.has(base) || !tests || typeof tests !== "object") continue;
    for (const [k, v] of Object.entries(tests)) if (k.toLowerCase() === key.toLowerCase()) out.push(valuesOf(v));
  }
  return out;
}
