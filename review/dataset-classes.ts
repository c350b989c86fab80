/**
 * Datasets the policies cannot tell apart, found before anything is evaluated, so the access
 * matrix evaluates one of them and reuses its answers for the others (review/matrix.ts).
 *
 * Every request the matrix makes for a dataset depends on the dataset only through its bucket,
 * its key, the object it reads and writes (`<prefix>mlshare-review/sample-object`, under the
 * bucket and under each of the bucket's access points), the listing prefix (`s3:prefix`) and
 * the encryption context S3 sends to KMS (the object's ARN). Two datasets of one bucket and
 * key belong to one class when every statement of every policy the review knows treats them
 * alike: its `Resource` and `NotResource` match the one dataset's object under a root (the
 * bucket, an access point) exactly when they match the other's, and its conditions on those
 * keys hold for the one's values exactly when for the other's. The evaluator's answers then
 * differ only in the object named in each step, which the matrix rewrites.
 *
 * What these tests cannot decide for certain (policy variables, a match that depends on case,
 * an operator other than the string and ARN ones on a dataset's key) puts the dataset in a
 * class of its own: a class is never wider than the policies make it.
 */
import { CollectedAccessPoint, CollectedBucket, JsonValue, PolicyJson } from "./collect";
import type { AccessEvaluator } from "./evaluate";
import { prepare, PreparedStatement } from "./statements";

/** What a dataset's requests depend on, besides the principal. */
export interface DatasetProbe {
  readonly bucket: CollectedBucket;
  /** The object the matrix reads and writes: `<prefix>mlshare-review/sample-object`. */
  readonly objectKey: string;
  /** The listing prefix. */
  readonly prefix: string;
  /** The key a write names and the key that encrypts the object, by ARN (empty when none). */
  readonly keys: string;
}

/** The condition keys whose values come from the dataset, lower case. */
const DATASET_KEYS = ["s3:prefix", "kms:encryptioncontext:aws:s3:arn"];

/** Operators whose outcome, for a key with one value, depends only on whether some value matches it. */
const MATCHING = /^(ForAnyValue:|ForAllValues:)?(String(Not)?(Equals|EqualsIgnoreCase|Like)|Arn(Not)?(Equals|Like))(IfExists)?$/;

/** Patterns indexed for quick tests against one value. */
interface PatternIndex {
  /** Patterns without wildcards, by lower-case text. */
  readonly exact: ReadonlyMap<string, string[]>;
  /** The literals of patterns `<literal>*` whose only wildcard ends them (in an ARN's resource part), by lower case. */
  readonly prefixes: ReadonlyMap<string, string[]>;
  readonly lengths: readonly number[];
  /** Any other wildcard pattern. */
  readonly others: readonly string[];
  /** Patterns with policy variables: what they match depends on the principal. */
  readonly variables: readonly string[];
  /** ARN patterns compare part by part (`Resource`, `Arn*` operators); string patterns as a whole. */
  readonly arn: boolean;
  /** An `...IgnoreCase` operator: a match in another case is a match. */
  readonly ignoreCase: boolean;
  /** Wildcards apply (`Resource`, `*Like` operators); otherwise patterns are compared as text. */
  readonly like: boolean;
}

/** A statement part that may touch a dataset: its `Resource`/`NotResource` per root, or a condition on a dataset's key. */
interface Touch {
  readonly id: string;
  /** For resources: the roots it reaches (by index), each with its patterns. */
  readonly byRoot?: readonly (readonly [number, PatternIndex])[];
  /** For conditions: the key (lower case) and its values. */
  readonly key?: string;
  readonly values?: PatternIndex;
  /** An operator these tests do not model on a dataset's key. */
  readonly undecided?: boolean;
}

type Outcome = "none" | "match" | "undecided";

function strings(v: JsonValue | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string");
}

