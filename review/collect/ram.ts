/** RAM resource shares with their principal and resource associations. */
import { asReference, Json, StackContext } from "./stack";
import { CollectedRamShare } from "./types";

/** Collects the stack's RAM shares. */
export function collectRamShares(ctx: StackContext): void {
  const shares = new Map<string, { share: Omit<CollectedRamShare, "principals" | "resources">; principals: string[]; resources: string[] }>();
  for (const [id, config, address] of ctx.each("aws_ram_resource_share")) {
    const w = ctx.where(config);
    const name = ctx.str(config.name, address, "name") ?? id;
    const arn = `arn:${w.partition}:ram:${w.region}:${w.accountId}:resource-share/synthetic-${id}`;
    shares.set(id, { share: { stack: ctx.stack, accountId: w.accountId, region: w.region, name, address, arn, allowExternalPrincipals: config.allow_external_principals === true }, principals: [], resources: [] });
  }
  const shareOf = (config: Json, address: string) => {
    const ref = asReference(config.resource_share_arn);
    const entry = ref?.type === "aws_ram_resource_share" ? shares.get(ref.id) : undefined;
    if (!entry) ctx.unresolvedValue(address, "resource_share_arn", String(config.resource_share_arn), "names a resource share that is not made by this stack");
    return entry;
  };
  for (const [, config, address] of ctx.each("aws_ram_principal_association")) {
    const entry = shareOf(config, address);
    const principal = ctx.str(config.principal, address, "principal");
    if (entry && principal) entry.principals.push(principal);
  }
  for (const [, config, address] of ctx.each("aws_ram_resource_association")) {
    const entry = shareOf(config, address);
    const resource = ctx.str(config.resource_arn, address, "resource_arn");
    if (entry && resource) entry.resources.push(resource);
  }
  for (const e of shares.values()) ctx.out.ramShares.push({ ...e.share, principals: e.principals, resources: e.resources });
}
