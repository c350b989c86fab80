/**
 * Policy statements prepared for quick relevance tests: which statements of a document can
 * apply to one request (its action, its resource, and for resource policies its principal).
 *
 * The evaluator hands the simulator only those statements, trimmed to the `Action` and
 * `Resource` entries that match. A statement left out could not have matched, so the answer
 * is the same; the simulator's cost grows with what it loads, and the review asks tens of
 * thousands of questions of policies with hundreds of resources each.
 *
 * The tests never drop a statement that can match: actions, resources and condition values
 * match case-insensitively and with IAM wildcards (a superset of what AWS and the simulator
 * match); a condition only drops its statement when it certainly fails (a positive string or
 * ARN operator, `Bool` or `Null` on a single-valued key); and any entry these tests do not
 * model exactly (policy variables, short ARNs, wildcards outside the resource part,
 * `NotAction`, `NotResource`, `NotPrincipal`, set operators) keeps its statement. A
 * statement kept on the strength of an inexact entry is marked so, and the evaluator never
 * reuses an answer for another resource on the strength of it.
 */
import { JsonValue, PolicyJson } from "./collect";
import { accountRootArn } from "../config/naming";

type Statement = { readonly [key: string]: JsonValue };

/** One statement of a policy, with what the relevance tests need. */
export interface PreparedStatement {
  /** The statement's 1-based position in its policy. */
  readonly index: number;
  readonly statement: Statement;
  readonly effect: "Allow" | "Deny";
  readonly sid?: string;
  /** Context keys the statement reads, lower case: in conditions, and as policy variables. */
  readonly conditionKeys: readonly string[];
  /** The keys of its policy variables, lower case (a wider statement without conditions still reads them). */
  readonly variableKeys: readonly string[];
  readonly actions?: ActionMatcher;
  readonly resources?: ResourceMatcher;
  /** Whether the statement has a `Principal` or `NotPrincipal` (resource-side policies). */
  readonly principal?: JsonValue;
  readonly notPrincipal: boolean;
}

/** A statement that can apply to a request, trimmed to the entries that match it. */
export interface RelevantStatement {
  readonly prepared: PreparedStatement;
  /** The statement with `Action` and `Resource` narrowed to the matching entries. */
  readonly trimmed: Statement;
  /** False when a match rests on an entry the tests do not model exactly (see the module's TSDoc). */
  readonly exact: boolean;
}

interface ActionMatcher {
  readonly exact: ReadonlySet<string>;
  readonly patterns: readonly RegExp[];
}

interface ResourceMatcher {
  /** Entries without wildcards, by lower-case value. */
  readonly exact: ReadonlyMap<string, string[]>;
  /** Entries `<prefix>*` whose only wildcard ends the resource part, by lower-case prefix. */
  readonly prefixes: ReadonlyMap<string, string[]>;
  readonly prefixLengths: readonly number[];
  /** `*`: every resource. */
  readonly all: readonly string[];
  /** Anything else, matched by a regular expression but inexact (a policy variable matches anything). */
  readonly other: readonly { readonly entry: string; readonly re: RegExp }[];
}

function list(v: JsonValue | undefined): readonly JsonValue[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v as JsonValue];
}

/** The strings of a value that may be one or a list. */
export function strings(v: JsonValue | undefined): string[] {
  return list(v).filter((x): x is string => typeof x === "string");
}

/** Whether a JSON value is an object. */
export function isRecord(v: JsonValue | undefined): v is { readonly [key: string]: JsonValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** An IAM wildcard pattern (`*`, `?`) as a regular expression over the whole value, case-insensitive unless asked. */
export function wildcardRegex(pattern: string, ignoreCase = true): RegExp {
  const key = ignoreCase ? pattern : `\u0000${pattern}`;
  let re = regexes.get(key);
  if (!re) {
    re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, ignoreCase ? "is" : "s");
    if (regexes.size > 200_000) regexes.clear();
    regexes.set(key, re);
  }
  return re;
}

const regexes = new Map<string, RegExp>();

function actionMatcher(patterns: string[]): ActionMatcher {
  const exact = new Set<string>();
  const res: RegExp[] = [];
  for (const p of patterns) {
    if (/[*?]/.test(p)) res.push(wildcardRegex(p));
    else exact.add(p.toLowerCase());
  }
  return { exact, patterns: res };
}

function push<K>(map: Map<K, string[]>, key: K, value: string): void {
  const l = map.get(key);
  if (l) l.push(value);
  else map.set(key, [value]);
}

