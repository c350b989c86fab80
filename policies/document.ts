/**
 * IAM policies as typed data (DESIGN.md, decision 4). Statements are checked when they are
 * added, and serialized once, deterministically, at synth. Nothing here builds JSON from
 * strings.
 */
import { unknownActionReason } from "./actions";

/** What a policy document is attached as; decides which elements a statement may carry. */
export type PolicyKind = "identity" | "bucket" | "access-point" | "key" | "trust" | "scp" | "rcp" | "resource";

/** A condition block: operator -> condition key -> value(s). */
export type Conditions = Readonly<Record<string, Readonly<Record<string, string | boolean | readonly string[]>>>>;

/** The principals of a resource, key or trust policy statement. */
export interface Principals {
  readonly AWS?: readonly string[];
  readonly Service?: readonly string[];
  readonly Federated?: readonly string[];
  /** `"*"`: anyone; only meaningful with conditions or in Deny statements. */
  readonly any?: boolean;
}

/** One statement. */
export interface Statement {
  /** Statement id: letters and digits only. */
  readonly sid: string;
  readonly effect: "Allow" | "Deny";
  readonly principals?: Principals;
  readonly actions?: readonly string[];
  /** Deny everything but these actions (only with Deny). */
  readonly notActions?: readonly string[];
  readonly resources?: readonly string[];
  readonly conditions?: Conditions;
}

/** Raised when a statement breaks a rule of the policy model. */
export class PolicyError extends Error {
  constructor(policy: string, sid: string, rule: string) {
    super(`policy ${policy}, statement ${sid}: ${rule}`);
    this.name = "PolicyError";
  }
}

// An RCP statement names its principal too, and only as "*" (AWS's RCP syntax).
const KINDS_WITH_PRINCIPAL: readonly PolicyKind[] = ["bucket", "access-point", "key", "trust", "resource", "rcp"];
const KINDS_WITHOUT_RESOURCE: readonly PolicyKind[] = ["trust"];

/** The distinct values, sorted. Most lists are built sorted and distinct: checked in one pass first. */
function sorted(values: readonly string[]): string[] {
  for (let i = 1; i < values.length; i++) if (!(values[i - 1] < values[i])) return [...new Set(values)].sort();
  return [...values];
}

/** A policy document under construction. */
export class PolicyDocument {
  private readonly statements: Statement[] = [];

  /**
   * @param name what the policy is, for error messages ("data bucket policy of data-lake")
   * @param kind where it is attached
   */
  constructor(
    readonly name: string,
    readonly kind: PolicyKind,
  ) {}

  /** Adds a statement after checking it; returns this document. */
  add(statement: Statement): this {
    this.check(statement);
    if (this.statements.some((s) => s.sid === statement.sid)) {
      throw new PolicyError(this.name, statement.sid, "the Sid is already used in this policy");
    }
    this.statements.push(statement);
    return this;
  }

  /** The statements, in the order they were added. */
  get all(): readonly Statement[] {
    return this.statements;
  }

  /** True when no statement has been added. */
  get isEmpty(): boolean {
    return this.statements.length === 0;
  }

  private check(s: Statement): void {
    const fail = (rule: string) => {
      throw new PolicyError(this.name, s.sid, rule);
    };
    if (!/^[A-Za-z0-9]{1,128}$/.test(s.sid)) fail(`the Sid "${s.sid}" must be 1-128 letters and digits`);
    const hasActions = !!s.actions?.length;
    const hasNot = !!s.notActions?.length;
    if (hasActions === hasNot) fail("exactly one of actions and notActions must be given");
    if (hasNot && s.effect === "Allow") fail("notActions is allowed only in Deny statements");
    for (const a of [...(s.actions ?? []), ...(s.notActions ?? [])]) {
      if (s.effect === "Allow" && (a === "*" || /^[^:]+:\*$/.test(a))) {
        fail(`"${a}" grants every action of a service; Allow statements name their actions`);
      }
      if (a !== "*") {
        const reason = unknownActionReason(a);
        if (reason) fail(reason);
      }
    }
    const needsPrincipal = KINDS_WITH_PRINCIPAL.includes(this.kind);
    if (needsPrincipal && !s.principals) fail(`a ${this.kind} policy statement names its principals`);
    if (!needsPrincipal && s.principals) fail(`a ${this.kind} policy statement has no principals`);
    if (this.kind === "rcp" && s.principals && !s.principals.any) fail('an rcp statement\'s principal is "*", the only principal RCPs support');
    if (s.principals) {
      const p = s.principals;
      const named = (p.AWS?.length ?? 0) + (p.Service?.length ?? 0) + (p.Federated?.length ?? 0);
      if (!p.any && named === 0) fail("the principal list is empty");
      if (p.any && named > 0) fail('"*" cannot be combined with named principals');
      if (p.any && s.effect === "Allow" && !s.conditions) fail('an Allow to principal "*" needs conditions');
    }
    const noResource = KINDS_WITHOUT_RESOURCE.includes(this.kind);
    if (noResource && s.resources) fail("a trust policy statement has no resources");
    if (!noResource && !s.resources?.length) fail("every statement names its resources (no Resource means *)");
    for (const [op, keys] of Object.entries(s.conditions ?? {})) {
      for (const [key, value] of Object.entries(keys)) {
        if (Array.isArray(value) && value.length === 0) fail(`condition ${op} ${key} has no values`);
      }
    }
  }

  /** The document as plain JSON data, with a stable key order and sorted value lists. */
  toJson(): Record<string, unknown> {
    return documentJson(this.statements);
  }

  /** The document as minified JSON: what AWS stores and counts. */
  toString(): string {
    return JSON.stringify(this.toJson());
  }
}

/** Statements as a policy document's JSON data (no checks: see PolicyDocument.add). */
export function documentJson(statements: readonly Statement[]): Record<string, unknown> {
  return { Version: "2012-10-17", Statement: statements.map(statementJson) };
}

function statementJson(s: Statement): Record<string, unknown> {
  const out: Record<string, unknown> = { Sid: s.sid, Effect: s.effect };
  if (s.principals) {
    const p = s.principals;
    if (p.any) out.Principal = "*";
    else {
      const principal: Record<string, unknown> = {};
      if (p.AWS?.length) principal.AWS = list(p.AWS);
      if (p.Service?.length) principal.Service = list(p.Service);
      if (p.Federated?.length) principal.Federated = list(p.Federated);
      out.Principal = principal;
    }
  }
  if (s.actions) out.Action = list(s.actions);
  if (s.notActions) out.NotAction = list(s.notActions);
  if (s.resources) out.Resource = list(s.resources);
  if (s.conditions) {
    const cond: Record<string, Record<string, unknown>> = {};
    for (const op of Object.keys(s.conditions).sort()) {
      cond[op] = {};
      for (const key of Object.keys(s.conditions[op]).sort()) {
        const v = s.conditions[op][key];
        cond[op][key] = Array.isArray(v) ? list(v) : typeof v === "boolean" ? String(v) : v;
      }
    }
    out.Condition = cond;
  }
  return out;
}

/** A single value stays a string, several become a sorted array (how AWS echoes policies). */
function list(values: readonly string[]): string | string[] {
  const s = sorted(values);
  return s.length === 1 ? s[0] : s;
}
