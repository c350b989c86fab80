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
 * What these tests cannot decide for certain (policy variables that could match, a dataset's
 * key as a policy variable anywhere, a match that depends on case, text outside ASCII, an
 * operator other than the string and ARN ones on a dataset's key) puts the dataset in a class
 * of its own: a class is never wider than the policies make it.
 */
import { CollectedAccessPoint, CollectedBucket, PolicyJson } from "./collect";
import type { AccessEvaluator } from "./evaluate";
import { literalOf } from "./statement-reach";
import { isRecord, prepare, strings, wildcardRegex } from "./statements";

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

/** Characters outside ASCII, whose case the tests do not compare the way the simulator does. */
const NON_ASCII = /[^\x00-\x7f]/;

/** Operators whose outcome, for a key with one value, depends only on whether some value matches it. */
const MATCHING = /^(ForAnyValue:|ForAllValues:)?(String(Not)?(Equals|EqualsIgnoreCase|Like)|Arn(Not)?(Equals|Like))(IfExists)?$/;

function colons(text: string): number {
  let n = 0;
  for (let i = text.indexOf(":"); i !== -1; i = text.indexOf(":", i + 1)) n++;
  return n;
}

/** Whether a wildcard pattern matches: ARNs part by part (a wildcard stays within its part, the resource part is the rest), strings whole. */
function wildcardMatches(pattern: string, value: string, arn: boolean, ignoreCase: boolean): boolean {
  if (arn) {
    const ps = pattern.split(":");
    const vs = value.split(":");
    if (ps.length >= 6 && vs.length >= 6) {
      for (let i = 0; i < 5; i++) if (!wildcardRegex(ps[i], ignoreCase).test(vs[i])) return false;
      return wildcardRegex(ps.slice(5).join(":"), ignoreCase).test(vs.slice(5).join(":"));
    }
  }
  return wildcardRegex(pattern, ignoreCase).test(value);
}

/** A pattern as an index holds it: the fact it decides, and its text (for a prefix, its literal). */
interface Entry {
  readonly fact: number;
  readonly text: string;
}

function push<K>(map: Map<K, Entry[]>, key: K, entry: Entry): void {
  const l = map.get(key);
  if (l) l.push(entry);
  else map.set(key, [entry]);
}

/**
 * The patterns of every statement part that may touch one value of a dataset (its object
 * under one root, or the value of one of its keys under one kind of operator), indexed
 * together, each with the fact it decides.
 */
class SlotIndex {
  /** Patterns without wildcards (or compared as text), by lower-case text. */
  private readonly exact = new Map<string, Entry[]>();
  /** Patterns `<literal>*` whose only wildcard ends them (in an ARN's resource part), by lower-case literal. */
  private readonly prefixes = new Map<string, Entry[]>();
  private readonly lengths = new Set<number>();
  /** Any other wildcard pattern. */
  private readonly others: Entry[] = [];
  /** Patterns with policy variables: what they match depends on the principal. */
  private readonly variables: Entry[] = [];
  /** Some pattern has characters outside ASCII. */
  private foreign = false;

  /**
   * @param arn ARN patterns compare part by part (`Resource`, `Arn*` operators); strings whole.
   * @param ignoreCase an `...IgnoreCase` operator: a match in another case is a match.
   * @param like wildcards apply (`Resource`, `*Like` operators); otherwise patterns are text.
   */
  constructor(
    private readonly arn: boolean,
    private readonly ignoreCase: boolean,
    private readonly like: boolean,
  ) {}

  add(fact: number, pattern: string): void {
    if (NON_ASCII.test(pattern)) this.foreign = true;
    if (pattern.includes("${")) this.variables.push({ fact, text: pattern });
    else if (!this.like || !/[*?]/.test(pattern)) push(this.exact, pattern.toLowerCase(), { fact, text: pattern });
    else {
      const literal = pattern.slice(0, -1);
      if (pattern.endsWith("*") && !/[*?]/.test(literal) && (!this.arn || colons(literal) >= 5)) {
        push(this.prefixes, literal.toLowerCase(), { fact, text: literal });
        this.lengths.add(literal.length);
      } else this.others.push({ fact, text: pattern });
    }
  }

  /**
   * Records in `seen` every fact a pattern matches the value for (`lower`: the value in lower
   * case), with whether one matched in the same case (or the operator ignores case). False
   * when a policy variable could match: what decides it then is the principal.
   */
  match(value: string, lower: string, seen: Map<number, boolean>): boolean {
    // Outside ASCII, lower-casing and the simulator's case-insensitive comparison part ways.
    if (this.foreign || NON_ASCII.test(value)) return false;
    for (const v of this.variables) if (wildcardMatches(v.text.replace(/\$\{[^}]*\}/g, "*"), value, this.arn, true)) return false;
    const record = (fact: number, sameCase: boolean) => seen.set(fact, seen.get(fact) === true || sameCase || this.ignoreCase);
    for (const e of this.exact.get(lower) ?? []) record(e.fact, e.text === value);
    for (const len of this.lengths) {
      if (lower.length < len) continue;
      for (const e of this.prefixes.get(lower.slice(0, len)) ?? []) record(e.fact, value.startsWith(e.text));
    }
    for (const e of this.others) if (wildcardMatches(e.text, value, this.arn, true)) record(e.fact, wildcardMatches(e.text, value, this.arn, false));
    return true;
  }
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

/** What decides the classes of one bucket's datasets. */
interface BucketIndex {
  readonly roots: readonly string[];
  /** Per root, the patterns that may match an object under it. */
  readonly rootSlots: ReadonlyMap<number, SlotIndex>;
  /** Per dataset key and kind of operator, the condition values that may match. */
  readonly keySlots: readonly { readonly key: string; readonly slot: SlotIndex }[];
  /** Some statement has an operator these tests do not model on a dataset's key. */
  readonly undecided: boolean;
}

/**
 * Indexes every statement part that can touch a dataset of the bucket. Each part is a fact:
 * a `Resource` or `NotResource` part n matching under root r is `n * roots + r`, a condition
 * part n matching is `-(n + 1)`; one number per fact, no two alike.
 */
function indexBucket(docs: readonly PolicyJson[], roots: readonly string[]): BucketIndex {
  const rootIndex = new Map(roots.map((r, i) => [r.toLowerCase(), i]));
  const rootSlots = new Map<number, SlotIndex>();
  const keySlots = new Map<string, { key: string; slot: SlotIndex }>();
  let undecided = false;
  let n = 0;
  for (const doc of docs) {
    for (const s of prepare(doc)) {
      // A dataset's key as a policy variable (in a resource, or in another key's values) makes
      // what the statement matches depend on the dataset in ways these tests do not follow.
      if (s.variableKeys.some((k) => DATASET_KEYS.includes(k))) undecided = true;
      for (const part of ["Resource", "NotResource"] as const) {
        const part_n = n++;
        for (const e of strings(s.statement[part])) {
          if (e === "*") continue; // every object of every dataset alike
          for (const r of rootsReached(e, roots, rootIndex)) {
            let slot = rootSlots.get(r);
            if (!slot) rootSlots.set(r, (slot = new SlotIndex(true, false, true)));
            slot.add(part_n * roots.length + r, e);
          }
        }
      }
      const condition = s.statement.Condition;
      if (!isRecord(condition)) continue;
      for (const [op, block] of Object.entries(condition)) {
        if (!isRecord(block)) continue;
        for (const [key, values] of Object.entries(block)) {
          const lower = key.toLowerCase();
          if (!DATASET_KEYS.includes(lower)) continue;
          const fact = -(n++ + 1);
          const patterns = strings(values);
          if (!MATCHING.test(op) || patterns.length !== (Array.isArray(values) ? values.length : 1)) {
            undecided = true;
            continue;
          }
          // ARN operators match wildcards, `ArnEquals` as much as `ArnLike`.
          const arn = op.includes("Arn");
          const mode = { arn, ignoreCase: op.includes("IgnoreCase"), like: arn || op.includes("Like") };
          const slotKey = `${lower} ${mode.arn} ${mode.ignoreCase} ${mode.like}`;
          let entry = keySlots.get(slotKey);
          if (!entry) keySlots.set(slotKey, (entry = { key: lower, slot: new SlotIndex(mode.arn, mode.ignoreCase, mode.like) }));
          for (const v of patterns) entry.slot.add(fact, v);
        }
      }
    }
  }
  return { roots, rootSlots, keySlots: [...keySlots.values()], undecided };
}

/** Finds the classes of the datasets of one review; one per evaluator. */
export class DatasetClasses {
  private readonly byBucket = new Map<string, BucketIndex>();

  constructor(private readonly ev: AccessEvaluator) {}

  /** Every policy document the evaluator may hand the simulator. */
  private documents(): PolicyJson[] {
    const docs = new Set<PolicyJson>();
    for (const p of this.ev.collection.policies) if (p.document) docs.add(p.document);
    for (const list of Object.values(this.ev.options.extraIdentityPolicies ?? {})) for (const p of list) docs.add(p.document);
    for (const doc of Object.values(this.ev.options.policyDocuments ?? {})) docs.add(doc);
    return [...docs];
  }

  private indexOf(bucket: CollectedBucket): BucketIndex {
    let ix = this.byBucket.get(bucket.name);
    if (!ix) this.byBucket.set(bucket.name, (ix = indexBucket(this.documents(), rootsOf(bucket, this.ev.collection.accessPoints))));
    return ix;
  }

  /**
   * The class of a dataset: datasets of equal classes are treated alike by every statement
   * the review knows. A dataset some statement cannot be decided for is in a class of its own.
   */
  classOf(probe: DatasetProbe): string {
    const own = `own:${probe.bucket.name}:${probe.objectKey}`;
    const ix = this.indexOf(probe.bucket);
    if (ix.undecided) return own;
    const values: Record<string, string> = { "s3:prefix": probe.prefix, "kms:encryptioncontext:aws:s3:arn": `${probe.bucket.arn}/${probe.objectKey}` };
    // Each fact that holds, with whether a pattern matched in the same case.
    const seen = new Map<number, boolean>();
    for (const [r, slot] of ix.rootSlots) {
      const object = objectUnder(ix.roots[r], r, probe.objectKey);
      if (!slot.match(object, object.toLowerCase(), seen)) return own;
    }
    for (const { key, slot } of ix.keySlots) if (!slot.match(values[key], values[key].toLowerCase(), seen)) return own;
    const facts: number[] = [];
    for (const [fact, sameCase] of seen) {
      // Only a match in another case: whether AWS compares the case decides it.
      if (!sameCase) return own;
      facts.push(fact);
    }
    return [probe.bucket.name, probe.keys, ...facts.sort((a, b) => a - b)].join(" ");
  }
}
