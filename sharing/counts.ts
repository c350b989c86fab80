/**
 * The per-account counts AWS enforces, checked over what mlshare makes: IAM roles and
 * customer managed policies per account, S3 access points per account and region, managed
 * policies attached per role. A stack is one account; its resources are what mlshare adds
 * to the account (roles and policies made outside mlshare count too, and mlshare cannot see
 * them: the errors say what mlshare would make).
 */
import { StackJson } from "../compliance/rule";
import { Account, Topology } from "../config/model";
import { COUNT_QUOTAS, CountKind, CountQuotaError } from "../policies/quotas";

/** What one account's stack makes, by count quota. */
export interface AccountCounts {
  readonly account: string;
  readonly roles: number;
  readonly managedPolicies: number;
  readonly accessPoints: number;
  /** The most managed policies attached to one role, and that role. */
  readonly mostAttached: { readonly role: string; readonly count: number };
}

/** The counts of one account's stack. */
export function countsOf(account: Account, stack: StackJson): AccountCounts {
  const r = stack.resource ?? {};
  const n = (type: string) => Object.keys(r[type] ?? {}).length;
  const attached = new Map<string, number>();
  for (const a of Object.values(r.aws_iam_role_policy_attachment ?? {})) {
    const role = String(a.role);
    attached.set(role, (attached.get(role) ?? 0) + 1);
  }
  let mostAttached = { role: "", count: 0 };
  for (const [role, count] of attached) if (count > mostAttached.count) mostAttached = { role, count };
  return { account: account.key, roles: n("aws_iam_role"), managedPolicies: n("aws_iam_policy"), accessPoints: n("aws_s3_access_point"), mostAttached };
}

/** `key (id)`, with the region when the quota counts per region. */
function label(a: Account, kind: CountKind): string {
  return kind === "access-points" ? `${a.key} (${a.id}) in ${a.region}` : `${a.key} (${a.id})`;
}

/** Throws CountQuotaError for the first count over AWS's default quota. */
export function assertCounts(a: Account, counts: Omit<AccountCounts, "account" | "mostAttached"> & { mostAttached?: AccountCounts["mostAttached"] }): void {
  const check = (kind: CountKind, count: number, what = label(a, kind)) => {
    if (count > COUNT_QUOTAS[kind].limit) throw new CountQuotaError(what, kind, count);
  };
  check("roles", counts.roles);
  check("managed-policies", counts.managedPolicies);
  check("access-points", counts.accessPoints);
  if (counts.mostAttached) check("attached-per-role", counts.mostAttached.count, `${label(a, "attached-per-role")}, role ${counts.mostAttached.role}`);
}

/** Checks every account's synthesized stack against the count quotas. */
export function checkAccountCounts(topology: Topology, stacks: Readonly<Record<string, StackJson>>): AccountCounts[] {
  const out: AccountCounts[] = [];
  for (const a of topology.accounts) {
    const stack = stacks[a.key];
    if (!stack) continue;
    const counts = countsOf(a, stack);
    assertCounts(a, counts);
    out.push(counts);
  }
  return out;
}
