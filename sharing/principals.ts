/**
 * How a resource in one account names roles of other accounts: the account root as
 * principal, narrowed to exact roles by `aws:PrincipalArn`, and to the organization by
 * `aws:PrincipalOrgID` (DESIGN.md, decision 3). Such statements apply before the roles
 * exist, and never admit anyone else in those accounts.
 */
import { RoleRef } from "../config/grants";
import { Account, accountsByKey, Topology } from "../config/model";
import { accountRootArn } from "../config/naming";
import { Conditions, Principals } from "../policies/document";

/** The principal and conditions admitting exactly these roles. */
export interface RolePrincipals {
  readonly principals: Principals;
  readonly conditions: Conditions;
}

/** Admits exactly `roles` (of any accounts of the organization). */
export function admitRoles(topology: Topology, roles: readonly RoleRef[], extra: Conditions = {}): RolePrincipals {
  // Indexed once per topology: building the index per call was a thousand entries per statement.
  const accounts = accountsByKey(topology);
  const roots = roles.map((r) => {
    const a = accounts.get(r.account) as Account;
    return accountRootArn(a.partition, a.id);
  });
  return {
    principals: { AWS: [...new Set(roots)] },
    conditions: {
      ...extra,
      ArnEquals: { ...(extra.ArnEquals ?? {}), "aws:PrincipalArn": roles.map((r) => r.roleArn) },
      StringEquals: { ...(extra.StringEquals ?? {}), "aws:PrincipalOrgID": topology.organization.id },
    },
  };
}

/** The account ids of roles, for `kms:CallerAccount`. */
export function accountIdsOf(topology: Topology, roles: readonly RoleRef[]): string[] {
  const accounts = accountsByKey(topology);
  return [...new Set(roles.map((r) => accounts.get(r.account)?.id as string))];
}

/** Groups items by a key, keeping first-seen order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