function resourceMatcher(entries: string[]): ResourceMatcher {
  const exact = new Map<string, string[]>();
  const prefixes = new Map<string, string[]>();
  const all: string[] = [];
  const other: { entry: string; re: RegExp }[] = [];
  for (const e of entries) {
    const colons = (e.match(/:/g) ?? []).length;
    const fullArn = e.startsWith("arn:") && colons >= 5;
    const wild = /[*?]/.test(e);
    if (e === "*") all.push(e);
    else if (!fullArn || e.includes("${")) other.push({ entry: e, re: wildcardRegex(e.replace(/\$\{[^}]*\}/g, "*")) });
    else if (!wild) push(exact, e.toLowerCase(), e);
    else {
      const star = e.indexOf("*");
      const prefix = e.slice(0, -1);
      const onlyTrailingStar = star === e.length - 1 && !e.includes("?");
      const inResourcePart = (prefix.match(/:/g) ?? []).length >= 5;
      if (onlyTrailingStar && inResourcePart) push(prefixes, prefix.toLowerCase(), e);
      else other.push({ entry: e, re: wildcardRegex(e) });
    }
  }
  return { exact, prefixes, prefixLengths: [...new Set([...prefixes.keys()].map((p) => p.length))], all, other };
}

/**
 * The context keys a statement reads, lower case: its condition keys, and the keys of the
 * policy variables in its resources and condition values (`${s3:prefix}`), whose values
 * change what it matches as much as a condition does.
 */
function conditionKeysOf(s: Statement): string[] {
  const keys = new Set<string>();
  if (isRecord(s.Condition)) {
    for (const op of Object.values(s.Condition)) if (isRecord(op)) for (const k of Object.keys(op)) keys.add(k.toLowerCase());
  }
  for (const k of variableKeysOf(s)) keys.add(k);
  return [...keys];
}

/** The keys of the policy variables (`${key}`, `${key, 'default'}`) in a statement's resources and condition values, lower case. */
export function variableKeysOf(s: Statement): string[] {
  const keys = new Set<string>();
  const scan = (v: JsonValue | undefined): void => {
    if (typeof v === "string") {
      for (const m of v.matchAll(/\$\{([^}]*)\}/g)) keys.add(m[1].split(",")[0].trim().toLowerCase());
    } else if (Array.isArray(v)) v.forEach(scan);
    else if (isRecord(v)) Object.values(v).forEach(scan);
  };
  scan(s.Resource);
  scan(s.NotResource);
  scan(s.Condition);
  return [...keys];
}

const prepared = new WeakMap<object, readonly PreparedStatement[]>();

/** The statements of a policy document, prepared once per document object. */
export function prepare(doc: PolicyJson): readonly PreparedStatement[] {
  const cached = prepared.get(doc);
  if (cached) return cached;
  const out = list(doc.Statement)
    .filter(isRecord)
    .map((s, i): PreparedStatement => ({
      index: i + 1,
      statement: s,
      effect: s.Effect === "Deny" ? "Deny" : "Allow",
      ...(typeof s.Sid === "string" ? { sid: s.Sid } : {}),
      conditionKeys: conditionKeysOf(s),
      variableKeys: variableKeysOf(s),
      actions: s.Action !== undefined && s.NotAction === undefined ? actionMatcher(strings(s.Action)) : undefined,
      resources: s.Resource !== undefined && s.NotResource === undefined ? resourceMatcher(strings(s.Resource)) : undefined,
      principal: s.Principal,
      notPrincipal: s.NotPrincipal !== undefined,
    }));
  prepared.set(doc, out);
  return out;
}

/** Whether a statement's `Action` can match the action (statements with `NotAction` always can). */
export function actionMatches(s: PreparedStatement, action: string): boolean {
  if (!s.actions) return true;
  const a = action.toLowerCase();
  return s.actions.exact.has(a) || s.actions.patterns.some((re) => re.test(a));
}

/** The `Resource` entries that match a resource, and whether every match is exact. `undefined`: the statement has no `Resource`. */
export function matchingResources(s: PreparedStatement, resource: string): { entries: string[]; exact: boolean } | undefined {
  const m = s.resources;
  if (!m) return undefined;
  const r = resource.toLowerCase();
  const entries: string[] = [...m.all, ...(m.exact.get(r) ?? [])];
  for (const len of m.prefixLengths) if (r.length >= len) entries.push(...(m.prefixes.get(r.slice(0, len)) ?? []));
  let exact = true;
  for (const o of m.other) {
    if (o.re.test(resource)) {
      entries.push(o.entry);
      exact = false;
    }
  }
  return { entries, exact };
}

