/**
 * Collects every policy of a synthesized `cdktf.out` with what it is attached to: role trust,
 * inline and managed policies, bucket and access point policies, KMS key policies (with the
 * key's aliases), organization policies (SCPs, RCPs) with their targets, and SageMaker model
 * package group policies; and, for the access review, RAM shares with their principals and
 * each stack's outputs.
 *
 * It reads the stacks' Terraform JSON and the manifest, nothing else. References inside a
 * stack (`${aws_s3_bucket.x.arn}`) are resolved to the values AWS will see; values that
 * exist only after apply become deterministic stand-ins: a KMS key's ARN is
 * {@link syntheticKeyArn}, its id the logical id; the ids of OUs, created accounts,
 * organization policies, SageMaker domains, security groups and VPC endpoints are
 * `ou-synthetic-<logical id>`, `synthetic-account-<logical id>`, `p-synthetic-<logical id>`,
 * `d-synthetic-<logical id>`, `sg-synthetic-<logical id>` and `vpce-synthetic-<logical id>`;
 * an OU looked up by name (a `data "aws_organizations_organizational_unit"`) is
 * `ou-synthetic-<logical id>` too. A stack's account is the one its resources are made in
 * (a provider of another account used only by data sources is a read-only lookup).
 * Every value that cannot be resolved is listed in {@link Collection.unresolved}, never
 * dropped.
 */
import * as fs from "fs";
import * as path from "path";
import { partitionOf } from "../config/naming";
import { accessPointArn, bucketArn, roleArn } from "../config/naming";

/** A JSON value, as policy documents hold them. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A policy document as parsed JSON (`Version`, `Statement`, ...). */
export type PolicyJson = { readonly [key: string]: JsonValue };

/** The JSON of one synthesized stack (`cdktf.out/stacks/<name>/cdk.tf.json`). */
export interface StackInput {
  readonly resource?: { readonly [type: string]: { readonly [logicalId: string]: unknown } };
  readonly provider?: { readonly [name: string]: unknown };
  readonly [key: string]: unknown;
}

/** The part of `cdktf.out/manifest.json` the collection reads. */
export interface ManifestInput {
  readonly stacks: {
    readonly [name: string]: { readonly synthesizedStackPath?: string; readonly dependencies?: readonly string[] };
  };
}

/** What a policy is, by where AWS attaches it. */
export type PolicyKind =
  | "trust"
  | "inline"
  | "managed"
  | "bucket"
  | "access-point"
  | "key"
  | "scp"
  | "rcp"
  | "organization-policy"
  | "model-package-group";

/** A value the collection could not resolve: a reference, a missing attribute, a document it cannot see. */
export interface UnresolvedValue {
  /** The stack the value is in. */
  readonly stack: string;
  /** The Terraform address within the stack (`aws_iam_role_policy.Foo`), or `provider.aws` for providers. */
  readonly address: string;
  /** The attribute holding the value (`policy`, `role`, `allowed_account_ids`, ...). */
  readonly attribute: string;
  /** The value, or the expression inside `${...}`, as written. */
  readonly value: string;
  /** Why it could not be resolved. */
  readonly reason: string;
}

/** One policy document and what it is attached to. */
export interface CollectedPolicy {
  readonly kind: PolicyKind;
  /** The stack that synthesizes it. */
  readonly stack: string;
  /** The account the policy lives in. */
  readonly accountId: string;
  /** The Terraform address of the resource holding the document (`aws_iam_role.X.inline_policy[0]` for blocks). */
  readonly address: string;
  /** A readable name: the policy's own name, or `<kind> of <what it is attached to>`. */
  readonly name: string;
  /**
   * The ARN of what the policy is attached to: the role, bucket, access point, key, model
   * package group; for a managed policy its own ARN; for organization policies the policy
   * itself (targets are on {@link CollectedOrgPolicy}).
   */
  readonly attachedTo: string;
  /** The document with references resolved; undefined when the text is not JSON even after resolution. */
  readonly document?: PolicyJson;
  /** The resolved text (what AWS measures against the policy's size quota). */
  readonly text: string;
  /** The references in this document that could not be resolved (also in {@link Collection.unresolved}). */
  readonly unresolved: readonly string[];
}

/** An IAM role: made by a stack, or an existing role that a stack attaches policies to. */
export interface CollectedRole {
  readonly stack: string;
  readonly accountId: string;
  readonly name: string;
  /** `arn:<partition>:iam::<account>:role<path><name>`. */
  readonly arn: string;
  /** `aws_iam_role.<id>` when the stack makes the role; undefined for a role that already exists. */
  readonly address?: string;
  /** The trust policy, when the stack makes the role. */
  readonly trustPolicy?: CollectedPolicy;
  /** Inline policies: `aws_iam_role_policy` resources and the role's `inline_policy` blocks. */
  readonly inlinePolicies: readonly CollectedPolicy[];
  /** Customer managed policies of the same stack attached to the role. */
  readonly managedPolicies: readonly CollectedPolicy[];
  /** AWS managed policies attached (`arn:aws:iam::aws:policy/...`), listed, not expanded. */
  readonly awsManagedPolicyArns: readonly string[];
  /** Other attached policy ARNs whose documents are not in the stack (also listed as unresolved). */
  readonly unknownPolicyArns: readonly string[];
}

