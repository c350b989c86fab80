/**
 * One stack being collected: its providers (the account and region each resource is made
 * in), the resolution of `${...}` references to the values AWS will see (stand-ins for
 * values known only after apply, review/collect/references.ts), policy documents parsed,
 * and every value it cannot resolve reported once.
 */
import { partitionOf } from "../../config/naming";
import { CollectedPolicy, PolicyJson, PolicyKind, StackInput } from "./types";
import { Builder } from "./builder";
import { referenceValue } from "./references";

/** A resource's configuration in the stack's JSON. */
export type Json = Record<string, unknown>;

/** The account, region and partition of a provider. */
export interface ProviderInfo {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
}

/** A `${...}` reference to a resource of the same stack. */
export interface Reference {
  readonly type: string;
  readonly id: string;
  readonly attribute: string;
}

export const REFERENCE = /^([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([a-z_]+)$/;
export const DATA_REFERENCE = /^data\.([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([a-z_]+)$/;

/** Parses a value that is exactly one `${type.id.attr}` reference. */
export function asReference(value: unknown): Reference | undefined {
  if (typeof value !== "string") return undefined;
  const m = /^\$\{([^{}]*)\}$/.exec(value.trim());
  const r = m && REFERENCE.exec(m[1].trim());
  return r ? { type: r[1], id: r[2], attribute: r[3] } : undefined;
}

export function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function list(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** The state of one stack's collection, shared by the collectors of each kind of resource. */
export class StackContext {
  readonly resources: Record<string, Record<string, Json>>;
  private readonly providers = new Map<string, ProviderInfo>();
  private account!: ProviderInfo;
  /** Resolved values already computed, by `type.id.attribute`. */
  private readonly cache = new Map<string, string | undefined>();
  /** Unresolved values already reported (each once per address, attribute and value). */
  private readonly reported = new Set<string>();
  /** While true, unresolved values are not reported (outputs). */
  quiet = false;

  constructor(
    readonly stack: string,
    readonly json: StackInput,
    private readonly dependencies: readonly string[],
    readonly out: Builder,
  ) {
    const res: Record<string, Record<string, Json>> = {};
    for (const [type, byId] of Object.entries(json.resource ?? {})) {
      res[type] = {};
      for (const [id, config] of Object.entries(byId)) if (isObject(config)) res[type][id] = config;
    }
    this.resources = res;
  }

  // -- providers ------------------------------------------------------------------------

  /** Reads the stack's AWS providers: the account and region of each, and the stack's own account. */
  readProviders(): void {
    const aws = list(this.json.provider?.aws).filter(isObject);
    const regions: string[] = [];
    let first: ProviderInfo | undefined;
    for (const p of aws) {
      const alias = typeof p.alias === "string" ? p.alias : "";
      const label = alias ? `provider.aws.${alias}` : "provider.aws";
      const region = this.str(p.region, label, "region") ?? "unknown-region";
      let accountId: string | undefined;
      const allowed = list(p.allowed_account_ids).filter((x): x is string => typeof x === "string" && /^\d{12}$/.test(x));
      if (allowed.length === 1) accountId = allowed[0];
      else {
        const roleArn = list(p.assume_role).filter(isObject)[0]?.role_arn;
        const m = typeof roleArn === "string" ? /^arn:[^:]+:iam::(\d{12}):/.exec(roleArn) : null;
        if (m) accountId = m[1];
      }
      if (!accountId) {
        this.unresolvedValue(label, "allowed_account_ids", JSON.stringify(p.allowed_account_ids ?? null), "the provider names no single account id");
        accountId = "unknown-account";
      }
      const info = { accountId, region, partition: partitionOf(region) };
      this.providers.set(alias, info);
      if (!regions.includes(region)) regions.push(region);
      first ??= info;
    }
    if (!first) {
      first = { accountId: "unknown-account", region: "unknown-region", partition: "aws" };
      if (Object.keys(this.resources).length) this.unresolvedValue("provider.aws", "provider", "(none)", "the stack has resources but no AWS provider");
    }
    // The stack's account is the one its resources are made in; a provider of another account
    // used only by data sources (a read-only lookup through the management account) is no
    // second account of the stack.
    const used = new Set<ProviderInfo>();
    for (const byId of Object.values(this.resources)) for (const config of Object.values(byId)) used.add(this.whereIn(config, first));
    const accounts = new Set([...used].map((p) => p.accountId));
    if (accounts.size === 1) first = [...used][0];
    this.account = first;
    if (accounts.size > 1) {
      this.unresolvedValue("provider.aws", "allowed_account_ids", [...accounts].join(","), "the stack's resources are made in different accounts; each resource uses its own provider's");
    }
    this.out.stacks.push({ name: this.stack, accountId: first.accountId, region: first.region, regions, dependencies: [...this.dependencies], outputs: {} });
  }

  /** The account, region and partition a resource is made in (by its `provider`). */
  where(config: Json): ProviderInfo {
    return this.whereIn(config, this.account);
  }

  private whereIn(config: Json, fallback: ProviderInfo): ProviderInfo {
    const p = config.provider;
    if (typeof p === "string") {
      const alias = p.startsWith("aws.") ? p.slice(4) : p === "aws" ? "" : undefined;
      if (alias !== undefined && this.providers.has(alias)) return this.providers.get(alias)!;
    }
    return this.providers.get("") ?? fallback;
  }


  // -- resolution -------------------------------------------------------------------------

  /**
   * Resolves every `${...}` in a string. `$${` is Terraform's escape for a literal `${`
   * (IAM policy variables). Unresolvable expressions stay as written and are reported.
   */
  resolveText(text: string, address: string, attribute: string): { value: string; unresolved: string[] } {
    // Copied in runs between expressions, joined once: a string grown a character at a time
    // is a chain of one node per character until something flattens it, and a thousand-account
    // bucket policy made the collection's peak memory several times the stacks' size.
    const parts: string[] = [];
    const unresolved: string[] = [];
    let i = 0;
    while (i < text.length) {
      const next = text.indexOf("${", i);
      if (next === -1) {
        parts.push(text.slice(i));
        break;
      }
      const escaped = next > 0 && text[next - 1] === "$";
      if (escaped) {
        // `$${` is a literal `${`: keep what comes before the first `$`, then `${`.
        parts.push(text.slice(i, next - 1), "${");
        i = next + 2;
        continue;
      }
      parts.push(text.slice(i, next));
      i = next;
      // Find the matching brace, skipping quoted strings.
      let depth = 0;
      let j = i + 1;
      let quote = false;
      for (; j < text.length; j++) {
        const c = text[j];
        if (quote) {
          if (c === "\\") j++;
          else if (c === '"') quote = false;
        } else if (c === '"') quote = true;
        else if (c === "{") depth++;
        else if (c === "}" && --depth === 0) break;
      }
      const expr = text.slice(i + 2, j);
      const resolved = this.resolveExpression(expr.replace(/\\"/g, '"').trim());
      if (resolved === undefined) {
        unresolved.push(expr);
        this.unresolvedValue(address, attribute, expr, this.whyUnresolved(expr));
        parts.push(text.slice(i, j + 1));
      } else parts.push(resolved);
      i = j + 1;
    }
    return { value: parts.join(""), unresolved };
  }

  private whyUnresolved(expr: string): string {
    const d = DATA_REFERENCE.exec(expr);
    if (d && this.data(d[1], d[2])) return `the data source ${d[1]} is read at plan time (not modelled by the review)`;
    const r = REFERENCE.exec(expr);
    if (!r) return "not a reference to a resource of the stack (an expression, variable, local or data source)";
    if (!this.resources[r[1]]?.[r[2]]) return `no resource ${r[1]}.${r[2]} in the stack`;
    return `the attribute ${r[3]} of ${r[1]} is not known before apply (or not modelled by the review)`;
  }

  /** A resolved string attribute; reports and returns undefined when it cannot be resolved. */
  str(value: unknown, address: string, attribute: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") {
      this.unresolvedValue(address, attribute, JSON.stringify(value), "expected a string");
      return undefined;
    }
    const r = this.resolveText(value, address, attribute);
    return r.unresolved.length ? undefined : r.value;
  }

  /**
   * The value of a reference `type.id.attribute` to a resource of this stack (or a data
   * source it models), or undefined; see review/collect/references.ts for the stand-ins of
   * values known only after apply.
   */
  resolveExpression(expr: string): string | undefined {
    const d = DATA_REFERENCE.exec(expr);
    if (d) return this.resolveData({ type: d[1], id: d[2], attribute: d[3] });
    const r = REFERENCE.exec(expr);
    if (!r) return undefined;
    const key = `${r[1]}.${r[2]}.${r[3]}`;
    if (this.cache.has(key)) return this.cache.get(key);
    this.cache.set(key, undefined); // breaks reference cycles
    const value = referenceValue(this, { type: r[1], id: r[2], attribute: r[3] });
    this.cache.set(key, value);
    return value;
  }

  data(type: string, id: string): Json | undefined {
    const byId = isObject(this.json.data) ? this.json.data[type] : undefined;
    const config = isObject(byId) ? byId[id] : undefined;
    return isObject(config) ? config : undefined;
  }

  /**
   * The value of a data source reference. An OU looked up by name (through the management
   * account) stands in as `ou-synthetic-<logical id>`, like an OU the stack makes: its id
   * exists in AWS, but the review reads no account. Other data sources are not modelled.
   */
  private resolveData(ref: Reference): string | undefined {
    const config = this.data(ref.type, ref.id);
    if (!config || ref.type !== "aws_organizations_organizational_unit") return undefined;
    const w = this.where(config);
    const id = `ou-synthetic-${ref.id}`;
    if (ref.attribute === "id") return id;
    if (ref.attribute === "arn") return `arn:${w.partition}:organizations::${w.accountId}:ou/o-synthetic/${id}`;
    if (ref.attribute === "name") return this.str(config.name, `data.${ref.type}.${ref.id}`, "name");
    return undefined;
  }

  attr(config: Json, type: string, id: string, name: string): string | undefined {
    return this.str(config[name], `${type}.${id}`, name);
  }


  /** The IAM path of a role or policy, `/` by default. */
  iamPath(config: Json, ref: Reference): string {
    return config.path === undefined ? "/" : (this.attr(config, ref.type, ref.id, "path") ?? "/");
  }

  /** Reports a value that cannot be resolved, once per stack, address, attribute, value and reason. */
  unresolvedValue(address: string, attribute: string, value: string, reason: string): void {
    if (this.quiet) return;
    const key = JSON.stringify([this.stack, address, attribute, value, reason]);
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.out.unresolved.push({ stack: this.stack, address, attribute, value, reason });
  }

  /** A policy document attribute, resolved and parsed. */
  policy(kind: PolicyKind, raw: unknown, address: string, attribute: string, name: string, attachedTo: string, accountId: string): CollectedPolicy | undefined {
    if (raw === undefined || raw === null) return undefined;
    const text = typeof raw === "string" ? raw : JSON.stringify(raw);
    const r = this.resolveText(text, address, attribute);
    let document: PolicyJson | undefined;
    try {
      const parsed: unknown = JSON.parse(r.value);
      if (isObject(parsed)) document = parsed as PolicyJson;
      else this.unresolvedValue(address, attribute, r.value.slice(0, 200), "the policy is not a JSON object");
    } catch {
      this.unresolvedValue(address, attribute, r.value.slice(0, 200), "the policy is not JSON after resolving references");
    }
    const policy: CollectedPolicy = { kind, stack: this.stack, accountId, address, name, attachedTo, document, text: r.value, unresolved: r.unresolved };
    this.out.policies.push(policy);
    return policy;
  }

  /** Every resource of a type: logical id, configuration and address. */
  each(type: string): [string, Json, string][] {
    return Object.entries(this.resources[type] ?? {}).map(([id, c]) => [id, c, `${type}.${id}`]);
  }

}
