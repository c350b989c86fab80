/** KMS keys (`aws_kms_key`), their key policies (inline or `aws_kms_key_policy`) and aliases. */
import { StackContext } from "./stack";
import { asReference } from "./stack";
import { CollectedKey, CollectedPolicy, syntheticKeyArn } from "./types";

/** Collects the stack's keys, each with its aliases and policy. */
export function collectKeys(ctx: StackContext): void {
  const keys = new Map<string, { key: Omit<CollectedKey, "aliases" | "policy">; aliases: string[]; policy?: CollectedPolicy }>();
  for (const [id, config, address] of ctx.each("aws_kms_key")) {
    const w = ctx.where(config);
    const arn = syntheticKeyArn(w.partition, w.region, w.accountId, id);
    const entry = { key: { stack: ctx.stack, accountId: w.accountId, region: w.region, logicalId: id, address, arn }, aliases: [] as string[], policy: undefined as CollectedPolicy | undefined };
    entry.policy = ctx.policy("key", config.policy, address, "policy", `key policy of ${id}`, arn, w.accountId);
    keys.set(id, entry);
  }
  for (const [, config, address] of ctx.each("aws_kms_key_policy")) {
    // An existing key's adopted policy names it by its literal id: review/collect/existing.ts.
    if (typeof config.key_id === "string" && !config.key_id.includes("${")) continue;
    const target = keyOf(ctx, config.key_id, address, "key_id", keys);
    if (target) target.policy = ctx.policy("key", config.policy, address, "policy", `key policy of ${target.key.logicalId}`, target.key.arn, target.key.accountId);
  }
  for (const [, config, address] of ctx.each("aws_kms_alias")) {
    const name = ctx.str(config.name, address, "name");
    const target = keyOf(ctx, config.target_key_id, address, "target_key_id", keys);
    if (name && target) target.aliases.push(name);
  }
  for (const { key, aliases, policy } of keys.values()) ctx.out.keys.push({ ...key, aliases: aliases.sort(), policy });
}

function keyOf<T extends { key: { logicalId: string; arn: string } }>(ctx: StackContext, value: unknown, address: string, attribute: string, keys: Map<string, T>): T | undefined {
  const ref = asReference(value);
  if (ref?.type === "aws_kms_key" && keys.has(ref.id)) return keys.get(ref.id);
  const literal = typeof value === "string" ? value : JSON.stringify(value);
  const byValue = [...keys.values()].find((k) => k.key.arn === literal || k.key.logicalId === literal);
  if (byValue) return byValue;
  ctx.unresolvedValue(address, attribute, literal, "names a KMS key that is not made by this stack");
  return undefined;
}