/** Default encryption of a bucket. */
export interface BucketEncryption {
  /** `aws:kms`, `aws:kms:dsse` or `AES256`. */
  readonly algorithm: string;
  /** The KMS key (resolved; a synthetic ARN for keys of the stack). */
  readonly kmsKeyId?: string;
  readonly bucketKeyEnabled: boolean;
}

/** An S3 bucket and its policy. */
export interface CollectedBucket {
  readonly stack: string;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly arn: string;
  /** `aws_s3_bucket.<id>`; undefined when only a policy of an outside bucket is in the stack. */
  readonly address?: string;
  readonly policy?: CollectedPolicy;
  readonly encryption?: BucketEncryption;
}

/** An S3 access point and its policy. */
export interface CollectedAccessPoint {
  readonly stack: string;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  /** `arn:<partition>:s3:<region>:<account>:accesspoint/<name>`. */
  readonly arn: string;
  /** The bucket's name. */
  readonly bucket: string;
  readonly address: string;
  readonly policy?: CollectedPolicy;
}

/** A KMS key, its aliases and its key policy. */
export interface CollectedKey {
  readonly stack: string;
  readonly accountId: string;
  readonly region: string;
  readonly logicalId: string;
  readonly address: string;
  /** The synthetic ARN, {@link syntheticKeyArn}: the key's real id exists only after apply. */
  readonly arn: string;
  /** Alias names (`alias/acme-ml/datasets`) pointing at the key. */
  readonly aliases: readonly string[];
  readonly policy?: CollectedPolicy;
}

/** An organization policy (SCP, RCP, or another type) and the targets it is attached to. */
export interface CollectedOrgPolicy {
  readonly policy: CollectedPolicy;
  /** `SERVICE_CONTROL_POLICY`, `RESOURCE_CONTROL_POLICY`, ... */
  readonly type: string;
  /** Target ids: `r-...` (root), `ou-...` (or a synthetic `ou-synthetic-<logical id>`), account ids. */
  readonly targets: readonly string[];
}

/** An organizational unit the stacks make, or look up by name. */
export interface CollectedOrgUnit {
  /** The synthetic id `ou-synthetic-<logical id>` (the real id exists after apply), or the literal id. */
  readonly id: string;
  readonly name: string;
  /** The parent's id (root `r-...` or an OU id), resolved the same way. */
  readonly parentId: string;
  /** True for an OU the stacks look up by name (a data source) rather than make. */
  readonly lookedUp?: boolean;
}

/** An account the organization stacks place in an OU. */
export interface CollectedOrgAccount {
  /** The account id when known (an imported account), else a synthetic one. */
  readonly id: string;
  readonly name: string;
  readonly parentId?: string;
}

/** The organization as the management stack shapes it. */
export interface CollectedOrganization {
  readonly policies: readonly CollectedOrgPolicy[];
  readonly units: readonly CollectedOrgUnit[];
  readonly accounts: readonly CollectedOrgAccount[];
}

/** A SageMaker model package group policy. */
export interface CollectedModelPackageGroupPolicy {
  readonly groupName: string;
  /** `arn:<partition>:sagemaker:<region>:<account>:model-package-group/<name>`. */
  readonly arn: string;
  readonly policy: CollectedPolicy;
}

/** One stack's account and region. */
export interface CollectedStack {
  readonly name: string;
  /** The account the stack deploys into (the providers' `allowed_account_ids`). */
  readonly accountId: string;
  /** The region of the stack's first AWS provider. */
  readonly region: string;
  /** Every region the stack's AWS providers use. */
  readonly regions: readonly string[];
  /** Stacks this one deploys after (from the manifest). */
  readonly dependencies: readonly string[];
  /**
   * The stack's outputs (`datasets`, `model_artifacts`, `ml_projects`, ...) by name, their
   * values with references resolved where the review can (role and policy ARNs, names);
   * values known only after apply (a project id) stay as written, `${...}`.
   */
  readonly outputs: { readonly [name: string]: JsonValue };
}

/** A RAM resource share: who it shares with and what. */
export interface CollectedRamShare {
  readonly stack: string;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  /** `aws_ram_resource_share.<id>`. */
  readonly address: string;
  /** A stand-in ARN: the share's real ARN exists after apply. */
  readonly arn: string;
  /** Whether principals outside the organization may be associated (Terraform's default: false). */
  readonly allowExternalPrincipals: boolean;
  /** Associated principals as written: account ids, OU or organization ARNs. */
  readonly principals: readonly string[];
  /** Shared resource ARNs. */
  readonly resources: readonly string[];
}

/** Everything the collection found in a `cdktf.out`. */
export interface Collection {
  readonly stacks: readonly CollectedStack[];
  readonly roles: readonly CollectedRole[];
  readonly buckets: readonly CollectedBucket[];
  readonly accessPoints: readonly CollectedAccessPoint[];
  readonly keys: readonly CollectedKey[];
  readonly organization: CollectedOrganization;
  readonly modelPackageGroupPolicies: readonly CollectedModelPackageGroupPolicy[];
  /** RAM resource shares. */
  readonly ramShares: readonly CollectedRamShare[];
  /** Every policy above, flat, in stack order. */
  readonly policies: readonly CollectedPolicy[];
  /** Every value that could not be resolved. Empty means every policy is exactly what AWS will see. */
  readonly unresolved: readonly UnresolvedValue[];
}

