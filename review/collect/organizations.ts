/**
 * Organizations: SCPs, RCPs and other organization policies with their attachments, OUs
 * (made, or looked up by name through a data source) and accounts the stack places.
 */
import { isObject, StackContext } from "./stack";
import { asReference } from "./stack";
import { CollectedPolicy, PolicyKind } from "./types";

/** Collects the stack's organization policies, OUs and accounts. */
export function collectOrganization(ctx: StackContext): void {
  const policies = new Map<string, { policy: CollectedPolicy; type: string; targets: string[] }>();
  for (const [id, config, address] of ctx.each("aws_organizations_policy")) {
    const w = ctx.where(config);
    const type = ctx.str(config.type, address, "type") ?? "SERVICE_CONTROL_POLICY";
    const kind: PolicyKind = type === "SERVICE_CONTROL_POLICY" ? "scp" : type === "RESOURCE_CONTROL_POLICY" ? "rcp" : "organization-policy";
    const name = ctx.str(config.name, address, "name") ?? id;
    const p = ctx.policy(kind, config.content, address, "content", name, `p-synthetic-${id}`, w.accountId);
    if (p) policies.set(id, { policy: p, type, targets: [] });
  }
  for (const [, config, address] of ctx.each("aws_organizations_policy_attachment")) {
    const ref = asReference(config.policy_id);
    const entry = ref?.type === "aws_organizations_policy" ? policies.get(ref.id) : undefined;
    if (!entry) {
      ctx.unresolvedValue(address, "policy_id", String(config.policy_id), "names an organization policy that is not made by this stack");
      continue;
    }
    const target = ctx.str(config.target_id, address, "target_id");
    if (target) entry.targets.push(target);
  }
  for (const e of policies.values()) ctx.out.orgPolicies.push({ policy: e.policy, type: e.type, targets: e.targets });
  for (const [id, config, address] of ctx.each("aws_organizations_organizational_unit")) {
    const parentId = ctx.str(config.parent_id, address, "parent_id") ?? "unknown-parent";
    ctx.out.units.push({ id: `ou-synthetic-${id}`, name: ctx.str(config.name, address, "name") ?? id, parentId });
  }
  const lookups = isObject(ctx.json.data) && isObject(ctx.json.data.aws_organizations_organizational_unit) ? ctx.json.data.aws_organizations_organizational_unit : {};
  for (const [id, config] of Object.entries(lookups)) {
    if (!isObject(config)) continue;
    const address = `data.aws_organizations_organizational_unit.${id}`;
    const parentId = ctx.str(config.parent_id, address, "parent_id") ?? "unknown-parent";
    ctx.out.units.push({ id: `ou-synthetic-${id}`, name: ctx.str(config.name, address, "name") ?? id, parentId, lookedUp: true });
  }
  for (const [id, config, address] of ctx.each("aws_organizations_account")) {
    const parentId = config.parent_id === undefined ? undefined : ctx.str(config.parent_id, address, "parent_id");
    ctx.out.orgAccounts.push({ id: `synthetic-account-${id}`, name: ctx.str(config.name, address, "name") ?? id, parentId });
  }
}
