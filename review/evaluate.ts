/**
 * Evaluates access over the collected policies of a synthesized `cdktf.out` with
 * `@cloud-copilot/iam-simulate` (AWS's evaluation logic; AGPL-3.0, a dev-time dependency):
 * "may role X perform action A on resource R, over TLS or not?", answered allowed or denied,
 * with the statements that decided.
 *
 * The simulator fills in no request context itself, so every request here carries the
 * context AWS would send: `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalOrgID`
 * (for accounts of an organization), `aws:SecureTransport`, `aws:PrincipalIsAWSService`,
 * `aws:ViaAWSService`, and per service `s3:prefix`, `s3:DataAccessPointAccount`/`Arn`,
 * `s3:x-amz-server-side-encryption(-aws-kms-key-id)`, `kms:ViaService`, `kms:CallerAccount`,
 * `kms:ResourceAliases`, `sts:ExternalId`. A context key the simulator would ignore is an
 * error ({@link IgnoredContextKeyError}), never a silent pass.
 *
 * Cross-account S3 access is evaluated end to end, the way AWS authorizes it:
 * - through the bucket: the S3 request (identity policy + bucket policy), then the KMS
 *   request S3 makes on the caller's behalf (identity policy + key policy of the key that
 *   encrypts the object: the key a bucket policy requires for the object's prefix, else the
 *   bucket's default key);
 * - through an access point: the access point request (identity + access point policy), the
 *   bucket policy's check of the same request (delegation by `s3:DataAccessPointAccount`),
 *   then KMS;
 * - through a role: `sts:AssumeRole` (caller identity + the role's trust policy), then the
 *   role's own S3 and KMS access.
 *
 * Organization policies collected from the stacks apply too: SCPs to the principal's
 * account, RCPs to the resource's account (each level also carrying AWS's default
 * full-access policy, as AWS attaches it).
 */
import {
  allowedContextKeysForRequest,
  runSimulation,
  runUnsafeSimulation,
  type RequestAnalysis,
  type Simulation,
  type SimulationOrgPolicies,
} from "@cloud-copilot/iam-simulate";
import { Collection, CollectedAccessPoint, CollectedBucket, CollectedKey, CollectedPolicy, CollectedRole, JsonValue, PolicyJson } from "./collect";

/** The result of one evaluation, as AWS names it. */
export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** Request context values: strings, or lists for multi-valued keys. */
export type ContextValues = Readonly<Record<string, string | readonly string[]>>;

/** A policy given by name, for principals the stacks do not describe (a role outside them). */
export interface NamedPolicy {
  readonly name: string;
  readonly document: PolicyJson;
}

/** The organization the principals belong to. */
export interface OrganizationContext {
  /** The organization id (`o-...`), sent as `aws:PrincipalOrgID` for its accounts. */
  readonly id: string;
  /** The account ids in the organization. */
  readonly accountIds: readonly string[];
  /** The root id (`r-...`), where root-targeted SCPs and RCPs attach. */
  readonly rootId?: string;
  /**
   * Per account id, the OU ids it sits under, root-first; organization policies attached to
   * an OU apply only to accounts listed here under it.
   */
  readonly ouPaths?: Readonly<Record<string, readonly string[]>>;
  /** The management account: SCPs and RCPs do not apply to it. */
  readonly managementAccountId?: string;
}

/** How the evaluator sees principals and the organization. */
export interface EvaluatorOptions {
  readonly organization: OrganizationContext;
  /** `aws:PrincipalOrgID` of accounts outside {@link OrganizationContext} (another organization), by account id. */
  readonly otherOrgIds?: Readonly<Record<string, string>>;
  /** Identity policies of principals in addition to what the stacks attach, by role ARN. */
  readonly extraIdentityPolicies?: Readonly<Record<string, readonly NamedPolicy[]>>;
  /**
   * Documents of attached policies the stacks do not hold (AWS managed policies, customer
   * managed policies of other stacks), by policy ARN.
   */
  readonly policyDocuments?: Readonly<Record<string, PolicyJson>>;
  /**
   * What to do with an attached policy whose document is neither in the stacks nor in
   * {@link policyDocuments}: `throw` (default), or `skip` it and name it in every
   * {@link StepResult.skippedPolicies} it could have changed.
   */
  readonly missingPolicyDocuments?: "throw" | "skip";
}

/** Which kind of policy a statement came from. */
export type PolicySide = "identity" | "resource" | "scp" | "rcp" | "permission-boundary" | "session" | "endpoint";

/** A statement that decided a request. */
export interface DecidingStatement {
  /** The policy: `<stack>/<terraform address>` for collected policies, else the given name. */
  readonly policy: string;
  readonly side: PolicySide;
  readonly effect: "Allow" | "Deny";
  readonly sid?: string;
  /** The statement's 1-based position in its policy. */
  readonly index: number;
}