/** The deterministic stand-in ARN of a KMS key made by a stack: its id exists only after apply. */
export function syntheticKeyArn(partition: string, region: string, accountId: string, logicalId: string): string {
  return `arn:${partition}:kms:${region}:${accountId}:key/${logicalId}`;
}

/** Reads a `cdktf.out` directory (its manifest and the stack files it names) and collects its policies. */
export function collectDirectory(outdir: string): Collection {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")) as ManifestInput;
  const stacks: Record<string, StackInput> = {};
  for (const [name, entry] of Object.entries(manifest.stacks)) {
    const file = entry.synthesizedStackPath ?? path.join("stacks", name, "cdk.tf.json");
    stacks[name] = JSON.parse(fs.readFileSync(path.join(outdir, file), "utf8")) as StackInput;
  }
  return collectStacks(stacks, manifest);
}

/**
 * Collects the policies of synthesized stacks, given as parsed JSON by stack name (as
 * `readStacks` returns them). The manifest, when given, supplies the stack order and
 * dependencies; otherwise the map's order is used.
 */
export function collectStacks(stacks: Readonly<Record<string, StackInput>>, manifest?: ManifestInput): Collection {
  const names = manifest ? Object.keys(manifest.stacks).filter((n) => n in stacks) : Object.keys(stacks);
  for (const n of Object.keys(stacks)) if (!names.includes(n)) names.push(n);
  const out = new Builder();
  for (const name of names) new StackCollector(name, stacks[name], manifest?.stacks[name]?.dependencies ?? [], out).collect();
  return out.finish();
}

// ---------------------------------------------------------------------------------------
// Implementation

type Json = Record<string, unknown>;

interface ProviderInfo {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
}

interface MutableRole {
  stack: string;
  accountId: string;
  name: string;
  arn: string;
  address?: string;
  trustPolicy?: CollectedPolicy;
  inlinePolicies: CollectedPolicy[];
  managedPolicies: CollectedPolicy[];
  awsManagedPolicyArns: string[];
  unknownPolicyArns: string[];
}

class Builder {
  readonly stacks: CollectedStack[] = [];
  readonly roles = new Map<string, MutableRole>();
  readonly buckets = new Map<string, CollectedBucket>();
  readonly accessPoints: CollectedAccessPoint[] = [];
  readonly keys: CollectedKey[] = [];
  readonly orgPolicies: CollectedOrgPolicy[] = [];
  readonly units: CollectedOrgUnit[] = [];
  readonly orgAccounts: CollectedOrgAccount[] = [];
  readonly groupPolicies: CollectedModelPackageGroupPolicy[] = [];
  readonly ramShares: CollectedRamShare[] = [];
  readonly policies: CollectedPolicy[] = [];
  readonly unresolved: UnresolvedValue[] = [];

  role(stack: string, accountId: string, name: string, arn: string): MutableRole {
    let r = this.roles.get(arn);
    if (!r) {
      r = { stack, accountId, name, arn, inlinePolicies: [], managedPolicies: [], awsManagedPolicyArns: [], unknownPolicyArns: [] };
      this.roles.set(arn, r);
    }
    return r;
  }

  finish(): Collection {
    return {
      stacks: this.stacks,
      roles: [...this.roles.values()].map((r) => ({ ...r })),
      buckets: [...this.buckets.values()],
      accessPoints: this.accessPoints,
      keys: this.keys,
      organization: { policies: this.orgPolicies, units: this.units, accounts: this.orgAccounts },
      modelPackageGroupPolicies: this.groupPolicies,
      ramShares: this.ramShares,
      policies: this.policies,
      unresolved: this.unresolved,
    };
  }
}

/** A `${...}` reference to a resource of the same stack. */
interface Reference {
  readonly type: string;
  readonly id: string;
  readonly attribute: string;
}

