/**
 * Organization policies as the simulator takes them: the SCPs of a principal's account and
 * the RCPs of a resource's account, level by level from the root (each level also carrying
 * AWS's default full-access policy, as AWS attaches it; none for the management account),
 * and the organization as the stacks' policies name it.
 */
import type { SimulationOrgPolicies } from "@cloud-copilot/iam-simulate";
import { Collection } from "../collect";
import { FULL_ACCESS, named, policyLabel } from "./policies";
import { OrganizationContext, SimulationError } from "./types";

/**
 * The levels of SCPs (or RCPs, without the default policy) that apply to an account: the
 * root, the OUs it sits under (as {@link OrganizationContext.ouPaths} says), the account.
 * None for the management account or an account outside the organization.
 */
export function organizationLevels(collection: Collection, org: OrganizationContext, accountId: string, type: "scp" | "rcp"): SimulationOrgPolicies[] {
  if (!org.accountIds.includes(accountId) || accountId === org.managementAccountId) return [];
  return levelsAlong(collection, org, [...(org.ouPaths?.[accountId] ?? []), accountId], type);
}

/**
 * The levels of SCPs (or RCPs) along a path below the root (OU ids root-first, then maybe an
 * account id): what applies to an account placed there.
 */
export function levelsAlong(collection: Collection, org: OrganizationContext, below: readonly string[], type: "scp" | "rcp"): SimulationOrgPolicies[] {
  const policies = collection.organization.policies.filter((p) => p.policy.kind === type);
  if (!policies.length) return [];
  const rootTargets = new Set([org.rootId, ...policies.flatMap((p) => p.targets).filter((t) => t.startsWith("r-"))].filter((x): x is string => !!x));
  const levels: { id: string; targets: (t: string) => boolean }[] = [
    { id: org.rootId ?? "root", targets: (t) => rootTargets.has(t) },
    ...below.map((id) => ({ id, targets: (t: string) => t === id })),
  ];
  return levels.map((level) => ({
    orgIdentifier: level.id,
    policies: [
      ...(type === "scp" ? [{ name: "FullAWSAccess", policy: FULL_ACCESS }] : []),
      ...policies.filter((p) => p.targets.some(level.targets)).map((p) => ({ name: policyLabel(p.policy), policy: named(p.policy)!.document })),
    ],
  }));
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