/** One request to AWS, evaluated. */
export interface StepResult {
  /** `s3` (bucket or access point), `s3-bucket` (the bucket policy's check of an access point request), `kms`, `sts`. */
  readonly step: "s3" | "s3-bucket" | "kms" | "sts";
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context: ContextValues;
  readonly decision: Decision;
  /** Allowed: the Allow statements that granted it; explicitly denied: the Deny statements. */
  readonly decidedBy: readonly DecidingStatement[];
  /** Implicitly denied: the policy sides without a matching Allow. */
  readonly missingAllowIn: readonly PolicySide[];
  /** Attached policies left out because their documents are unknown (see {@link EvaluatorOptions.missingPolicyDocuments}). */
  readonly skippedPolicies: readonly string[];
}

/** A way to reach a bucket's data. */
export type Route =
  | { readonly kind: "bucket" }
  | { readonly kind: "access-point"; readonly arn: string }
  | { readonly kind: "assume-role"; readonly roleArn: string; readonly externalId?: string };

/** One route, evaluated: every request it takes, in order, up to the first one denied. */
export interface RouteResult {
  readonly route: Route;
  readonly allowed: boolean;
  readonly steps: readonly StepResult[];
}

/** The answer to an access question. */
export interface AccessResult {
  readonly allowed: boolean;
  /** The route that allowed it. */
  readonly via?: Route;
  /** The routes evaluated (all of them when denied). */
  readonly routes: readonly RouteResult[];
}

/** S3 data actions the evaluator follows end to end. */
export type S3DataAction = "s3:GetObject" | "s3:GetObjectVersion" | "s3:PutObject" | "s3:AbortMultipartUpload" | "s3:ListBucket";

/** An S3 access question. */
export interface S3AccessRequest {
  /** The role making the request (`arn:aws:iam::<account>:role/<name>`). */
  readonly principalArn: string;
  readonly action: S3DataAction;
  /** The bucket's name. */
  readonly bucket: string;
  /** The object key, for object actions. */
  readonly key?: string;
  /** The `prefix` of a ListBucket request. */
  readonly prefix?: string;
  /** Over TLS (default) or not. */
  readonly secureTransport?: boolean;
  /** The encryption headers of a PutObject. */
  readonly encryption?: { readonly algorithm?: string; readonly kmsKeyId?: string };
  /** The KMS key that encrypts the object being read; default: see {@link AccessEvaluator.objectKey}. */
  readonly objectKmsKeyArn?: string;
  /** One route, or every route to the bucket (default `any`: direct, access points, roles that may read it). */
  readonly via?: Route | "any";
}

/** One request for the simulator, with the policies that apply to it. */
export interface SingleRequest {
  readonly principalArn: string;
  readonly action: string;
  readonly resourceArn: string;
  /** The account owning the resource. */
  readonly resourceAccountId: string;
  /** The resource's policy (bucket, access point, key, trust), if any. */
  readonly resourcePolicy?: NamedPolicy;
  /** Service-specific context keys; the principal's keys are added. */
  readonly context?: ContextValues;
  readonly secureTransport?: boolean;
  /** Whether an AWS service makes the request with the principal's credentials (S3 calling KMS). */
  readonly viaAwsService?: boolean;
  readonly step: StepResult["step"];
}

/** Thrown when the simulator would ignore a context key of a request: a key that does not reach the policies. */
export class IgnoredContextKeyError extends Error {
  constructor(
    readonly request: { readonly action: string; readonly resource: string },
    readonly keys: readonly string[],
  ) {
    super(`the simulator ignored context key(s) ${keys.join(", ")} of ${request.action} on ${request.resource}`);
    this.name = "IgnoredContextKeyError";
  }
}

/** Thrown when the simulator refuses a request or a policy (invalid document, unknown action). */
export class SimulationError extends Error {
  constructor(message: string, readonly details: unknown) {
    super(message);
    this.name = "SimulationError";
  }
}

/**
 * Context keys S3 sets on a request through an access point, which the bucket policy's
 * delegation condition reads (`s3:DataAccessPointAccount`). iam-data lists them only for
 * access point resources, so the bucket policy's check of such a request runs without the
 * simulator's key filter, and only these keys are exempt from the ignored-key check.
 */
export const ACCESS_POINT_DELEGATION_KEYS: readonly string[] = ["s3:DataAccessPointAccount", "s3:DataAccessPointArn", "s3:AccessPointNetworkOrigin"];

const FULL_ACCESS = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
const RCP_FULL_ACCESS = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }] };
const SESSION_NAME = "mlshare-review";

/** The label of a collected policy in results: `<stack>/<terraform address>`. */
export function policyLabel(policy: CollectedPolicy): string {
  return `${policy.stack}/${policy.address}`;
}

