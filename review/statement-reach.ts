/**
 * Quick, sound tests of what a policy document can reach at all, before any request is
 * evaluated: which principals a resource-side document's Allow statements can name, and
 * whether some Allow can apply to an action anywhere under an ARN for any value of the
 * request's own keys. A "no" from them is certain; a "yes" only means the evaluation decides.
 */
import { PolicyJson } from "./collect";
import { actionMatches, conditionsCouldHold, ContextIndex, isRecord, prepare, principalMatches, RequestPrincipal, strings } from "./statements";

export interface Admitted {
  readonly anyone: boolean;
  /** Lower-case account ids and principal ARNs that Allow statements name. */
  readonly named: ReadonlySet<string>;
}

const admittedCache = new WeakMap<object, Admitted>();

/**
 * Whether any Allow statement of a resource-side document can name the principal (by
 * `Principal` alone: a quick, sound test before {@link relevantStatements}).
 */
export function mayAdmit(doc: PolicyJson, p: RequestPrincipal): boolean {
  const a = admittedBy(doc);
  return a.anyone || a.named.has(p.accountId) || a.named.has(p.roleArn.toLowerCase()) || a.named.has(p.arn.toLowerCase());
}

/** Who the Allow statements of a resource-side document can name: anyone, or the lower-case account ids and principal ARNs they name. */
export function admittedBy(doc: PolicyJson): Admitted {
  let a = admittedCache.get(doc);
  if (!a) {
    let anyone = false;
    const named = new Set<string>();
    for (const s of prepare(doc)) {
      if (s.effect !== "Allow") continue;
      const pr = s.principal;
      if (s.notPrincipal || pr === undefined || pr === "*" || !isRecord(pr)) {
        anyone = true;
        continue;
      }
      for (const v of strings(pr.AWS)) {
        if (v.includes("*")) anyone = true;
        const root = /^arn:[^:]+:iam::(\d{12}):root$/.exec(v);
        named.add((root ? root[1] : v).toLowerCase());
      }
    }
    a = { anyone, named };
    admittedCache.set(doc, a);
  }
  return a;
}

/**
 * Whether an ARN pattern (with `*`, `?` and policy variables `${...}`) can match `arn` or an ARN
 * under it (`arn/...`): compared up to the pattern's first wildcard or variable, which may
 * then match anything (an over-approximation, never an under-approximation).
 */
export function patternMayMatchUnder(pattern: string, arn: string): boolean {
  const literal = literalOf(pattern);
  if (literal === pattern) return pattern === arn || pattern.startsWith(`${arn}/`);
  return literal.length <= arn.length ? arn.startsWith(literal) : literal.startsWith(`${arn}/`) || literal === arn;
}

/** The literal text of a pattern before its first wildcard or policy variable (the whole pattern when it has none). */
export function literalOf(pattern: string): string {
  const cut = pattern.search(/[*?]|\$\{/);
  return cut === -1 ? pattern : pattern.slice(0, cut);
}

/**
 * Whether some Allow statement of a document can apply to the action on some resource at or
 * under `root` (an ARN), for the principal (resource-side documents), with the context's keys
 * and whatever values (or none) the `openKeys` take: a sound over-approximation of
 * {@link relevantStatements} for every object, prefix and encryption header at once. When it
 * is false, no request of the kind under `root` can be allowed by the document.
 */
export function mayAllowUnder(doc: PolicyJson, action: string, root: string, principal: RequestPrincipal | undefined, context: ContextIndex, openKeys: ReadonlySet<string>): boolean {
  const lowerRoot = root.toLowerCase();
  for (const s of prepare(doc)) {
    if (s.effect !== "Allow" || !actionMatches(s, action)) continue;
    if (principal && !principalMatches(s, principal)) continue;
    if (s.resources && !strings(s.statement.Resource).some((r) => patternMayMatchUnder(r.toLowerCase(), lowerRoot))) continue;
    if (!conditionsCouldHold(s.statement, context, openKeys)) continue;
    return true;
  }
  return false;
}
