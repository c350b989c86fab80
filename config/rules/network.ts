/**
 * `accounts.<key>.network`: an account that hosts an ML project under a
 * `require-sagemaker-vpc` guardrail needs a network (its own, or its SageMaker domain's), or
 * its projects could never create a job or a model.
 */
import { show } from "../errors";
import { arr, Checker, Json, obj, str } from "./common";

/** The guardrail whose SCP denies SageMaker jobs and models without VPC subnets. */
const VPC_GUARDRAIL = "require-sagemaker-vpc";

/** The OUs an account sits in, innermost first, up to the root (names). */
function ousOf(t: Json, key: string): string[] {
  const units = arr(obj(t.organization)?.organizationalUnits).map((u) => obj(u) ?? {});
  const parentOf = new Map(units.map((u) => [str(u.name), str(u.parent) ?? "root"]));
  const out: string[] = [];
  let ou = str(units.find((u) => arr(u.accounts).includes(key))?.name);
  while (ou !== undefined && ou !== "root" && !out.includes(ou)) {
    out.push(ou);
    ou = parentOf.get(ou);
  }
  return out;
}

/** The path and target of the VPC guardrail that covers an account, if one does. */
function guardrailCovering(t: Json, key: string): { path: string; target: string } | undefined {
  const org = obj(t.organization) ?? {};
  if (str(org.managementAccount) === key) return undefined; // no SCP applies to the management account
  const covering = new Set(["root", `account:${key}`, ...ousOf(t, key).map((ou) => `ou:${ou}`)]);
  const guardrails = arr(org.guardrails);
  for (let i = 0; i < guardrails.length; i++) {
    const g = obj(guardrails[i]) ?? {};
    if (g.kind !== VPC_GUARDRAIL) continue;
    const target = arr(g.targets).find((x): x is string => typeof x === "string" && covering.has(x));
    if (target) return { path: `organization.guardrails[${i}]`, target };
  }
  return undefined;
}

/** Every project account under the VPC guardrail has a network to run in. */
export function checkNetwork(c: Checker, t: Json): void {
  const accounts = obj(t.accounts) ?? {};
  const domainAccounts = new Set(arr(obj(t.sagemaker)?.domains).map((d) => str(obj(d)?.account)));
  arr(t.mlProjects).forEach((raw, i) => {
    const p = obj(raw) ?? {};
    for (const [env, key] of Object.entries(obj(p.accounts) ?? {})) {
      if (typeof key !== "string" || !(key in accounts)) continue; // the reference rules report it
      if (obj(obj(accounts[key])?.network) || domainAccounts.has(key)) continue;
      const guard = guardrailCovering(t, key);
      if (!guard) continue;
      c.add(
        `mlProjects[${i}].accounts.${env}`,
        `account ${show(key)} hosts ML project ${show(str(p.name) ?? "")} but has no network: the ${VPC_GUARDRAIL} guardrail ` +
          `(${guard.path}, target ${guard.target}) denies SageMaker jobs and models without VPC subnets, so the project could never run; ` +
          `set accounts.${key}.network (vpcId, subnetIds) or give the account a SageMaker domain`,
      );
    }
  });
}