function named(policy: CollectedPolicy | undefined): NamedPolicy | undefined {
  if (!policy) return undefined;
  if (!policy.document) throw new SimulationError(`${policyLabel(policy)} is not a JSON document; it cannot be evaluated`, policy.unresolved);
  return { name: policyLabel(policy), document: policy.document };
}

function accountOfArn(arn: string): string {
  const m = /^arn:[^:]+:[^:]+:[^:]*:(\d{12}|aws)?:/.exec(arn);
  if (!m || !m[1]) throw new SimulationError(`cannot read the account of ${arn}`, arn);
  return m[1];
}

function partitionOfArn(arn: string): string {
  return arn.split(":")[1] ?? "aws";
}

function isList(v: JsonValue | undefined): v is readonly JsonValue[] {
  return Array.isArray(v);
}

function asList(v: JsonValue | undefined): readonly JsonValue[] {
  if (v === undefined) return [];
  return isList(v) ? v : [v];
}

function isRecord(v: JsonValue | undefined): v is { readonly [key: string]: JsonValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The statements of a policy document. */
function statementsOf(doc: PolicyJson | undefined): { readonly [key: string]: JsonValue }[] {
  return asList(doc?.Statement).filter(isRecord);
}

/** Whether an IAM wildcard pattern (`*`, `?`) matches a value. */
function wildcardMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return re.test(value);
}

/**
 * Answers access questions over a {@link Collection}. Create one per collection (and per
 * set of options); between questions it keeps only indexes, policy validations and the
 * simulator's context key lists.
 */
export class AccessEvaluator {
  private readonly roles = new Map<string, CollectedRole>();
  private readonly buckets = new Map<string, CollectedBucket>();
  private readonly keysByArn = new Map<string, CollectedKey>();
  private readonly validated = new WeakSet<object>();
  private readonly keyCache = new Map<string, Set<string>>();

  constructor(
    readonly collection: Collection,
    readonly options: EvaluatorOptions,
  ) {
    for (const r of collection.roles) this.roles.set(r.arn, r);
    for (const b of collection.buckets) this.buckets.set(b.name, b);
    for (const k of collection.keys) this.keysByArn.set(k.arn, k);
  }

  // -- principals -----------------------------------------------------------------------------