const REFERENCE = /^([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([a-z_]+)$/;
const DATA_REFERENCE = /^data\.([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([a-z_]+)$/;

/** Parses a value that is exactly one `${type.id.attr}` reference. */
function asReference(value: unknown): Reference | undefined {
  if (typeof value !== "string") return undefined;
  const m = /^\$\{([^{}]*)\}$/.exec(value.trim());
  const r = m && REFERENCE.exec(m[1].trim());
  return r ? { type: r[1], id: r[2], attribute: r[3] } : undefined;
}

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function list(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

class StackCollector {
  private readonly resources: Record<string, Record<string, Json>>;
  private readonly providers = new Map<string, ProviderInfo>();
  private account!: ProviderInfo;
  /** Resolved values already computed, by `type.id.attribute`. */
  private readonly cache = new Map<string, string | undefined>();
  /** Unresolved values already reported (each once per address, attribute and value). */
  private readonly reported = new Set<string>();
  /** While true, unresolved values are not reported (outputs). */
  private quiet = false;

  constructor(
    private readonly stack: string,
    private readonly json: StackInput,
    private readonly dependencies: readonly string[],
    private readonly out: Builder,
  ) {
    const res: Record<string, Record<string, Json>> = {};
    for (const [type, byId] of Object.entries(json.resource ?? {})) {
      res[type] = {};
      for (const [id, config] of Object.entries(byId)) if (isObject(config)) res[type][id] = config;
    }
    this.resources = res;
  }

  collect(): void {
    this.readProviders();
    this.collectKeys();
    this.collectBuckets();
    this.collectAccessPoints();
    this.collectRoles();
    this.collectOrganization();
    this.collectModelPackageGroups();
    this.collectRamShares();
    this.collectOutputs();
  }

  // -- outputs and RAM ---------------------------------------------------------------------------

  /** The stack's outputs, resolved quietly: an output is not a policy, and an id known after apply is no finding. */
  private collectOutputs(): void {
    const outputs: Record<string, JsonValue> = {};
    const resolve = (v: unknown): JsonValue => {
      if (typeof v === "string") {
        this.quiet = true;
        try {
          return this.resolveText(v, "output", "value").value;
        } finally {
          this.quiet = false;
        }
      }
      if (Array.isArray(v)) return v.map(resolve);
      if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
      return (v ?? null) as JsonValue;
    };
    const raw = isObject(this.json.output) ? this.json.output : {};
    for (const [name, o] of Object.entries(raw)) if (isObject(o)) outputs[name] = resolve(o.value);
    const i = this.out.stacks.findIndex((s) => s.name === this.stack);
    if (i >= 0) this.out.stacks[i] = { ...this.out.stacks[i], outputs };
  }

  private collectRamShares(): void {
    const shares = new Map<string, { share: Omit<CollectedRamShare, "principals" | "resources">; principals: string[]; resources: string[] }>();
    for (const [id, config, address] of this.each("aws_ram_resource_share")) {
      const w = this.where(config);
      const name = this.str(config.name, address, "name") ?? id;
      const arn = `arn:${w.partition}:ram:${w.region}:${w.accountId}:resource-share/synthetic-${id}`;
      shares.set(id, { share: { stack: this.stack, accountId: w.accountId, region: w.region, name, address, arn, allowExternalPrincipals: config.allow_external_principals === true }, principals: [], resources: [] });
    }
    const shareOf = (config: Json, address: string) => {
      const ref = asReference(config.resource_share_arn);
      const entry = ref?.type === "aws_ram_resource_share" ? shares.get(ref.id) : undefined;
      if (!entry) this.unresolvedValue(address, "resource_share_arn", String(config.resource_share_arn), "names a resource share that is not made by this stack");
      return entry;
    };
    for (const [, config, address] of this.each("aws_ram_principal_association")) {
      const entry = shareOf(config, address);
      const principal = this.str(config.principal, address, "principal");
      if (entry && principal) entry.principals.push(principal);
    }
    for (const [, config, address] of this.each("aws_ram_resource_association")) {
      const entry = shareOf(config, address);
      const resource = this.str(config.resource_arn, address, "resource_arn");
      if (entry && resource) entry.resources.push(resource);
    }
    for (const e of shares.values()) this.out.ramShares.push({ ...e.share, principals: e.principals, resources: e.resources });
  }

  // -- providers ------------------------------------------------------------------------

  private readProviders(): void {
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
  private where(config: Json): ProviderInfo {
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
  private resolveText(text: string, address: string, attribute: string): { value: string; unresolved: string[] } {
    let value = "";
    const unresolved: string[] = [];
    let i = 0;
    while (i < text.length) {
      if (text.startsWith("$${", i)) {
        value += "${";
        i += 3;
        continue;
      }
      if (!text.startsWith("${", i)) {
        value += text[i++];
        continue;
      }
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
        value += text.slice(i, j + 1);
      } else value += resolved;
      i = j + 1;
    }
    return { value, unresolved };
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
  private str(value: unknown, address: string, attribute: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") {
      this.unresolvedValue(address, attribute, JSON.stringify(value), "expected a string");
      return undefined;
    }
    const r = this.resolveText(value, address, attribute);
    return r.unresolved.length ? undefined : r.value;
  }

  /**
   * The value of a reference `type.id.attribute` to a resource of this stack, or undefined.
   * Values known only after apply get deterministic stand-ins: a KMS key's id is its logical
   * id and its ARN {@link syntheticKeyArn}; an OU's id is `ou-synthetic-<logical id>`; a
   * created account's id is `synthetic-account-<logical id>`; a SageMaker domain's id is
   * `d-synthetic-<logical id>`, a security group's `sg-synthetic-<logical id>`, a VPC
   * endpoint's `vpce-synthetic-<logical id>`.
   */
  private resolveExpression(expr: string): string | undefined {
    const d = DATA_REFERENCE.exec(expr);
    if (d) return this.resolveData({ type: d[1], id: d[2], attribute: d[3] });
    const r = REFERENCE.exec(expr);
    if (!r) return undefined;
    const key = `${r[1]}.${r[2]}.${r[3]}`;
    if (this.cache.has(key)) return this.cache.get(key);
    this.cache.set(key, undefined); // breaks reference cycles
    const value = this.resolveReference({ type: r[1], id: r[2], attribute: r[3] });
    this.cache.set(key, value);
    return value;
  }

  private data(type: string, id: string): Json | undefined {
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

  private attr(config: Json, type: string, id: string, name: string): string | undefined {
    return this.str(config[name], `${type}.${id}`, name);
  }

  private resolveReference(ref: Reference): string | undefined {
    const config = this.resources[ref.type]?.[ref.id];
    if (!config) return undefined;
    const w = this.where(config);
    const a = (name: string) => this.attr(config, ref.type, ref.id, name);
    switch (ref.type) {
      case "aws_s3_bucket": {
        const name = a("bucket");
        if (!name) return undefined;
        if (ref.attribute === "id" || ref.attribute === "bucket") return name;
        if (ref.attribute === "arn") return bucketArn(w.partition, name);
        if (ref.attribute === "region") return w.region;
        if (ref.attribute === "bucket_regional_domain_name") return `${name}.s3.${w.region}.amazonaws.com`;
        return undefined;
      }
      case "aws_kms_key":
        if (ref.attribute === "arn") return syntheticKeyArn(w.partition, w.region, w.accountId, ref.id);
        if (ref.attribute === "key_id" || ref.attribute === "id") return ref.id;
        return undefined;
      case "aws_kms_alias": {
        const name = a("name");
        if (!name) return undefined;
        if (ref.attribute === "name" || ref.attribute === "id") return name;
        if (ref.attribute === "arn") return `arn:${w.partition}:kms:${w.region}:${w.accountId}:${name}`;
        if (ref.attribute === "target_key_arn") {
          const target = asReference(config.target_key_id);
          return target?.type === "aws_kms_key" ? this.resolveExpression(`aws_kms_key.${target.id}.arn`) : undefined;
        }
        return undefined;
      }
      case "aws_iam_role": {
        const name = a("name");
        if (!name) return undefined;
        if (ref.attribute === "name" || ref.attribute === "id") return name;
        if (ref.attribute === "arn") return `arn:${w.partition}:iam::${w.accountId}:role${this.iamPath(config, ref)}${name}`;
        return undefined;
      }
      case "aws_iam_policy": {
        const name = a("name");
        if (!name) return undefined;
        const arn = `arn:${w.partition}:iam::${w.accountId}:policy${this.iamPath(config, ref)}${name}`;
        if (ref.attribute === "name") return name;
        if (ref.attribute === "arn" || ref.attribute === "id") return arn;
        return undefined;
      }
      case "aws_s3_access_point": {
        const name = a("name");
        if (!name) return undefined;
        const account = (config.account_id !== undefined ? a("account_id") : undefined) ?? w.accountId;
        if (ref.attribute === "name") return name;
        if (ref.attribute === "arn") return accessPointArn(w.partition, w.region, account, name);
        if (ref.attribute === "id") return `${account}:${name}`;
        return undefined;
      }
      case "aws_sagemaker_model_package_group": {
        const name = a("model_package_group_name");
        if (!name) return undefined;
        if (ref.attribute === "model_package_group_name" || ref.attribute === "id") return name;
        if (ref.attribute === "arn") return `arn:${w.partition}:sagemaker:${w.region}:${w.accountId}:model-package-group/${name}`;
        return undefined;
      }
      case "aws_sagemaker_domain": {
        const id = `d-synthetic-${ref.id}`;
        if (ref.attribute === "id") return id;
        if (ref.attribute === "arn") return `arn:${w.partition}:sagemaker:${w.region}:${w.accountId}:domain/${id}`;
        if (ref.attribute === "domain_name") return a("domain_name");
        return undefined;
      }
      case "aws_sagemaker_user_profile": {
        const name = a("user_profile_name");
        const domain = this.str(config.domain_id, `${ref.type}.${ref.id}`, "domain_id");
        if (!name || !domain) return undefined;
        if (ref.attribute === "user_profile_name") return name;
        if (ref.attribute === "arn" || ref.attribute === "id") return `arn:${w.partition}:sagemaker:${w.region}:${w.accountId}:user-profile/${domain}/${name}`;
        return undefined;
      }
      case "aws_security_group":
        if (ref.attribute === "id") return `sg-synthetic-${ref.id}`;
        if (ref.attribute === "arn") return `arn:${w.partition}:ec2:${w.region}:${w.accountId}:security-group/sg-synthetic-${ref.id}`;
        return undefined;
      case "aws_vpc_endpoint":
        if (ref.attribute === "id") return `vpce-synthetic-${ref.id}`;
        if (ref.attribute === "arn") return `arn:${w.partition}:ec2:${w.region}:${w.accountId}:vpc-endpoint/vpce-synthetic-${ref.id}`;
        return undefined;
      case "aws_organizations_organizational_unit":
        if (ref.attribute === "id") return `ou-synthetic-${ref.id}`;
        if (ref.attribute === "name") return a("name");
        return undefined;
      case "aws_organizations_account":
        if (ref.attribute === "id") return `synthetic-account-${ref.id}`;
        if (ref.attribute === "name") return a("name");
        return undefined;
      case "aws_ram_resource_share":
        if (ref.attribute === "arn" || ref.attribute === "id") return `arn:${w.partition}:ram:${w.region}:${w.accountId}:resource-share/synthetic-${ref.id}`;
        if (ref.attribute === "name") return a("name");
        return undefined;
      case "aws_organizations_policy":
        if (ref.attribute === "id") return `p-synthetic-${ref.id}`;
        if (ref.attribute === "name") return a("name");
        return undefined;
      default:
        return undefined;
    }
  }

  private iamPath(config: Json, ref: Reference): string {
    return config.path === undefined ? "/" : (this.attr(config, ref.type, ref.id, "path") ?? "/");
  }

  private unresolvedValue(address: string, attribute: string, value: string, reason: string): void {
    if (this.quiet) return;
    const key = JSON.stringify([this.stack, address, attribute, value, reason]);
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.out.unresolved.push({ stack: this.stack, address, attribute, value, reason });
  }

  /** A policy document attribute, resolved and parsed. */
  private policy(kind: PolicyKind, raw: unknown, address: string, attribute: string, name: string, attachedTo: string, accountId: string): CollectedPolicy | undefined {
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

  private each(type: string): [string, Json, string][] {
    return Object.entries(this.resources[type] ?? {}).map(([id, c]) => [id, c, `${type}.${id}`]);
  }

  // -- KMS ------------------------------------------------------------------------------------

  private collectKeys(): void {
    const keys = new Map<string, { key: Omit<CollectedKey, "aliases" | "policy">; aliases: string[]; policy?: CollectedPolicy }>();
    for (const [id, config, address] of this.each("aws_kms_key")) {
      const w = this.where(config);
      const arn = syntheticKeyArn(w.partition, w.region, w.accountId, id);
      const entry = { key: { stack: this.stack, accountId: w.accountId, region: w.region, logicalId: id, address, arn }, aliases: [] as string[], policy: undefined as CollectedPolicy | undefined };
      entry.policy = this.policy("key", config.policy, address, "policy", `key policy of ${id}`, arn, w.accountId);
      keys.set(id, entry);
    }
    for (const [, config, address] of this.each("aws_kms_key_policy")) {
      const target = this.keyOf(config.key_id, address, "key_id", keys);
      if (target) target.policy = this.policy("key", config.policy, address, "policy", `key policy of ${target.key.logicalId}`, target.key.arn, target.key.accountId);
    }
    for (const [, config, address] of this.each("aws_kms_alias")) {
      const name = this.str(config.name, address, "name");
      const target = this.keyOf(config.target_key_id, address, "target_key_id", keys);
      if (name && target) target.aliases.push(name);
    }
    for (const { key, aliases, policy } of keys.values()) this.out.keys.push({ ...key, aliases: aliases.sort(), policy });
  }

  private keyOf<T extends { key: { logicalId: string; arn: string } }>(value: unknown, address: string, attribute: string, keys: Map<string, T>): T | undefined {
    const ref = asReference(value);
    if (ref?.type === "aws_kms_key" && keys.has(ref.id)) return keys.get(ref.id);
    const literal = typeof value === "string" ? value : JSON.stringify(value);
    const byValue = [...keys.values()].find((k) => k.key.arn === literal || k.key.logicalId === literal);
    if (byValue) return byValue;
    this.unresolvedValue(address, attribute, literal, "names a KMS key that is not made by this stack");
    return undefined;
  }

  // -- S3 -------------------------------------------------------------------------------------

  private collectBuckets(): void {
    const buckets = new Map<string, { bucket: CollectedBucket; policy?: CollectedPolicy; encryption?: BucketEncryption }>();
    const bucketOf = (value: unknown, address: string, attribute: string, w: ProviderInfo) => {
      const name = this.str(value, address, attribute);
      if (!name) return undefined;
      let entry = buckets.get(name);
      if (!entry) {
        entry = { bucket: { stack: this.stack, accountId: w.accountId, region: w.region, name, arn: bucketArn(w.partition, name) } };
        buckets.set(name, entry);
      }
      return entry;
    };
    for (const [, config, address] of this.each("aws_s3_bucket")) {
      const w = this.where(config);
      if (config.bucket === undefined) {
        this.unresolvedValue(address, "bucket", String(config.bucket_prefix ?? "(none)"), "the bucket has no fixed name");
        continue;
      }
      const entry = bucketOf(config.bucket, address, "bucket", w);
      if (!entry) continue;
      entry.bucket = { ...entry.bucket, address };
      if (config.policy !== undefined) entry.policy = this.policy("bucket", config.policy, address, "policy", `bucket policy of ${entry.bucket.name}`, entry.bucket.arn, w.accountId);
    }
    for (const [, config, address] of this.each("aws_s3_bucket_policy")) {
      const w = this.where(config);
      const entry = bucketOf(config.bucket, address, "bucket", w);
      const name = entry?.bucket.name ?? String(config.bucket);
      const policy = this.policy("bucket", config.policy, address, "policy", `bucket policy of ${name}`, entry?.bucket.arn ?? name, w.accountId);
      if (entry) entry.policy = policy;
    }
    for (const [, config, address] of this.each("aws_s3_bucket_server_side_encryption_configuration")) {
      const entry = bucketOf(config.bucket, address, "bucket", this.where(config));
      if (!entry) continue;
      for (const rule of list(config.rule).filter(isObject)) {
        const def = list(rule.apply_server_side_encryption_by_default).filter(isObject)[0];
        if (!def) continue;
        entry.encryption = {
          algorithm: this.str(def.sse_algorithm, address, "sse_algorithm") ?? "unknown",
          kmsKeyId: def.kms_master_key_id === undefined ? undefined : this.str(def.kms_master_key_id, address, "kms_master_key_id"),
          bucketKeyEnabled: rule.bucket_key_enabled === true,
        };
      }
    }
    for (const { bucket, policy, encryption } of buckets.values()) {
      this.out.buckets.set(bucket.arn, { ...bucket, policy, encryption });
    }
  }

  private collectAccessPoints(): void {
    const byName = new Map<string, CollectedAccessPoint>();
    for (const [, config, address] of this.each("aws_s3_access_point")) {
      const w = this.where(config);
      const name = this.str(config.name, address, "name");
      const bucket = this.str(config.bucket, address, "bucket");
      if (!name || !bucket) continue;
      const accountId = (config.account_id !== undefined ? this.str(config.account_id, address, "account_id") : undefined) ?? w.accountId;
      const arn = accessPointArn(w.partition, w.region, accountId, name);
      const policy = this.policy("access-point", config.policy, address, "policy", `access point policy of ${name}`, arn, accountId);
      byName.set(arn, { stack: this.stack, accountId, region: w.region, name, arn, bucket, address, policy });
    }
    for (const [, config, address] of this.each("aws_s3control_access_point_policy")) {
      const arn = this.str(config.access_point_arn, address, "access_point_arn");
      const ap = arn ? byName.get(arn) : undefined;
      if (!arn || !ap) {
        if (arn) this.unresolvedValue(address, "access_point_arn", arn, "names an access point that is not made by this stack");
        continue;
      }
      byName.set(arn, { ...ap, policy: this.policy("access-point", config.policy, address, "policy", `access point policy of ${ap.name}`, arn, ap.accountId) });
    }
    this.out.accessPoints.push(...byName.values());
  }

  // -- IAM ------------------------------------------------------------------------------------

  private collectRoles(): void {
    const managed = new Map<string, CollectedPolicy>(); // by logical id
    const managedByArn = new Map<string, CollectedPolicy>();
    for (const [id, config, address] of this.each("aws_iam_policy")) {
      const w = this.where(config);
      const name = this.str(config.name, address, "name");
      const arn = name ? `arn:${w.partition}:iam::${w.accountId}:policy${this.iamPath(config, { type: "aws_iam_policy", id, attribute: "path" })}${name}` : `${address} (no fixed name)`;
      if (!name) this.unresolvedValue(address, "name", String(config.name_prefix ?? "(none)"), "the managed policy has no fixed name");
      const p = this.policy("managed", config.policy, address, "policy", name ?? address, arn, w.accountId);
      if (p) {
        managed.set(id, p);
        managedByArn.set(arn, p);
      }
    }

    const rolesById = new Map<string, MutableRole>();
    for (const [id, config, address] of this.each("aws_iam_role")) {
      const w = this.where(config);
      const name = this.str(config.name, address, "name");
      if (!name) {
        if (config.name === undefined) this.unresolvedValue(address, "name", String(config.name_prefix ?? "(none)"), "the role has no fixed name");
        continue;
      }
      const arn = `arn:${w.partition}:iam::${w.accountId}:role${this.iamPath(config, { type: "aws_iam_role", id, attribute: "path" })}${name}`;
      const role = this.out.role(this.stack, w.accountId, name, arn);
      role.address = address;
      rolesById.set(id, role);
      role.trustPolicy = this.policy("trust", config.assume_role_policy, address, "assume_role_policy", `trust policy of ${name}`, arn, w.accountId);
      list(config.inline_policy)
        .filter(isObject)
        .forEach((block, i) => {
          const blockName = this.str(block.name, `${address}.inline_policy[${i}]`, "name") ?? `${name} inline ${i}`;
          const p = this.policy("inline", block.policy, `${address}.inline_policy[${i}]`, "policy", blockName, arn, w.accountId);
          if (p) role.inlinePolicies.push(p);
        });
      list(config.managed_policy_arns).forEach((v) => this.attach(role, v, address, "managed_policy_arns", managed, managedByArn));
    }

    /** The role a `role` attribute names: a role of the stack, or an existing role by name. */
    const roleOf = (value: unknown, address: string, config: Json): MutableRole | undefined => {
      const ref = asReference(value);
      if (ref?.type === "aws_iam_role" && rolesById.has(ref.id)) return rolesById.get(ref.id);
      const name = this.str(value, address, "role");
      if (!name) return undefined;
      const existing = [...rolesById.values()].find((r) => r.name === name);
      if (existing) return existing;
      const w = this.where(config);
      // An existing role named by its name: its path is "/" unless the name is an ARN.
      const m = /^arn:[^:]+:iam::(\d{12}):role\/(.+)$/.exec(name);
      const roleName = m ? m[2].split("/").pop()! : name;
      const arn = m ? name : roleArn(w.partition, w.accountId, name);
      return this.out.role(this.stack, m ? m[1] : w.accountId, roleName, arn);
    };

    for (const [, config, address] of this.each("aws_iam_role_policy")) {
      const role = roleOf(config.role, address, config);
      const name = this.str(config.name, address, "name") ?? address;
      const p = this.policy("inline", config.policy, address, "policy", name, role?.arn ?? String(config.role), role?.accountId ?? this.where(config).accountId);
      if (role && p) role.inlinePolicies.push(p);
    }
    for (const [, config, address] of this.each("aws_iam_role_policy_attachment")) {
      const role = roleOf(config.role, address, config);
      if (role) this.attach(role, config.policy_arn, address, "policy_arn", managed, managedByArn);
    }
    for (const [, config, address] of this.each("aws_iam_policy_attachment")) {
      for (const r of list(config.roles)) {
        const role = roleOf(r, address, config);
        if (role) this.attach(role, config.policy_arn, address, "policy_arn", managed, managedByArn);
      }
    }
  }

  private attach(role: MutableRole, value: unknown, address: string, attribute: string, managed: Map<string, CollectedPolicy>, byArn: Map<string, CollectedPolicy>): void {
    const ref = asReference(value);
    if (ref?.type === "aws_iam_policy" && managed.has(ref.id)) {
      role.managedPolicies.push(managed.get(ref.id)!);
      return;
    }
    const arn = this.str(value, address, attribute);
    if (!arn) return;
    if (byArn.has(arn)) role.managedPolicies.push(byArn.get(arn)!);
    else if (/^arn:[^:]+:iam::aws:policy\//.test(arn)) role.awsManagedPolicyArns.push(arn);
    else {
      role.unknownPolicyArns.push(arn);
      this.unresolvedValue(address, attribute, arn, "the attached policy's document is not in the stack");
    }
  }

  // -- Organizations and SageMaker -------------------------------------------------------------

  private collectOrganization(): void {
    const policies = new Map<string, { policy: CollectedPolicy; type: string; targets: string[] }>();
    for (const [id, config, address] of this.each("aws_organizations_policy")) {
      const w = this.where(config);
      const type = this.str(config.type, address, "type") ?? "SERVICE_CONTROL_POLICY";
      const kind: PolicyKind = type === "SERVICE_CONTROL_POLICY" ? "scp" : type === "RESOURCE_CONTROL_POLICY" ? "rcp" : "organization-policy";
      const name = this.str(config.name, address, "name") ?? id;
      const p = this.policy(kind, config.content, address, "content", name, `p-synthetic-${id}`, w.accountId);
      if (p) policies.set(id, { policy: p, type, targets: [] });
    }
    for (const [, config, address] of this.each("aws_organizations_policy_attachment")) {
      const ref = asReference(config.policy_id);
      const entry = ref?.type === "aws_organizations_policy" ? policies.get(ref.id) : undefined;
      if (!entry) {
        this.unresolvedValue(address, "policy_id", String(config.policy_id), "names an organization policy that is not made by this stack");
        continue;
      }
      const target = this.str(config.target_id, address, "target_id");
      if (target) entry.targets.push(target);
    }
    for (const e of policies.values()) this.out.orgPolicies.push({ policy: e.policy, type: e.type, targets: e.targets });
    for (const [id, config, address] of this.each("aws_organizations_organizational_unit")) {
      const parentId = this.str(config.parent_id, address, "parent_id") ?? "unknown-parent";
      this.out.units.push({ id: `ou-synthetic-${id}`, name: this.str(config.name, address, "name") ?? id, parentId });
    }
    const lookups = isObject(this.json.data) && isObject(this.json.data.aws_organizations_organizational_unit) ? this.json.data.aws_organizations_organizational_unit : {};
    for (const [id, config] of Object.entries(lookups)) {
      if (!isObject(config)) continue;
      const address = `data.aws_organizations_organizational_unit.${id}`;
      const parentId = this.str(config.parent_id, address, "parent_id") ?? "unknown-parent";
      this.out.units.push({ id: `ou-synthetic-${id}`, name: this.str(config.name, address, "name") ?? id, parentId, lookedUp: true });
    }
    for (const [id, config, address] of this.each("aws_organizations_account")) {
      const parentId = config.parent_id === undefined ? undefined : this.str(config.parent_id, address, "parent_id");
      this.out.orgAccounts.push({ id: `synthetic-account-${id}`, name: this.str(config.name, address, "name") ?? id, parentId });
    }
  }

  private collectModelPackageGroups(): void {
    for (const [, config, address] of this.each("aws_sagemaker_model_package_group_policy")) {
      const w = this.where(config);
      const groupName = this.str(config.model_package_group_name, address, "model_package_group_name");
      const arn = groupName ? `arn:${w.partition}:sagemaker:${w.region}:${w.accountId}:model-package-group/${groupName}` : String(config.model_package_group_name);
      const policy = this.policy("model-package-group", config.resource_policy, address, "resource_policy", `model package group policy of ${groupName ?? "?"}`, arn, w.accountId);
      if (groupName && policy) this.out.groupPolicies.push({ groupName, arn, policy });
    }
  }
}
