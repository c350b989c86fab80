/**
 * What the topology rules share: defensive readers of the file as written, the problem
 * collector, and the accounts section as the rules see it.
 */
import { Problem, show } from "../errors";
import * as f from "../formats";

/** A parsed object of the file. */
export type Json = Record<string, unknown>;

/** The value as an object, or undefined when it is not one. */
export function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : undefined;
}
/** The value as an array, or empty when it is not one. */
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
/** The value as a string, or undefined when it is not one. */
export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** Collects problems and offers the checks rules share. */
/**
 * The values of a list as a set, made once per list: a topology of 1,000 accounts names an
 * account a million times, and searching the list each time made validation quadratic.
 */
const knownSets = new WeakMap<readonly string[], Set<string>>();
function knownSet(values: readonly string[]): Set<string> {
  let set = knownSets.get(values);
  if (!set) knownSets.set(values, (set = new Set(values)));
  return set;
}

export class Checker {
  readonly problems: Problem[] = [];

  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  /** Reports a value that is not among the known ones. */
  known(path: string, value: unknown, kind: string, knownValues: readonly string[]): boolean {
    const v = str(value);
    if (v === undefined) return false; // the shape check reports non-strings
    if (knownSet(knownValues).has(v)) return true;
    const list = knownValues.length ? knownValues.join(", ") : "none defined";
    this.add(path, `unknown ${kind} ${show(v)}; known: ${list}`);
    return false;
  }

  /** Reports repeated values of `key` among items. */
  unique(items: unknown[], basePath: string, key: string, kind: string): void {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      const v = str(obj(item)?.[key]);
      if (v === undefined) return;
      const first = seen.get(v);
      if (first !== undefined) {
        this.add(`${basePath}[${i}].${key}`, `duplicate ${kind} ${show(v)}; already used at ${basePath}[${first}]`);
      } else seen.set(v, i);
    });
  }
}

/** The accounts section, as the rules see it. */
export interface AccountView {
  readonly keys: string[];
  /** Accounts the app deploys to (have an id, inside the organization). */
  readonly deployable: string[];
  readonly external: Set<string>;
  readonly pending: Set<string>;
  readonly id: Map<string, string>;
  readonly region: Map<string, string>;
  readonly environment: Map<string, string>;
}

/** Reads the accounts section defensively. */
export function viewAccounts(t: Json, defaultRegion: string | undefined): AccountView {
  const accounts = obj(t.accounts) ?? {};
  const view: AccountView = {
    keys: Object.keys(accounts),
    deployable: [],
    external: new Set(),
    pending: new Set(),
    id: new Map(),
    region: new Map(),
    environment: new Map(),
  };
  for (const [key, raw] of Object.entries(accounts)) {
    const a = obj(raw) ?? {};
    const id = str(a.id);
    if (id) view.id.set(key, id);
    view.region.set(key, (a.region === undefined ? defaultRegion : region(a.region)) ?? "");
    const env = str(a.environment);
    if (env) view.environment.set(key, env);
    if (a.outsideOrganization === true) view.external.add(key);
    else if (a.create === true && !id) view.pending.add(key);
    else view.deployable.push(key);
  }
  return view;
}

/** A region only when it is well formed: the shape check reports a bad one, rules must not compare with it. */
export function region(v: unknown): string | undefined {
  const r = str(v);
  return r !== undefined && f.REGION.pattern.test(r) ? r : undefined;
}

/** Where an account is used although it cannot be deployed to. */
export function usable(c: Checker, acc: AccountView, path: string, key: unknown, what: string): boolean {
  const k = str(key);
  if (k === undefined) return false;
  if (!c.known(path, k, "account", acc.keys)) return false;
  if (acc.external.has(k)) {
    c.add(path, `account ${show(k)} is outsideOrganization, so it cannot ${what}; it may only be a RAM share principal`);
    return false;
  }
  return true;
}

/** Reports an account used before the management stack created it (no id yet). */
export function pendingError(c: Checker, acc: AccountView, path: string, key: string): boolean {
  if (!acc.pending.has(key)) return false;
  c.add(path, `account ${show(key)} has no id yet (create: true); write the id the management stack outputs into accounts.${key}.id, then use it here`);
  return true;
}

/** The consumer accounts of a shared resource, and those among them whose SageMaker users may be granted. */
export interface ConsumerEntry {
  readonly all: Set<string>;
  readonly sagemaker: Set<string>;
}

/**
 * Records a consumer account and its roles (`sagemaker` when none are given) on a dataset's or
 * table's entry, reporting a role listed twice at `consumerPath`.roles[k].
 */
export function addConsumerRoles(c: Checker, entry: ConsumerEntry, key: string, rawRoles: unknown, consumerPath: string): void {
  entry.all.add(key);
  const roles = rawRoles === undefined ? ["sagemaker"] : arr(rawRoles);
  if (roles.includes("sagemaker")) entry.sagemaker.add(key);
  roles.forEach((r, k) => {
    if (typeof r === "string" && roles.indexOf(r) !== k) c.add(`${consumerPath}.roles[${k}]`, `duplicate role ${show(r)}`);
  });
}