function isRecord(v: JsonValue | undefined): v is { readonly [key: string]: JsonValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function push<K>(map: Map<K, string[]>, key: K, value: string): void {
  const l = map.get(key);
  if (l) l.push(value);
  else map.set(key, [value]);
}

/** The literal text of a pattern before its first wildcard or policy variable. */
function literalOf(pattern: string): string {
  const cut = pattern.search(/[*?]|\$\{/);
  return cut === -1 ? pattern : pattern.slice(0, cut);
}

function colons(text: string): number {
  let n = 0;
  for (let i = text.indexOf(":"); i !== -1; i = text.indexOf(":", i + 1)) n++;
  return n;
}

function indexPatterns(patterns: readonly string[], how: { arn: boolean; ignoreCase: boolean; like: boolean }): PatternIndex {
  const exact = new Map<string, string[]>();
  const prefixes = new Map<string, string[]>();
  const others: string[] = [];
  const variables: string[] = [];
  for (const p of patterns) {
    if (p.includes("${")) variables.push(p);
    else if (!how.like || !/[*?]/.test(p)) push(exact, p.toLowerCase(), p);
    else {
      const literal = p.slice(0, -1);
      const trailingOnly = p.endsWith("*") && !/[*?]/.test(literal);
      if (trailingOnly && (!how.arn || colons(literal) >= 5)) push(prefixes, literal.toLowerCase(), literal);
      else others.push(p);
    }
  }
  return { exact, prefixes, lengths: [...new Set([...prefixes.keys()].map((k) => k.length))], others, variables, ...how };
}

/** An IAM wildcard pattern as a regular expression, case-sensitive or not. */
function wildcard(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? "i" : "s"}${pattern}`;
  let re = regexCache.get(key);
  if (!re) {
    re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, ignoreCase ? "is" : "s");
    if (regexCache.size > 100_000) regexCache.clear();
    regexCache.set(key, re);
  }
  return re;
}

const regexCache = new Map<string, RegExp>();

/** Whether a wildcard pattern matches: ARNs part by part (a wildcard stays within its part, the resource part is the rest), strings whole. */
function wildcardMatches(pattern: string, value: string, arn: boolean, ignoreCase: boolean): boolean {
  if (arn) {
    const ps = pattern.split(":");
    const vs = value.split(":");
    if (ps.length >= 6 && vs.length >= 6) {
      for (let i = 0; i < 5; i++) if (!wildcard(ps[i], ignoreCase).test(vs[i])) return false;
      return wildcard(ps.slice(5).join(":"), ignoreCase).test(vs.slice(5).join(":"));
    }
  }
  return wildcard(pattern, ignoreCase).test(value);
}

/**
 * Whether some pattern matches the value (`lower`: the value in lower case): "match" and
 * "none" hold whether AWS compares the case or not; "undecided" when only a match in another
 * case, or a policy variable, could decide it.
 */
function matchIndex(ix: PatternIndex, value: string, lower: string): Outcome {
  for (const v of ix.variables) if (wildcardMatches(v.replace(/\$\{[^}]*\}/g, "*"), value, ix.arn, true)) return "undecided";
  let anyCase = false;
  let sameCase = false;
  const exact = ix.exact.get(lower);
  if (exact) {
    anyCase = true;
    sameCase = exact.includes(value);
  }
  for (const len of ix.lengths) {
    if (sameCase || lower.length < len) continue;
    const ps = ix.prefixes.get(lower.slice(0, len));
    if (!ps) continue;
    anyCase = true;
    sameCase = ps.some((p) => value.startsWith(p));
  }
  for (const o of ix.others) {
    if (sameCase) break;
    if (!wildcardMatches(o, value, ix.arn, true)) continue;
    anyCase = true;
    sameCase = wildcardMatches(o, value, ix.arn, false);
  }
  if (!anyCase) return "none";
  return sameCase || ix.ignoreCase ? "match" : "undecided";
}

/** The roots of a bucket: the bucket, then its access points. */
function rootsOf(bucket: CollectedBucket, accessPoints: readonly CollectedAccessPoint[]): string[] {
  return [bucket.arn, ...accessPoints.filter((ap) => ap.bucket === bucket.name && ap.accountId === bucket.accountId).map((ap) => ap.arn)];
}

/** The object ARN of `key` under a root: the bucket's `<arn>/<key>`, an access point's `<arn>/object/<key>`. */
function objectUnder(root: string, rootIndex: number, key: string): string {
  return rootIndex === 0 ? `${root}/${key}` : `${root}/object/${key}`;
}

/** The root a literal text is written under (`<root>/...`), found by its text up to each `/`. */
function rootOfLiteral(literal: string, rootIndex: ReadonlyMap<string, number>): number | undefined {
  const lower = literal.toLowerCase();
  for (let slash = lower.indexOf("/"); slash !== -1; slash = lower.indexOf("/", slash + 1)) {
    const i = rootIndex.get(lower.slice(0, slash));
    if (i !== undefined) return i;
  }
  return undefined;
}

/**
 * The roots an ARN pattern can reach an object under: the root it is written under; every
 * root its literal text begins when its wildcard comes before the end of one; none when it
 * names something else (another bucket, a key, a root itself).
 */
function rootsReached(pattern: string, roots: readonly string[], rootIndex: ReadonlyMap<string, number>): number[] {
  const literal = literalOf(pattern);
  const under = rootOfLiteral(literal, rootIndex);
  if (under !== undefined) return [under];
  if (literal === pattern) return [];
  const lower = literal.toLowerCase();
  return roots.flatMap((r, i) => (r.toLowerCase().startsWith(lower) ? [i] : []));
}

/** The parts of one statement that can touch a dataset's object or its keys. */
function statementTouches(doc: number, s: PreparedStatement, roots: readonly string[], rootIndex: ReadonlyMap<string, number>): Touch[] {
  const out: Touch[] = [];
  for (const part of ["Resource", "NotResource"] as const) {
    const perRoot = new Map<number, string[]>();
    for (const e of strings(s.statement[part])) {
      if (e === "*") continue; // every object of every dataset alike
      for (const r of rootsReached(e, roots, rootIndex)) push(perRoot, r, e);
    }
    if (perRoot.size) {
      const byRoot = [...perRoot].map(([r, ps]) => [r, indexPatterns(ps, { arn: true, ignoreCase: false, like: true })] as const);
      out.push({ id: `${doc}.${s.index}.${part}`, byRoot });
    }
  }
  const condition = s.statement.Condition;
  if (isRecord(condition)) {
    for (const [op, block] of Object.entries(condition)) {
      if (!isRecord(block)) continue;
      for (const [key, values] of Object.entries(block)) {
        const lower = key.toLowerCase();
        if (!DATASET_KEYS.includes(lower)) continue;
        const id = `${doc}.${s.index}.${op}.${lower}`;
        const patterns = strings(values);
        if (!MATCHING.test(op) || patterns.length !== (Array.isArray(values) ? values.length : 1)) out.push({ id, undecided: true });
        else out.push({ id, key: lower, values: indexPatterns(patterns, { arn: op.includes("Arn"), ignoreCase: op.includes("IgnoreCase"), like: op.includes("Like") }) });
      }
    }
  }
  return out;
}

/** Finds the classes of the datasets of one review; one per evaluator. */
export class DatasetClasses {
  private readonly byBucket = new Map<string, { readonly touches: readonly Touch[]; readonly roots: readonly string[] }>();

  constructor(private readonly ev: AccessEvaluator) {}

  /** Every policy document the evaluator may hand the simulator. */
  private documents(): PolicyJson[] {
    const docs = new Set<PolicyJson>();
    for (const p of this.ev.collection.policies) if (p.document) docs.add(p.document);
    for (const list of Object.values(this.ev.options.extraIdentityPolicies ?? {})) for (const p of list) docs.add(p.document);
    for (const doc of Object.values(this.ev.options.policyDocuments ?? {})) docs.add(doc);
    return [...docs];
  }

  /** The statement parts of every document that can touch a dataset of the bucket (found once per bucket). */
  private touchesOf(bucket: CollectedBucket): { readonly touches: readonly Touch[]; readonly roots: readonly string[] } {
    let found = this.byBucket.get(bucket.name);
    if (!found) {
      const roots = rootsOf(bucket, this.ev.collection.accessPoints);
      const rootIndex = new Map(roots.map((r, i) => [r.toLowerCase(), i]));
      const touches: Touch[] = [];
      this.documents().forEach((doc, d) => {
        for (const s of prepare(doc)) touches.push(...statementTouches(d, s, roots, rootIndex));
      });
      found = { touches, roots };
      this.byBucket.set(bucket.name, found);
    }
    return found;
  }

  /**
   * The class of a dataset: datasets of equal classes are treated alike by every statement
   * the review knows. A dataset some statement cannot be decided for is in a class of its own.
   */
  classOf(probe: DatasetProbe): string {
    const own = `own:${probe.bucket.name}:${probe.objectKey}`;
    const { touches, roots } = this.touchesOf(probe.bucket);
    const values: Record<string, string> = { "s3:prefix": probe.prefix, "kms:encryptioncontext:aws:s3:arn": `${probe.bucket.arn}/${probe.objectKey}` };
    // The object under each root, made when first needed.
    const objects: (string | undefined)[] = [];
    const lowerObjects: string[] = [];
    // What holds for the dataset: a condition touch n matching as -(n + 1), a resource touch n
    // matching under root r as n * roots + r (one number per fact, no two alike).
    const facts: (string | number)[] = [probe.bucket.name, probe.keys];
    for (let n = 0; n < touches.length; n++) {
      const t = touches[n];
      if (t.undecided) return own;
      if (t.values && t.key) {
        const o = matchIndex(t.values, values[t.key], values[t.key].toLowerCase());
        if (o === "undecided") return own;
        if (o === "match") facts.push(-(n + 1));
        continue;
      }
      for (const [r, ix] of t.byRoot ?? []) {
        let object = objects[r];
        if (object === undefined) {
          object = objects[r] = objectUnder(roots[r], r, probe.objectKey);
          lowerObjects[r] = object.toLowerCase();
        }
        const o = matchIndex(ix, object, lowerObjects[r]);
        if (o === "undecided") return own;
        if (o === "match") facts.push(n * roots.length + r);
      }
    }
    return facts.join(" ");
  }
}