/** Who a request comes from, for `Principal` tests. */
export interface RequestPrincipal {
  /** The principal as it signs the request (a role, or an assumed-role session). */
  readonly arn: string;
  /** The role behind it. */
  readonly roleArn: string;
  readonly accountId: string;
}

/**
 * Whether a resource-side statement's `Principal` can match the principal: `*`, the
 * principal's account (id or root ARN), its role or its session. `NotPrincipal`, or a
 * principal element these tests do not model, always can.
 */
export function principalMatches(s: PreparedStatement, p: RequestPrincipal): boolean {
  if (s.notPrincipal) return true;
  const pr = s.principal;
  if (pr === undefined) return true;
  if (pr === "*") return true;
  if (!isRecord(pr)) return true;
  const aws = strings(pr.AWS);
  const partition = p.roleArn.split(":")[1] ?? "aws";
  const wanted = new Set([p.arn, p.roleArn, p.accountId, accountRootArn(partition, p.accountId)].map((x) => x.toLowerCase()));
  return aws.some((v) => v === "*" || v.includes("*") || wanted.has(v.toLowerCase()));
}

/**
 * The statements of a document that can apply to a request, trimmed; `principal` given for
 * resource-side documents (bucket, access point, key, trust, RCP).
 */
export function relevantStatements(
  doc: PolicyJson,
  action: string,
  resource: string,
  principal?: RequestPrincipal,
  context?: Readonly<Record<string, string | readonly string[]>> | ContextIndex,
): RelevantStatement[] {
  const out: RelevantStatement[] = [];
  for (const s of prepare(doc)) {
    if (!actionMatches(s, action)) continue;
    if (principal && !principalMatches(s, principal)) continue;
    const r = matchingResources(s, resource);
    if (r && r.entries.length === 0) continue;
    if (context && !conditionsCouldHold(s.statement, context)) continue;
    const exact = (r?.exact ?? true) && !s.notPrincipal && s.statement.NotResource === undefined;
    out.push(new Relevant(s, exact, action, r?.entries, context));
  }
  return out;
}

/**
 * A {@link RelevantStatement} whose trimmed text is made when first read: most callers only
 * ask whether an Allow can apply, and most requests of a large review are answered from
 * memory without the statements' text (building it per request was most of the review's
 * garbage).
 */
class Relevant implements RelevantStatement {
  private text?: Statement;

  constructor(
    readonly prepared: PreparedStatement,
    readonly exact: boolean,
    private readonly action: string,
    private readonly entries: readonly string[] | undefined,
    private readonly context: Readonly<Record<string, string | readonly string[]>> | ContextIndex | undefined,
  ) {}

  get trimmed(): Statement {
    if (!this.text) {
      const s = this.prepared;
      const t: Record<string, JsonValue> = { ...s.statement };
      if (s.actions) t.Action = this.action;
      if (this.entries) t.Resource = this.entries.length === 1 ? this.entries[0] : [...new Set(this.entries)];
      if (this.context && isRecord(s.statement.Condition)) t.Condition = trimConditionValues(s.statement.Condition, this.context);
      this.text = t;
    }
    return this.text;
  }
}

/** Positive operators: true only when some value matches; false when the key is absent (unless `IfExists`). */
const POSITIVE = /^(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)(IfExists)?$/;

/**
 * False when a statement's conditions certainly fail for the context: a positive string or
 * ARN operator whose key is absent (without `IfExists`) or whose values cannot match the
 * key's single value (compared as {@link trimConditionValues} does), a `Bool` on an absent
 * key or another value, a `Null` contradicted by the key's presence. Anything else may hold.
 * A statement whose conditions fail cannot apply, whatever its effect, so leaving it out
 * changes no answer. `openKeys` (lower case), when the context does not give them, may hold
 * any value or none (for tests over every request of a kind).
 */
