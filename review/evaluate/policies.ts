/**
 * Policy documents as the evaluator reads them: labels, statements, ARNs, wildcards, the
 * full-access policies AWS attaches at every organization level, and a trust policy's
 * external id.
 */
import { CollectedPolicy, JsonValue, PolicyJson } from "../collect";
import { NamedPolicy, SimulationError } from "./types";

/** AWS's FullAWSAccess SCP, at every level. */
export const FULL_ACCESS = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
/** AWS's RCPFullAWSAccess, at every level. */
export const RCP_FULL_ACCESS = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }] };

/** The label of a collected policy in results: `<stack>/<terraform address>`. */
export function policyLabel(policy: CollectedPolicy): string {
  return `${policy.stack}/${policy.address}`;
}

/** A collected policy as the evaluator takes it (labelled {@link policyLabel}); throws if its text is not a JSON document. */
export function namedPolicy(policy: CollectedPolicy): NamedPolicy {
  return named(policy)!;
}

/** A collected policy as the evaluator takes it, or undefined; throws if its text is not a JSON document. */
export function named(policy: CollectedPolicy | undefined): NamedPolicy | undefined {
  if (!policy) return undefined;
  if (!policy.document) throw new SimulationError(`${policyLabel(policy)} is not a JSON document; it cannot be evaluated`, policy.unresolved);
  return { name: policyLabel(policy), document: policy.document };
}

/** The account id of an ARN; throws when it has none. */
export function accountOfArn(arn: string): string {
  const m = /^arn:[^:]+:[^:]+:[^:]*:(\d{12}|aws)?:/.exec(arn);
  if (!m || !m[1]) throw new SimulationError(`cannot read the account of ${arn}`, arn);
  return m[1];
}

/** The partition of an ARN. */
export function partitionOfArn(arn: string): string {
  return arn.split(":")[1] ?? "aws";
}

function isList(v: JsonValue | undefined): v is readonly JsonValue[] {
  return Array.isArray(v);
}

/** A value as a list (a single value is a list of one). */
export function asList(v: JsonValue | undefined): readonly JsonValue[] {
  if (v === undefined) return [];
  return isList(v) ? v : [v];
}

/** Whether a JSON value is an object. */
export function isRecord(v: JsonValue | undefined): v is { readonly [key: string]: JsonValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The statements of a policy document. */
export function statementsOf(doc: PolicyJson | undefined): { readonly [key: string]: JsonValue }[] {
  return asList(doc?.Statement).filter(isRecord);
}

/** Whether an IAM wildcard pattern (`*`, `?`) matches a value. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return re.test(value);
}

/**
 * A resource policy for the unfiltered simulation, which loads it without a name: the
 * validated-policy shape of @cloud-copilot/iam-policy (plain data) carries the name. The
 * document itself is validated by a filtered simulation first.
 */
export function loaded(name: string, document: object): object {
  return { __validated: true, policyDocument: document, metadata: { name }, errors: [] };
}

/** The `sts:ExternalId` a trust policy requires, if it names one. */
export function externalIdOf(trust: CollectedPolicy | undefined): string | undefined {
  return optionalExternalId(trust).externalId;
}

/** The external id a trust policy requires, as optional fields of a route. */
export function optionalExternalId(trust: CollectedPolicy | undefined): { externalId?: string } {
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
