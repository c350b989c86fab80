/** S3 access points and their policies (inline or `aws_s3control_access_point_policy`). */
import { accessPointArn } from "../../config/naming";
import { StackContext } from "./stack";
import { CollectedAccessPoint } from "./types";

/** Collects the stack's access points, with their policies. */
export function collectAccessPoints(ctx: StackContext): void {
  const byName = new Map<string, CollectedAccessPoint>();
  for (const [, config, address] of ctx.each("aws_s3_access_point")) {
    const w = ctx.where(config);
    const name = ctx.str(config.name, address, "name");
    const bucket = ctx.str(config.bucket, address, "bucket");
    if (!name || !bucket) continue;
    const accountId = (config.account_id !== undefined ? ctx.str(config.account_id, address, "account_id") : undefined) ?? w.accountId;
    const arn = accessPointArn(w.partition, w.region, accountId, name);
    const policy = ctx.policy("access-point", config.policy, address, "policy", `access point policy of ${name}`, arn, accountId);
    byName.set(arn, { stack: ctx.stack, accountId, region: w.region, name, arn, bucket, address, policy });
  }
  for (const [, config, address] of ctx.each("aws_s3control_access_point_policy")) {
    const arn = ctx.str(config.access_point_arn, address, "access_point_arn");
    const ap = arn ? byName.get(arn) : undefined;
    if (!arn || !ap) {
      if (arn) ctx.unresolvedValue(address, "access_point_arn", arn, "names an access point that is not made by this stack");
      continue;
    }
    byName.set(arn, { ...ap, policy: ctx.policy("access-point", config.policy, address, "policy", `access point policy of ${ap.name}`, arn, ap.accountId) });
  }
  ctx.out.accessPoints.push(...byName.values());
}