export function conditionsCouldHold(statement: Statement, context: Readonly<Record<string, string | readonly string[]>> | ContextIndex, openKeys?: ReadonlySet<string>): boolean {
  const condition = statement.Condition;
  if (!isRecord(condition)) return true;
  const lowerContext = contextIndex(context);
  for (const [op, block] of Object.entries(condition)) {
    if (!isRecord(block)) continue;
    const ifExists = op.endsWith("IfExists");
    for (const [key, values] of Object.entries(block)) {
      const vs = strings(values);
      if (vs.length !== list(values).length || vs.some((v) => v.includes("${"))) continue;
      const lowerKey = key.toLowerCase();
      const present = lowerContext.has(lowerKey);
      // An open key the context does not give may take any value, or none.
      if (!present && openKeys?.has(lowerKey)) continue;
      const actual = lowerContext.get(lowerKey);
      if (op === "Null") {
        if (vs.length === 1 && vs[0].toLowerCase() === "true" && present) return false;
        if (vs.length === 1 && vs[0].toLowerCase() === "false" && !present) return false;
        continue;
      }
      if (!present) {
        if (!ifExists && (POSITIVE.test(op) || op === "Bool")) return false;
        continue;
      }
      if (typeof actual !== "string") continue;
      if (POSITIVE.test(op) && !vs.some((v) => wildcardRegex(v).test(actual))) return false;
      if ((op === "Bool" || op === "BoolIfExists") && !vs.some((v) => v.toLowerCase() === actual.toLowerCase())) return false;
    }
  }
  return true;
}

const contextIndexes = new WeakMap<object, Map<string, string | readonly string[]>>();

/** A request context by lower-case key: build it once for many statements ({@link relevantStatements} takes either form). */
export type ContextIndex = ReadonlyMap<string, string | readonly string[]>;

/** The context by lower-case key. */
export function indexContext(context: Readonly<Record<string, string | readonly string[]>>): ContextIndex {
  return contextIndex(context);
}

function contextIndex(context: Readonly<Record<string, string | readonly string[]>> | ContextIndex): Map<string, string | readonly string[]> {
  if (context instanceof Map) return context;
  let m = contextIndexes.get(context);
  if (!m) {
    m = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
    contextIndexes.set(context, m);
  }
  return m;
}

/** Single-valued condition operators whose outcome depends only on whether some value matches. */
const TRIMMABLE = /^(String(Not)?(Equals|EqualsIgnoreCase|Like)|Arn(Not)?(Equals|Like))(IfExists)?$/;

/**
 * A condition block with long value lists cut down to the values that can match the
 * request's context value (compared case-insensitively, wildcards honoured: a superset of
 * the simulator's matches), plus the first value. For a single-valued key and an operator
 * that asks "does some value match" (or its `Not` form) the outcome is unchanged, and the
 * simulator no longer compares a hundred prefixes per request.
 */
export function trimConditionValues(
  condition: { readonly [op: string]: JsonValue },
  context: Readonly<Record<string, string | readonly string[]>> | ContextIndex,
): { [op: string]: JsonValue } {
  const lowerContext = contextIndex(context);
  const out: { [op: string]: JsonValue } = {};
  for (const [op, block] of Object.entries(condition)) {
    if (!TRIMMABLE.test(op) || !isRecord(block)) {
      out[op] = block;
      continue;
    }
    const trimmed: { [key: string]: JsonValue } = {};
    for (const [key, values] of Object.entries(block)) {
      const actual = lowerContext.get(key.toLowerCase());
      const vs = strings(values);
      if (typeof actual !== "string" || !Array.isArray(values) || vs.length !== values.length || vs.length < 5 || vs.some((v) => v.includes("${"))) {
        trimmed[key] = values;
        continue;
      }
      const keep = vs.filter((v, i) => i === 0 || wildcardRegex(v).test(actual));
      trimmed[key] = keep.length === 1 ? keep[0] : keep;
    }
    out[op] = trimmed;
  }
  return out;
}

/**
 * The statement without the conditions on request-specific keys (any key but the global
 * `aws:` ones): a wider statement. If it does not apply, neither does the statement, and its
 * answer holds for every object, prefix and encryption header.
 */
export function withoutRequestKeys(statement: Statement): Statement | undefined {
  if (!isRecord(statement.Condition)) return undefined;
  let dropped = false;
  const condition: { [op: string]: JsonValue } = {};
  for (const [op, block] of Object.entries(statement.Condition)) {
    if (!isRecord(block)) {
      condition[op] = block;
      continue;
    }
    const kept = Object.entries(block).filter(([k]) => k.toLowerCase().startsWith("aws:"));
    if (kept.length !== Object.keys(block).length) dropped = true;
    if (kept.length) condition[op] = Object.fromEntries(kept);
  }
  if (!dropped) return undefined;
  const { Condition: _ignored, ...rest } = statement;
  return Object.keys(condition).length ? { ...rest, Condition: condition } : rest;
}
