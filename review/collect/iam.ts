/**
 * IAM roles (made by the stack, or existing roles it attaches policies to), their trust
 * policies, inline policies (`inline_policy` blocks and `aws_iam_role_policy`) and attached
 * managed policies (the stack's own, AWS managed ones by ARN, others as unresolved).
 */
import { roleArn } from "../../config/naming";
import { MutableRole } from "./builder";
import { asReference, isObject, Json, list, StackContext } from "./stack";
import { CollectedPolicy } from "./types";

/** Collects the stack's roles and the policies attached to them. */
export function collectRoles(ctx: StackContext): void {
  const managed = new Map<string, CollectedPolicy>(); // by logical id
  const managedByArn = new Map<string, CollectedPolicy>();
  for (const [id, config, address] of ctx.each("aws_iam_policy")) {
    const w = ctx.where(config);
    const name = ctx.str(config.name, address, "name");
    const arn = name ? `arn:${w.partition}:iam::${w.accountId}:policy${ctx.iamPath(config, { type: "aws_iam_policy", id, attribute: "path" })}${name}` : `${address} (no fixed name)`;
    if (!name) ctx.unresolvedValue(address, "name", String(config.name_prefix ?? "(none)"), "the managed policy has no fixed name");
    const p = ctx.policy("managed", config.policy, address, "policy", name ?? address, arn, w.accountId);
    if (p) {
      managed.set(id, p);
      managedByArn.set(arn, p);
    }
  }

  const rolesById = new Map<string, MutableRole>();
  for (const [id, config, address] of ctx.each("aws_iam_role")) {
    const w = ctx.where(config);
    const name = ctx.str(config.name, address, "name");
    if (!name) {
      if (config.name === undefined) ctx.unresolvedValue(address, "name", String(config.name_prefix ?? "(none)"), "the role has no fixed name");
      continue;
    }
    const arn = `arn:${w.partition}:iam::${w.accountId}:role${ctx.iamPath(config, { type: "aws_iam_role", id, attribute: "path" })}${name}`;
    const role = ctx.out.role(ctx.stack, w.accountId, name, arn);
    role.address = address;
    rolesById.set(id, role);
    role.trustPolicy = ctx.policy("trust", config.assume_role_policy, address, "assume_role_policy", `trust policy of ${name}`, arn, w.accountId);
    list(config.inline_policy)
      .filter(isObject)
      .forEach((block, i) => {
        const blockName = ctx.str(block.name, `${address}.inline_policy[${i}]`, "name") ?? `${name} inline ${i}`;
        const p = ctx.policy("inline", block.policy, `${address}.inline_policy[${i}]`, "policy", blockName, arn, w.accountId);
        if (p) role.inlinePolicies.push(p);
      });
    list(config.managed_policy_arns).forEach((v) => attach(ctx, role, v, address, "managed_policy_arns", managed, managedByArn));
  }

  /** The role a `role` attribute names: a role of the stack, or an existing role by name. */
  const roleOf = (value: unknown, address: string, config: Json): MutableRole | undefined => {
    const ref = asReference(value);
    if (ref?.type === "aws_iam_role" && rolesById.has(ref.id)) return rolesById.get(ref.id);
    const name = ctx.str(value, address, "role");
    if (!name) return undefined;
    const existing = [...rolesById.values()].find((r) => r.name === name);
    if (existing) return existing;
    const w = ctx.where(config);
    // An existing role named by its name: its path is "/" unless the name is an ARN.
    const m = /^arn:[^:]+:iam::(\d{12}):role\/(.+)$/.exec(name);
    const roleName = m ? m[2].split("/").pop()! : name;
    const arn = m ? name : roleArn(w.partition, w.accountId, name);
    return ctx.out.role(ctx.stack, m ? m[1] : w.accountId, roleName, arn);
  };

  for (const [, config, address] of ctx.each("aws_iam_role_policy")) {
    const role = roleOf(config.role, address, config);
    const name = ctx.str(config.name, address, "name") ?? address;
    const p = ctx.policy("inline", config.policy, address, "policy", name, role?.arn ?? String(config.role), role?.accountId ?? ctx.where(config).accountId);
    if (role && p) role.inlinePolicies.push(p);
  }
  for (const [, config, address] of ctx.each("aws_iam_role_policy_attachment")) {
    const role = roleOf(config.role, address, config);
    if (role) attach(ctx, role, config.policy_arn, address, "policy_arn", managed, managedByArn);
  }
  for (const [, config, address] of ctx.each("aws_iam_policy_attachment")) {
    for (const r of list(config.roles)) {
      const role = roleOf(r, address, config);
      if (role) attach(ctx, role, config.policy_arn, address, "policy_arn", managed, managedByArn);
    }
  }
}

function attach(ctx: StackContext, role: MutableRole, value: unknown, address: string, attribute: string, managed: Map<string, CollectedPolicy>, byArn: Map<string, CollectedPolicy>): void {
  const ref = asReference(value);
  if (ref?.type === "aws_iam_policy" && managed.has(ref.id)) {
    role.managedPolicies.push(managed.get(ref.id)!);
    return;
  }
  const arn = ctx.str(value, address, attribute);
  if (!arn) return;
  if (byArn.has(arn)) role.managedPolicies.push(byArn.get(arn)!);
  else if (/^arn:[^:]+:iam::aws:policy\//.test(arn)) role.awsManagedPolicyArns.push(arn);
  else {
    role.unknownPolicyArns.push(arn);
    ctx.unresolvedValue(address, attribute, arn, "the attached policy's document is not in the stack");
  }
}
