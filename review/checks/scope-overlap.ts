/**
 * Scope overlap: a name-scoped wildcard of one principal that also matches a name of another
 * principal of the same account. mlshare scopes what a role may touch by name (`training-job/
 * ana-*`, `pipeline/fraud-*`, a trust policy's `aws:SourceArn`, a log stream, an S3 prefix);
 * when one scope is a prefix of another's (`ana-*` and `ana-lee-*`, `fraud-*` and
 * `fraud-v2-build`), or two principals are given the same one, a principal reaches resources
 * that run as, or belong to, the other.
 *
 * Generic over the stacks' JSON: every role's resource patterns (the `Resource` of its
 * identity policies' Allow statements, and `aws:SourceArn` in its trust policy), per account.
 * A pattern whose first wildcard falls inside a name (the character before it is not `/` or
 * `:`) is a name scope; it is asked against a sample name of every pattern of every other role
 * of the account (its wildcards replaced by a sample). Statements scoped by resource tags
 * (`aws:ResourceTag/...`, `<service>:ResourceTag/...`) are not name scopes. Patterns are
 * indexed by their literal prefix, so the check is linear in the patterns of an account.
 */
import { Collection, CollectedPolicy, CollectedRole, JsonValue } from "../collect";
import { policyLabel } from "../evaluate";
import { asList, isRecord, statementsOf, wildcardMatch } from "../evaluate/policies";
import { ReviewFinding } from "../model";
import { PrincipalSet } from "../principals";

/** One resource pattern of a role, and where it comes from. */
export interface ScopePattern {
  readonly role: CollectedRole;
  readonly pattern: string;
  /** `<stack>/<address>#<Sid>` of the statement, with `(trust aws:SourceArn)` for a trust condition. */
  readonly where: string;
}

/** What replaces a wildcard in a sample name. */
const SAMPLE = "mlshare-sample";

/** The condition keys that make a statement tag-scoped rather than name-scoped. */
const TAG_KEY = /^[a-z0-9-]+:resourcetag\//i;

/** Whether a pattern is a name scope: an ARN whose first wildcard falls inside a name. */
export function isNameScope(pattern: string): boolean {
  const i = pattern.search(/[*?]/);
  if (i <= 0 || !pattern.startsWith("arn:")) return false;
  const before = pattern[i - 1];
  return before !== "/" && before !== ":" && pattern.split(":").length >= 6;
}

/** A name the pattern matches: its wildcards replaced by a sample. */
export function sampleOf(pattern: string): string {
  return pattern.replace(/\*/g, SAMPLE).replace(/\?/g, "x");
}

function statementRef(p: CollectedPolicy, s: { readonly [k: string]: JsonValue }, i: number): string {
  return `${policyLabel(p)}#${typeof s.Sid === "string" ? s.Sid : i + 1}`;
}

function readsResourceTags(s: { readonly [k: string]: JsonValue }): boolean {
  if (!isRecord(s.Condition)) return false;
  return Object.values(s.Condition).some((block) => isRecord(block) && Object.keys(block).some((k) => TAG_KEY.test(k)));
}

/** The resource patterns of a role: its identity policies' Allow resources and its trust policy's `aws:SourceArn`. */
export function scopePatternsOf(role: CollectedRole): ScopePattern[] {
  const out: ScopePattern[] = [];
  const usable = (v: JsonValue) => typeof v === "string" && v.startsWith("arn:") && !v.includes("${");
  for (const p of [...role.inlinePolicies, ...role.managedPolicies]) {
    statementsOf(p.document).forEach((s, i) => {
      if (s.Effect !== "Allow" || readsResourceTags(s)) return;
      for (const r of asList(s.Resource)) if (usable(r)) out.push({ role, pattern: r as string, where: statementRef(p, s, i) });
    });
  }
  const trust = role.trustPolicy;
  if (trust) {
    statementsOf(trust.document).forEach((s, i) => {
      if (s.Effect !== "Allow" || !isRecord(s.Condition)) return;
      for (const block of Object.values(s.Condition)) {
        if (!isRecord(block)) continue;
        for (const [k, v] of Object.entries(block)) {
          if (k.toLowerCase() !== "aws:sourcearn") continue;
          for (const r of asList(v)) if (usable(r)) out.push({ role, pattern: r as string, where: `${statementRef(trust, s, i)} (trust aws:SourceArn)` });
        }
      }
    });
  }
  return out;
}

/** One overlap: `by`'s name scope matches a name of `of`'s. */
export interface Overlap {
  readonly by: ScopePattern;
  readonly of: ScopePattern;
  readonly sample: string;
}

/** Every overlap between roles of one account, at most one per pair of patterns. */
export function scopeOverlaps(patterns: readonly ScopePattern[]): Overlap[] {
  const scopes = new Map<string, ScopePattern[]>(); // by literal prefix
  for (const p of patterns) {
    if (!isNameScope(p.pattern)) continue;
    const literal = p.pattern.slice(0, p.pattern.search(/[*?]/));
    const list = scopes.get(literal);
    if (list) list.push(p);
    else scopes.set(literal, [p]);
  }
  const lengths = [...new Set([...scopes.keys()].map((k) => k.length))];
  const out: Overlap[] = [];
  const seen = new Set<string>();
  for (const of of patterns) {
    const sample = sampleOf(of.pattern);
    for (const n of lengths) {
      if (n > sample.length) continue;
      for (const by of scopes.get(sample.slice(0, n)) ?? []) {
        if (by.role.arn === of.role.arn || !wildcardMatch(by.pattern, sample)) continue;
        const key = `${by.role.arn} ${by.pattern} ${of.role.arn} ${of.pattern}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ by, of, sample });
      }
    }
  }
  return out;
}

/** The scope-overlap findings of a collection: one per pair of roles, naming up to three patterns. */
export function checkScopeOverlap(collection: Collection, principals: PrincipalSet): ReviewFinding[] {
  const byAccount = new Map<string, ScopePattern[]>();
  for (const role of collection.roles) {
    if (!role.address) continue;
    const list = byAccount.get(role.accountId) ?? [];
    list.push(...scopePatternsOf(role));
    byAccount.set(role.accountId, list);
  }
  const pairs = new Map<string, Overlap[]>();
  for (const patterns of byAccount.values()) {
    for (const o of scopeOverlaps(patterns)) {
      const key = `${o.by.role.arn} ${o.of.role.arn}`;
      pairs.set(key, [...(pairs.get(key) ?? []), o]);
    }
  }
  return [...pairs.values()].map((os) => {
    const { by, of } = os[0];
    const examples = os.slice(0, 3).map((o) => `${o.by.pattern} (${o.by.where}) matches ${o.sample}, a name of ${o.of.pattern} (${o.of.where})`);
    return {
      id: `access:SCOPE_OVERLAP:${by.role.arn}:${of.role.arn}`,
      source: "access",
      severity: "high",
      rule: "SCOPE_OVERLAP",
      resource: `${by.role.stack}/${by.role.address}`,
      what: `${principals.labelOf(by.role.arn)} reaches names of ${principals.labelOf(of.role.arn)}: ${examples.join("; ")}${os.length > 3 ? `; and ${os.length - 3} more` : ""}`,
      why: "A name-scoped wildcard must cover its own principal's names only: when one scope is a prefix of another's (ana-* and ana-lee-*) or two principals share one, a principal can stop, update or run as what belongs to the other. Scope names must not prefix each other at a '-' boundary, or resources must be scoped by tags.",
    } satisfies ReviewFinding;
  });
}
