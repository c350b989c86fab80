/** SageMaker: domains (workloads of their accounts) and model package group policies. */
import { StackContext } from "./stack";

/** Collects the stack's SageMaker domains and model package group policies. */
export function collectSageMaker(ctx: StackContext): void {
  for (const [id, config, address] of ctx.each("aws_sagemaker_domain")) {
    const w = ctx.where(config);
    ctx.out.domains.push({ stack: ctx.stack, accountId: w.accountId, region: w.region, name: ctx.str(config.domain_name, address, "domain_name") ?? id, address });
  }
  for (const [, config, address] of ctx.each("aws_sagemaker_model_package_group_policy")) {
    const w = ctx.where(config);
    const groupName = ctx.str(config.model_package_group_name, address, "model_package_group_name");
    const arn = groupName ? `arn:${w.partition}:sagemaker:${w.region}:${w.accountId}:model-package-group/${groupName}` : String(config.model_package_group_name);
    const policy = ctx.policy("model-package-group", config.resource_policy, address, "resource_policy", `model package group policy of ${groupName ?? "?"}`, arn, w.accountId);
    if (groupName && policy) ctx.out.groupPolicies.push({ groupName, arn, policy });
  }
}
