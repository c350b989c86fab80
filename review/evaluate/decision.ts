/**
 * Which statements decided a request: after the simulator has answered allowed or denied,
 * the statements that apply are found one at a time (each as a Deny beside an allow-all),
 * and remembered, so the same statement asked of the same request shape is simulated once.
 */
import { runUnsafeSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { JsonValue, PolicyJson } from "../collect";
import { RelevantStatement, RequestPrincipal, withoutRequestKeys } from "../statements";
import { contextKey, resourceShape } from "./context";
import { FULL_ACCESS, loaded, RCP_FULL_ACCESS } from "./policies";
import { ContextValues, Decision, DecidingStatement, PolicySide, SingleRequest } from "./types";

/** A policy's statements that can apply to a request. */
export interface Kept {
  readonly name: string;
  /** The document's identity within the evaluator, for memo keys. */
  readonly id: number;
  readonly statements: readonly RelevantStatement[];
}

/** The kept policies of one organization level (root, OU, account). */
export interface KeptLevel {
  readonly id: string;
  readonly policies: readonly Kept[];
}

/** A statement that may have decided a request. */
export interface Candidate {
  readonly side: PolicySide;
  readonly kept: Kept;
  readonly statement: RelevantStatement;
  /** The organization level of an SCP or RCP statement. */
  readonly level?: string;
}

/** The request a candidate statement is tested against. */
export interface Asker {
  readonly req: SingleRequest;
  readonly normalized: ContextValues;
  readonly principal: RequestPrincipal;
  /** Whether every relevant statement matched the resource exactly (results may be reused across resources). */
  readonly exact: boolean;
}

/** A decision and why, as memoized. */
export interface Verdict {
  readonly decision: Decision;
  readonly decidedBy: readonly DecidingStatement[];
  readonly missingAllowIn: readonly PolicySide[];
}

/** A document holding a policy's relevant statements, trimmed. */
export function docOf(k: Kept): PolicyJson {
  return { Version: "2012-10-17", Statement: k.statements.map((s) => s.trimmed) };
}

/** A kept policy in memo keys: its document and the statements kept. */
export function keptKey(k: Kept): [number, number[]] {
  return [k.id, k.statements.map((s) => s.prepared.index)];
}

/** Finds the deciding statements of simulated requests; one per evaluator (it keeps its answers). */
export class DecisionExplainer {
  private readonly statementVerdicts = new Map<string, boolean>();

  /**
   * Which statements decided: allowed, the Allow statements that apply on the identity and
   * resource sides; explicitly denied, the Deny statements that apply; implicitly denied, the
   * sides without an applicable Allow. A side's only candidate needs no test when the
   * decision already proves it applied.
   */
  async explain(decision: Decision, ask: Asker, identity: Kept[], resource: Kept | undefined, scps: KeptLevel[], rcps: KeptLevel[], reportIdentity: boolean): Promise<Verdict> {
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
    const reads = new Set(wider ? c.statement.prepared.variableKeys : c.statement.prepared.conditionKeys);
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
}