  /** The role ARN behind a principal ARN (an assumed-role session is its role). */
  roleArnOf(principalArn: string): string {
    const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(principalArn);
    if (!m) return principalArn;
    const found = this.collection.roles.find((r) => r.accountId === m[2] && r.name === m[3]);
    return found?.arn ?? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`;
  }

  /** The `aws:PrincipalOrgID` of an account: the organization's, a given other one, or none. */
  orgIdOf(accountId: string): string | undefined {
    if (this.options.organization.accountIds.includes(accountId)) return this.options.organization.id;
    return this.options.otherOrgIds?.[accountId];
  }

  /**
   * The identity policies of a principal: what the stacks attach to its role (attached
   * policies of other origins from {@link EvaluatorOptions.policyDocuments}), plus any given;
   * and the attached policies skipped because their documents are unknown.
   */
  identityPoliciesOf(principalArn: string): { policies: NamedPolicy[]; skipped: string[] } {
    const roleArn = this.roleArnOf(principalArn);
    const role = this.roles.get(roleArn);
    const policies: NamedPolicy[] = [];
    const skipped: string[] = [];
    if (role) {
      for (const p of [...role.inlinePolicies, ...role.managedPolicies]) policies.push(named(p)!);
      for (const arn of [...role.awsManagedPolicyArns, ...role.unknownPolicyArns]) {
        const doc = this.options.policyDocuments?.[arn];
        if (doc) policies.push({ name: arn, document: doc });
        else if (this.options.missingPolicyDocuments === "skip") skipped.push(arn);
        else throw new SimulationError(`role ${roleArn} has the policy ${arn} attached, whose document is not in the stacks; pass it in policyDocuments`, role);
      }
    }
    policies.push(...(this.options.extraIdentityPolicies?.[roleArn] ?? []));
    return { policies, skipped };
  }

  /** The principal's request context keys (global keys AWS sets on every signed request of a role). */
  principalContext(principalArn: string, secureTransport: boolean, viaAwsService: boolean): Record<string, string | readonly string[]> {
    const roleArn = this.roleArnOf(principalArn);
    const account = accountOfArn(roleArn);
    const ctx: Record<string, string | readonly string[]> = {
      "aws:PrincipalArn": roleArn,
      "aws:PrincipalAccount": account,
      "aws:PrincipalType": "AssumedRole",
      "aws:SecureTransport": String(secureTransport),
      "aws:PrincipalIsAWSService": "false",
      "aws:ViaAWSService": String(viaAwsService),
    };
    const org = this.orgIdOf(account);
    if (org) ctx["aws:PrincipalOrgID"] = org;
    return ctx;
  }

  // -- organization policies --------------------------------------------------------------------

  private orgLevels(accountId: string, type: "scp" | "rcp"): SimulationOrgPolicies[] {
    const policies = this.collection.organization.policies.filter((p) => p.policy.kind === type);
    if (!policies.length || !this.options.organization.accountIds.includes(accountId) || accountId === this.options.organization.managementAccountId) return [];
    const org = this.options.organization;
    const rootTargets = new Set([org.rootId, ...policies.flatMap((p) => p.targets).filter((t) => t.startsWith("r-"))].filter((x): x is string => !!x));
    const levels: { id: string; targets: (t: string) => boolean }[] = [
      { id: org.rootId ?? "root", targets: (t) => rootTargets.has(t) },
      ...(org.ouPaths?.[accountId] ?? []).map((ou) => ({ id: ou, targets: (t: string) => t === ou })),
      { id: accountId, targets: (t: string) => t === accountId },
    ];
    return levels.map((level) => ({
      orgIdentifier: level.id,
      policies: [
        ...(type === "scp" ? [{ name: "FullAWSAccess", policy: FULL_ACCESS }] : []),
        ...policies.filter((p) => p.targets.some(level.targets)).map((p) => ({ name: policyLabel(p.policy), policy: named(p.policy)!.document })),
      ],
    }));
  }

  // -- single requests --------------------------------------------------------------------------

  /** The full context of a single request: the principal's keys and the request's own. */
  contextOf(req: SingleRequest): Record<string, string | readonly string[]> {
    return { ...this.principalContext(req.principalArn, req.secureTransport ?? true, req.viaAwsService ?? false), ...(req.context ?? {}) };
  }

  private simulation(req: SingleRequest, context: ContextValues, identity: readonly NamedPolicy[]): Simulation {
    return {
      request: {
        principal: req.principalArn,
        action: req.action,
        resource: { resource: req.resourceArn, accountId: req.resourceAccountId },
        contextVariables: context as Record<string, string | string[]>,
      },
      identityPolicies: identity.map((p) => ({ name: p.name, policy: p.document })),
      serviceControlPolicies: this.orgLevels(accountOfArn(this.roleArnOf(req.principalArn)), "scp"),
      resourceControlPolicies: this.orgLevels(req.resourceAccountId, "rcp"),
      resourcePolicy: req.resourcePolicy?.document,
    };
  }

  /**
   * Evaluates one request with the principal's identity policies (or `identity`, when
   * given). Throws {@link IgnoredContextKeyError} if the simulator ignored a context key, and
   * {@link SimulationError} if it refused the request.
   */
  async evaluate(req: SingleRequest, identity?: readonly NamedPolicy[]): Promise<StepResult> {
    const context = this.contextOf(req);
    const { policies, skipped } = identity ? { policies: [...identity], skipped: [] } : this.identityPoliciesOf(req.principalArn);
    const result = await runSimulation(this.simulation(req, context, policies), {});
    if (result.resultType === "error") {
      throw new SimulationError(`the simulator refused ${req.action} on ${req.resourceArn}: ${result.errors.message} ${JSON.stringify(result.errors)}`, result.errors);
    }
    const single = result.resultType === "single" ? [result.result] : result.results;
    const ignored = [...new Set(single.flatMap((r) => r.ignoredContextKeys ?? []))];
    if (ignored.length) throw new IgnoredContextKeyError({ action: req.action, resource: req.resourceArn }, ignored);
    if (single.length !== 1) {
      throw new SimulationError(`${req.action} on ${req.resourceArn} evaluated as ${single.length} resources; name one resource`, single);
    }
    return this.stepOf(req, context, single[0].analysis, skipped, req.resourcePolicy?.name);
  }

  private stepOf(req: SingleRequest, context: ContextValues, analysis: RequestAnalysis, skippedPolicies: string[], resourcePolicyName?: string): StepResult {
    const decision = analysis.result;
    const decidedBy: DecidingStatement[] = [];
    type Analysed = NonNullable<RequestAnalysis["identityAnalysis"]>["allowStatements"];
    const add = (side: PolicySide, list: Analysed | undefined) => {
      for (const s of list ?? []) {
        decidedBy.push({
          policy: side === "resource" ? (resourcePolicyName ?? s.policyId ?? "resource policy") : (s.policyId ?? side),
          side,
          effect: s.statement.isAllow() ? "Allow" : "Deny",
          ...(s.statement.sid() !== undefined ? { sid: s.statement.sid() } : {}),
          index: s.statement.index(),
        });
      }
    };
    const missing: PolicySide[] = [];
    if (decision === "Allowed") {
      add("identity", analysis.identityAnalysis?.allowStatements);
      add("resource", analysis.resourceAnalysis?.allowStatements);
    } else if (decision === "ExplicitlyDenied") {
      add("identity", analysis.identityAnalysis?.denyStatements);
      add("resource", analysis.resourceAnalysis?.denyStatements);
      add("permission-boundary", analysis.permissionBoundaryAnalysis?.denyStatements);
      add("session", analysis.sessionAnalysis?.denyStatements);
      for (const ou of analysis.scpAnalysis?.ouAnalysis ?? []) add("scp", ou.denyStatements);
      for (const ou of analysis.rcpAnalysis?.ouAnalysis ?? []) add("rcp", ou.denyStatements);
    } else {
      const identityAllows = !!analysis.identityAnalysis?.allowStatements.length;
      const resourceAllows = !!analysis.resourceAnalysis?.allowStatements.length;
      if (!identityAllows) missing.push("identity");
      if (!resourceAllows && (!analysis.sameAccount || !identityAllows)) missing.push("resource");
      if (analysis.scpAnalysis?.result === "ImplicitlyDenied") missing.push("scp");
      if (analysis.rcpAnalysis?.result === "ImplicitlyDenied") missing.push("rcp");
      if (!missing.length) {
        // Both sides allow but not together: e.g. a cross-account key policy naming only the account.
        add("identity", analysis.identityAnalysis?.allowStatements);
        add("resource", analysis.resourceAnalysis?.allowStatements);
      }
    }
    return {
      step: req.step,
      principal: req.principalArn,
      action: req.action,
      resource: req.resourceArn,
      context,
      decision,
      decidedBy,
      missingAllowIn: missing,
      skippedPolicies,
    };
  }

  /**
   * The bucket policy's check of a request made through an access point. S3 evaluates the
   * bucket policy for it with the access point keys set; iam-data does not list those keys
   * for bucket resources, so this one check runs unfiltered, with every other key still
   * required to be one the simulator would keep.
   */
  private async bucketCheckOfAccessPointRequest(req: SingleRequest, bucket: CollectedBucket): Promise<StepResult> {
    const context = this.contextOf(req);
    const allowed = await this.allowedKeys(req.action, req.resourceArn);
    const exempt = new Set(ACCESS_POINT_DELEGATION_KEYS.map((k) => k.toLowerCase()));
    const ignored = Object.keys(context).filter((k) => !allowed.has(k.toLowerCase()) && !exempt.has(k.toLowerCase()));
    if (ignored.length) throw new IgnoredContextKeyError({ action: req.action, resource: req.resourceArn }, ignored);
    const policy = named(bucket.policy);
    if (policy) await this.validateResourcePolicy(policy, bucket);
    // The identity side was decided at the access point; here only the bucket (and RCPs) speak.
    const identity: NamedPolicy = {
      name: `(identity authorized at the access point)`,
      document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: req.action, Resource: req.resourceArn }] },
    };
    const levels = this.orgLevels(req.resourceAccountId, "rcp");
    const withDefault = (ls: SimulationOrgPolicies[]) => ls.map((l) => ({ ...l, policies: [{ name: "RCPFullAWSAccess", policy: RCP_FULL_ACCESS }, ...l.policies] }));
    const sim = (resourcePolicy: object | undefined, rcps: SimulationOrgPolicies[] = levels): Simulation => ({
      ...this.simulation(req, context, [identity]),
      serviceControlPolicies: [],
      resourceControlPolicies: withDefault(rcps),
      resourcePolicy,
    });
    const decision = runUnsafeSimulation(sim(policy && loaded(policy.name, policy.document)), {});
    // Which statements decided: each statement alone (a Deny beside an allow-all).
    const decidedBy: DecidingStatement[] = [];
    const wanted = decision === "Allowed" ? "Allow" : decision === "ExplicitlyDenied" ? "Deny" : undefined;
    const allowAll = { Version: "2012-10-17", Statement: [RCP_FULL_ACCESS.Statement[0]] };
    const decides = (side: PolicySide, name: string, statement: { readonly [key: string]: JsonValue }, index: number, result: Decision) => {
      if (result === (wanted === "Allow" ? "Allowed" : "ExplicitlyDenied")) {
        decidedBy.push({ policy: name, side, effect: wanted!, ...(typeof statement.Sid === "string" ? { sid: statement.Sid } : {}), index });
      }
    };
    if (wanted && policy) {
      statementsOf(policy.document).forEach((s, i) => {
        if (s.Effect !== wanted) return;
        const alone = { Version: "2012-10-17", Statement: wanted === "Allow" ? [s] : [s, allowAll.Statement[0]] };
        decides("resource", policy.name, s, i + 1, runUnsafeSimulation(sim(loaded(policy.name, alone), []), {}));
      });
    }
    if (wanted === "Deny") {
      for (const level of levels) {
        for (const p of level.policies) {
          statementsOf(p.policy as PolicyJson).forEach((s, i) => {
            if (s.Effect !== "Deny") return;
            const alone = [{ orgIdentifier: level.orgIdentifier, policies: [{ name: p.name, policy: { Version: "2012-10-17", Statement: [s] } }] }];
            decides("rcp", p.name, s, i + 1, runUnsafeSimulation(sim(loaded("allow all", allowAll), alone), {}));
          });
        }
      }
    }
    return {
      step: "s3-bucket",
      principal: req.principalArn,
      action: req.action,
      resource: req.resourceArn,
      context,
      decision,
      decidedBy,
      missingAllowIn: decision === "ImplicitlyDenied" ? ["resource"] : [],
      skippedPolicies: [],
    };
  }

  /** The context keys the simulator keeps for an action on a bucket (or on any object of it), lower case. */
  private async allowedKeys(action: string, resourceArn: string): Promise<Set<string>> {
    const shape = `${action} ${resourceArn.includes("/") ? "object" : "bucket"}`;
    let keys = this.keyCache.get(shape);
    if (!keys) {
      const [service, name] = action.split(":");
      keys = new Set(await allowedContextKeysForRequest(service, name, resourceArn, false, undefined));
      this.keyCache.set(shape, keys);
    }
    return keys;
  }

  /** Runs the simulator's validation of a resource policy once (the unfiltered check skips it). */
  private async validateResourcePolicy(policy: NamedPolicy, bucket: CollectedBucket): Promise<void> {
    if (this.validated.has(policy.document)) return;
    const result = await runSimulation(
      {
        request: { principal: `arn:${partitionOfArn(bucket.arn)}:iam::${bucket.accountId}:root`, action: "s3:ListBucket", resource: { resource: bucket.arn, accountId: bucket.accountId }, contextVariables: {} },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: policy.document,
      },
      {},
    );
    if (result.resultType === "error") throw new SimulationError(`${policy.name} is not a valid resource policy: ${JSON.stringify(result.errors)}`, result.errors);
    this.validated.add(policy.document);
  }

  // -- S3 end to end ----------------------------------------------------------------------------

  /** The bucket named `name`, or an error naming the buckets known. */
  bucket(name: string): CollectedBucket {
    const b = this.buckets.get(name);
    if (!b) throw new SimulationError(`no bucket ${name} in the stacks; buckets: ${[...this.buckets.keys()].join(", ")}`, name);
    return b;
  }

  /** The collected key with an ARN, alias name or alias ARN, in an account. */
  key(idOrAlias: string, accountId: string): CollectedKey {
    const alias = /^arn:[^:]+:kms:[^:]*:\d{12}:(alias\/.+)$/.exec(idOrAlias)?.[1] ?? (idOrAlias.startsWith("alias/") ? idOrAlias : undefined);
    const found = alias
      ? this.collection.keys.find((k) => k.accountId === accountId && k.aliases.includes(alias))
      : (this.keysByArn.get(idOrAlias) ?? this.collection.keys.find((k) => k.accountId === accountId && k.logicalId === idOrAlias));
    if (!found) throw new SimulationError(`no KMS key ${idOrAlias} of account ${accountId} in the stacks`, idOrAlias);
    return found;
  }

  /**
   * The KMS key that encrypts an object: the key the bucket policy requires for uploads under
   * the object's prefix (a Deny of PutObject on `<bucket>/<prefix>/*` unless
   * `s3:x-amz-server-side-encryption-aws-kms-key-id` equals it), else the bucket's default
   * key; undefined when the bucket is not KMS-encrypted.
   */
  objectKey(bucket: CollectedBucket, objectKey: string): CollectedKey | undefined {
    const object = `${bucket.arn}/${objectKey}`;
    for (const s of statementsOf(bucket.policy?.document)) {
      if (s.Effect !== "Deny" || !asList(s.Action).some((a) => typeof a === "string" && wildcardMatch(a, "s3:PutObject"))) continue;
      const resources = asList(s.Resource).filter((r): r is string => typeof r === "string");
      if (!resources.some((r) => r !== `${bucket.arn}/*` && wildcardMatch(r, object))) continue;
      const cond = isRecord(s.Condition) ? s.Condition.StringNotEquals : undefined;
      const keys = isRecord(cond) ? asList(cond["s3:x-amz-server-side-encryption-aws-kms-key-id"]) : [];
      if (keys.length === 1 && typeof keys[0] === "string") return this.key(keys[0], bucket.accountId);
    }
    const enc = bucket.encryption;
    if (!enc || !enc.algorithm.startsWith("aws:kms")) return undefined;
    if (!enc.kmsKeyId) throw new SimulationError(`bucket ${bucket.name} uses the AWS managed key aws/s3, which the stacks do not describe`, bucket);
    return this.key(enc.kmsKeyId, bucket.accountId);
  }

  /**
   * Every route to a bucket's data: direct, its access points, and the roles of its account
   * whose policies name it. Given a principal, routes whose resource policy names it come
   * first (they are the likely ones; the order changes no answer, only how soon it comes).
   */
  routesTo(bucketName: string, principalArn?: string): Route[] {
    const bucket = this.bucket(bucketName);
    const who = principalArn ? this.roleArnOf(principalArn) : undefined;
    const names = (p: CollectedPolicy | undefined) => !!who && !!p?.text.includes(who);
    const aps = this.collection.accessPoints.filter((ap) => ap.bucket === bucket.name && ap.accountId === bucket.accountId);
    const roles = this.collection.roles.filter(
      (r) => r.accountId === bucket.accountId && r.trustPolicy && r.arn !== who && [...r.inlinePolicies, ...r.managedPolicies].some((p) => p.text.includes(bucket.arn)),
    );
    const routes: { route: Route; likely: boolean }[] = [
      { route: { kind: "bucket" }, likely: names(bucket.policy) },
      ...aps.map((ap) => ({ route: { kind: "access-point" as const, arn: ap.arn }, likely: names(ap.policy) })),
      ...roles.map((r) => ({ route: { kind: "assume-role" as const, roleArn: r.arn, ...optionalExternalId(r.trustPolicy) }, likely: names(r.trustPolicy) })),
    ];
    return [...routes.filter((r) => r.likely), ...routes.filter((r) => !r.likely)].map((r) => r.route);
  }

  /**
   * May the principal perform an S3 data action? With `via: "any"` (the default) every
   * route is tried and the first one that allows answers; a denial means every route
   * denied.
   */
  async s3(req: S3AccessRequest): Promise<AccessResult> {
    const routes = !req.via || req.via === "any" ? this.routesTo(req.bucket, req.principalArn) : [req.via];
    const results: RouteResult[] = [];
    for (const route of routes) {
      const r = await this.route(req, route);
      results.push(r);
      if (r.allowed) return { allowed: true, via: route, routes: results };
    }
    return { allowed: false, routes: results };
  }

  private async route(req: S3AccessRequest, route: Route): Promise<RouteResult> {
    const steps: StepResult[] = [];
    const done = (allowed: boolean) => ({ route, allowed, steps });
    const push = (s: StepResult) => {
      steps.push(s);
      return s.decision === "Allowed";
    };
    if (route.kind === "assume-role") {
      const role = this.roles.get(route.roleArn);
      const assume = await this.evaluate({
        step: "sts",
        principalArn: req.principalArn,
        action: "sts:AssumeRole",
        resourceArn: route.roleArn,
        resourceAccountId: accountOfArn(route.roleArn),
        resourcePolicy: named(role?.trustPolicy),
        secureTransport: req.secureTransport,
        context: route.externalId ? { "sts:ExternalId": route.externalId } : {},
      });
      if (!push(assume)) return done(false);
      const session = `arn:${partitionOfArn(route.roleArn)}:sts::${accountOfArn(route.roleArn)}:assumed-role/${route.roleArn.split("/").pop()}/${SESSION_NAME}`;
      const inner = await this.route({ ...req, principalArn: session }, { kind: "bucket" });
      steps.push(...inner.steps);
      return done(inner.allowed);
    }

    const bucket = this.bucket(req.bucket);
    const ap = route.kind === "access-point" ? this.accessPoint(route.arn) : undefined;
    const listing = req.action === "s3:ListBucket";
    if (!listing && req.key === undefined) throw new SimulationError(`${req.action} needs an object key`, req);
    const s3Context: Record<string, string> = {};
    if (listing && req.prefix !== undefined) s3Context["s3:prefix"] = req.prefix;
    if (req.action === "s3:PutObject") {
      if (req.encryption?.algorithm) s3Context["s3:x-amz-server-side-encryption"] = req.encryption.algorithm;
      if (req.encryption?.kmsKeyId) s3Context["s3:x-amz-server-side-encryption-aws-kms-key-id"] = req.encryption.kmsKeyId;
    }
    const bucketResource = listing ? bucket.arn : `${bucket.arn}/${req.key}`;

    if (ap) {
      const apContext = { ...s3Context, "s3:DataAccessPointAccount": ap.accountId, "s3:DataAccessPointArn": ap.arn, "s3:AccessPointNetworkOrigin": "Internet" };
      const base = { principalArn: req.principalArn, action: req.action, resourceAccountId: ap.accountId, secureTransport: req.secureTransport, context: apContext };
      if (!push(await this.evaluate({ ...base, step: "s3", resourceArn: listing ? ap.arn : `${ap.arn}/object/${req.key}`, resourcePolicy: named(ap.policy) }))) return done(false);
      if (!push(await this.bucketCheckOfAccessPointRequest({ ...base, step: "s3-bucket", resourceArn: bucketResource, resourceAccountId: bucket.accountId }, bucket))) return done(false);
    } else {
      const s3 = await this.evaluate({
        step: "s3",
        principalArn: req.principalArn,
        action: req.action,
        resourceArn: bucketResource,
        resourceAccountId: bucket.accountId,
        resourcePolicy: named(bucket.policy),
        secureTransport: req.secureTransport,
        context: s3Context,
      });
      if (!push(s3)) return done(false);
    }

    const kmsAction = req.action === "s3:GetObject" || req.action === "s3:GetObjectVersion" ? "kms:Decrypt" : req.action === "s3:PutObject" ? "kms:GenerateDataKey" : undefined;
    if (!kmsAction) return done(true);
    const key =
      req.action === "s3:PutObject"
        ? req.encryption?.kmsKeyId
          ? this.key(req.encryption.kmsKeyId, bucket.accountId)
          : this.objectKey(bucket, req.key!)
        : req.objectKmsKeyArn
          ? this.key(req.objectKmsKeyArn, bucket.accountId)
          : this.objectKey(bucket, req.key!);
    if (!key) return done(true);
    const kms = await this.evaluate({
      step: "kms",
      principalArn: req.principalArn,
      action: kmsAction,
      resourceArn: key.arn,
      resourceAccountId: key.accountId,
      resourcePolicy: named(key.policy),
      secureTransport: true,
      viaAwsService: true,
      context: {
        "kms:ViaService": `s3.${bucket.region}.amazonaws.com`,
        "kms:CallerAccount": accountOfArn(this.roleArnOf(req.principalArn)),
        ...(key.aliases.length ? { "kms:ResourceAliases": key.aliases } : {}),
      },
    });
    return done(push(kms));
  }

  private accessPoint(arn: string): CollectedAccessPoint {
    const ap = this.collection.accessPoints.find((a) => a.arn === arn);
    if (!ap) throw new SimulationError(`no access point ${arn} in the stacks`, arn);
    return ap;
  }
}

/**
 * A resource policy for the unfiltered simulation, which loads it without a name: the
 * validated-policy shape of @cloud-copilot/iam-policy (plain data) carries the name. The
 * document itself is validated by a filtered simulation first.
 */
function loaded(name: string, document: object): object {
  return { __validated: true, policyDocument: document, metadata: { name }, errors: [] };
}

/** The `sts:ExternalId` a trust policy requires, if it names one. */
function optionalExternalId(trust: CollectedPolicy | undefined): { externalId?: string } {
  for (const s of statementsOf(trust?.document)) {
    if (!isRecord(s.Condition)) continue;
    for (const op of Object.values(s.Condition)) {
      if (!isRecord(op)) continue;
      const v = asList(op["sts:ExternalId"])[0];
      if (typeof v === "string") return { externalId: v };
    }
  }
  return {};
}

/** One line per route and step, for messages: why a request was allowed or denied. */
export function explain(result: AccessResult): string {
  const routeName = (r: Route) => (r.kind === "bucket" ? "bucket" : r.kind === "access-point" ? `access point ${r.arn}` : `role ${r.roleArn}`);
  const lines = [result.allowed ? `ALLOWED via ${routeName(result.via!)}` : "DENIED on every route"];
  for (const r of result.routes) {
    lines.push(`  ${r.allowed ? "allowed" : "denied"} via ${routeName(r.route)}:`);
    for (const s of r.steps) {
      const why = s.decidedBy.length
        ? s.decidedBy.map((d) => `${d.effect} ${d.policy}#${d.sid ?? d.index}`).join(", ")
        : s.missingAllowIn.length
          ? `no Allow in ${s.missingAllowIn.join(", ")}`
          : "";
      const skipped = s.skippedPolicies.length ? ` [not evaluated: ${s.skippedPolicies.join(", ")}]` : "";
      lines.push(`    ${s.step} ${s.action} ${s.resource}: ${s.decision}${why ? ` (${why})` : ""}${skipped}`);
    }
  }
  return lines.join("\n");
}

/**
 * The organization as the stacks' policies name it, for a review without the topology:
 * the one `aws:PrincipalOrgID` value the policies use, and the accounts of the stacks.
 * Throws when the policies name none or several.
 */
export function organizationFromPolicies(collection: Collection): OrganizationContext {
  const ids = new Set<string>();
  for (const p of collection.policies) {
    for (const m of p.text.matchAll(/"aws:PrincipalOrgID"\s*:\s*(\[[^\]]*\]|"[^"]*")/g)) {
      const parsed: unknown = JSON.parse(m[1]);
      for (const v of Array.isArray(parsed) ? parsed : [parsed]) ids.add(String(v));
    }
  }
  if (ids.size !== 1) throw new SimulationError(`the policies name ${ids.size} organization ids (${[...ids].join(", ")}); pass the organization`, [...ids]);
  return { id: [...ids][0], accountIds: [...new Set(collection.stacks.map((s) => s.accountId))] };
}
